#include "daemon/delivery/errc.hpp"

#include <string>

namespace sluice::daemon::delivery {

namespace {
class DeliveryCategory final : public std::error_category {
  public:
    const char* name() const noexcept override { return "sluice.delivery"; }
    std::string message(int value) const override {
        switch (static_cast<errc>(value)) {
            case errc::bind_failed:
                return "cannot bind the source address";
            case errc::connect_failed:
                return "connection failed";
            case errc::connect_timed_out:
                return "connection timed out";
            case errc::timed_out:
                return "timed out waiting for the server";
            case errc::connection_lost:
                return "connection lost";
            case errc::malformed_reply:
                return "malformed reply from the server";
            case errc::reply_too_long:
                return "reply too long";
            case errc::greeting_refused:
                return "greeting refused";
            case errc::hello_refused:
                return "EHLO and HELO refused";
            case errc::not_usable:
                return "connection not usable";
            case errc::tls_unavailable:
                return "TLS required but not available";
            case errc::tls_failed:
                return "TLS handshake failed";
        }
        return "unknown delivery error";
    }
};
}  // namespace

const std::error_category& delivery_category() noexcept {
    static const DeliveryCategory category;
    return category;
}

std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), delivery_category()};
}

}  // namespace sluice::daemon::delivery
