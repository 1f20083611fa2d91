// prepare_message (see message_preparation.hpp).
#include "daemon/delivery/message_preparation.hpp"

#include "daemon/asio/blocking_call.hpp"
#include "daemon/smtp/header_fields.hpp"
#include "policy/engine/header_changes.hpp"

namespace sluice::daemon::delivery {

namespace {
bool has_changes(const policy::config::HeaderPolicy* policy) {
    return policy != nullptr && !policy->empty();
}
}  // namespace

boost::asio::awaitable<std::string> prepare_message(boost::asio::thread_pool& blocking,
                                                    DkimSign sign,
                                                    std::shared_ptr<const std::string> content,
                                                    Preparation how) {
    auto sending = content;
    if (smtp::has_header(*content, how.pool_header)) {
        sending =
            std::make_shared<const std::string>(smtp::remove_header(*content, how.pool_header));
    }
    if (has_changes(how.pool_headers) || has_changes(how.isp_headers)) {
        sending = std::make_shared<const std::string>(
            policy::engine::apply_header_policies(*sending, {how.pool_headers, how.isp_headers}));
    }
    // Named, not a temporary inside co_await: see asio/blocking_call.hpp.
    auto signing = [sign = std::move(sign), sending, pool = std::move(how.pool)] {
        return sign(*sending, pool);
    };
    co_return co_await run_blocking<std::string>(blocking, std::move(signing));
}

}  // namespace sluice::daemon::delivery
