#include "daemon/dns/resolver.hpp"

#include <algorithm>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstring>
#include <map>

#include "daemon/dns/answer.hpp"
#include "daemon/dns/answer_parser.hpp"
#include "daemon/dns/cares_channel.hpp"
#include "daemon/dns/dns_name.hpp"
#include "daemon/dns/ttl_cache.hpp"

namespace sluice::daemon::dns {

namespace asio = boost::asio;
using asio::awaitable;
using Clock = std::chrono::steady_clock;

class Resolver::Impl {
  public:
    Impl(asio::any_io_executor executor, const ResolverSettings& settings)
        : executor_(executor),
          cache_({settings.max_cache_ttl, settings.max_negative_ttl}),
          channel_(executor, {settings.servers, settings.timeout, settings.tries}) {}
    ~Impl() { cancel_all(); }

    // The answer for (name, type): from the cache, from a query in flight, or a new query.
    awaitable<Answer> query(std::string name, RecordType type);
    void cancel_all();

  private:
    using Waiter = asio::any_completion_handler<void(Answer)>;

    void join(const QueryKey& key, Waiter waiter);
    void finish(const QueryKey& key, Answer answer);

    asio::any_io_executor executor_;
    TtlCache cache_;
    std::map<QueryKey, std::vector<Waiter>> in_flight_;
    bool shutting_down_ = false;
    CaresChannel channel_;  // last: destroyed first, while the members above still exist
};

awaitable<Answer> Resolver::Impl::query(std::string name, RecordType type) {
    if (shutting_down_) co_return Answer{errc::shutting_down, {}, {}};
    auto normalized = normalize_name(name);
    if (!normalized) co_return Answer{errc::bad_name, {}, {}};
    QueryKey key{std::move(*normalized), type};
    if (auto cached = cache_.find(key, Clock::now())) co_return std::move(*cached);
    // GCC 12 destroys non-trivial captures of a lambda temporary inside a co_await expression
    // twice; capturing the frame's `key` by reference keeps the lambda trivially destructible.
    co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(Answer)>(
        [this, &key](auto handler) { join(key, Waiter(std::move(handler))); }, asio::use_awaitable);
}

void Resolver::Impl::join(const QueryKey& key, Waiter waiter) {
    auto [it, first] = in_flight_.try_emplace(key);
    it->second.push_back(std::move(waiter));
    if (!first) return;  // coalesced with the query already in flight
    channel_.query(key.name, static_cast<int>(key.type),
                   [this, key](int status, std::span<const unsigned char> message) {
                       finish(key, parse_answer(status, message, key.type));
                   });
}

// Runs inside c-ares: waiters are resumed by post, never from here.
void Resolver::Impl::finish(const QueryKey& key, Answer answer) {
    auto it = in_flight_.find(key);
    if (it == in_flight_.end()) return;
    std::vector<Waiter> waiters = std::move(it->second);
    in_flight_.erase(it);
    answer.ttl = cache_.store(key, answer, Clock::now());
    for (auto& waiter : waiters) {
        // Resumed on the Resolver's executor: everything here lives on one io_context thread.
        asio::post(executor_, [waiter = std::move(waiter), answer]() mutable {
            std::move(waiter)(std::move(answer));
        });
    }
}

void Resolver::Impl::cancel_all() {
    shutting_down_ = true;
    channel_.cancel();             // each query's completion runs now with ARES_ECANCELLED
    while (!in_flight_.empty()) {  // none should be left; never leave a waiter hanging
        const QueryKey key = in_flight_.begin()->first;
        finish(key, Answer{errc::shutting_down, {}, {}});
    }
}

namespace {

asio::ip::address to_address(const Record& record) {
    if (record.data.size() == 4) {
        asio::ip::address_v4::bytes_type bytes;
        std::memcpy(bytes.data(), record.data.data(), bytes.size());
        return asio::ip::address_v4(bytes);
    }
    asio::ip::address_v6::bytes_type bytes;
    std::memcpy(bytes.data(), record.data.data(), bytes.size());
    return asio::ip::address_v6(bytes);
}

// RFC 5321 §5.1 wants both families considered: an answer for either is a success.
Lookup<std::vector<asio::ip::address>> combine(const Answer& v4, const Answer& v6) {
    Lookup<std::vector<asio::ip::address>> result;
    const bool have4 = !v4.error, have6 = !v6.error;
    if (have4 || have6) {
        // Only the addresses used need be validated (RFC 7672 §2.2.2 asks about those).
        result.secure = (!have4 || v4.secure) && (!have6 || v6.secure);
        result.ttl = have4 && have6 ? std::min(v4.ttl, v6.ttl) : (have4 ? v4.ttl : v6.ttl);
        for (const Answer* answer : {&v4, &v6}) {
            if (answer->error) continue;
            for (const auto& record : answer->records) result.value.push_back(to_address(record));
        }
        return result;
    }
    result.ttl = std::min(v4.ttl, v6.ttl);
    result.secure = v4.secure && v6.secure;
    if (v4.error == errc::nxdomain || v6.error == errc::nxdomain) {
        result.error = errc::nxdomain;
    } else if (v4.error == errc::no_data && v6.error == errc::no_data) {
        result.error = errc::no_data;
    } else {  // a temporary failure of either family must not pass for "no address"
        result.error = v4.error != errc::no_data ? v4.error : v6.error;
        result.ttl = std::chrono::seconds{0};
    }
    return result;
}

}  // namespace

Resolver::Resolver(asio::any_io_executor executor, ResolverSettings settings)
    : impl_(std::make_unique<Impl>(std::move(executor), settings)) {}

Resolver::~Resolver() = default;

awaitable<Lookup<std::vector<MxRecord>>> Resolver::lookup_mx(std::string domain) {
    const Answer answer = co_await impl_->query(std::move(domain), RecordType::mx);
    Lookup<std::vector<MxRecord>> result{answer.error, {}, answer.ttl, answer.secure};
    for (const auto& record : answer.records) {
        result.value.push_back({record.preference, record.data});
    }
    co_return result;
}

awaitable<Lookup<std::vector<asio::ip::address>>> Resolver::lookup_addresses(std::string host) {
    using namespace asio::experimental::awaitable_operators;
    auto [v4, v6] =
        co_await (impl_->query(host, RecordType::a) && impl_->query(host, RecordType::aaaa));
    co_return combine(v4, v6);
}

awaitable<Lookup<std::vector<std::string>>> Resolver::lookup_txt(std::string name) {
    const Answer answer = co_await impl_->query(std::move(name), RecordType::txt);
    Lookup<std::vector<std::string>> result{answer.error, {}, answer.ttl, answer.secure};
    for (const auto& record : answer.records) result.value.push_back(record.data);
    co_return result;
}

awaitable<Lookup<std::vector<TlsaRecord>>> Resolver::lookup_tlsa(std::string name) {
    const Answer answer = co_await impl_->query(std::move(name), RecordType::tlsa);
    Lookup<std::vector<TlsaRecord>> result{answer.error, {}, answer.ttl, answer.secure};
    for (const auto& record : answer.records) {  // answer_parser checked the 4-octet minimum
        const auto octet = [&](std::size_t i) { return static_cast<std::uint8_t>(record.data[i]); };
        result.value.push_back({octet(0), octet(1), octet(2), record.data.substr(3)});
    }
    co_return result;
}

void Resolver::cancel_all() {
    impl_->cancel_all();
}

}  // namespace sluice::daemon::dns
