#include "daemon/mta_sts/policy_fetcher.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "daemon/asio/nothrow_awaitable.hpp"
#include "policy/text/ascii.hpp"

namespace sluice::daemon::mta_sts {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {
using asio_support::nothrow_awaitable;
constexpr std::size_t kHeaderLimit = 8 * 1024;
constexpr std::string_view kPolicyPath = "/.well-known/mta-sts.txt";

struct AddressResult {
    FetchResult result;
    bool try_next = false;  // the address could not be reached: another one may be
};

// "text/plain", "text/plain; charset=utf-8" (case-insensitive), nothing else.
bool is_text_plain(std::string_view type) {
    constexpr std::string_view kWant = "text/plain";
    if (!policy::text::istarts_with(type, kWant)) return false;
    type.remove_prefix(kWant.size());
    return type.empty() || type.front() == ';' || type.front() == ' ';
}

AddressResult failed(std::string why, bool try_next = false) {
    return AddressResult{FetchResult{std::move(why), {}}, try_next};
}

std::string check_response(const http::response<http::string_body>& response) {
    if (response.result_int() != 200) {
        // RFC 8461 §3.3: redirects are not followed; anything but 200 is no policy.
        return "HTTP status " + std::to_string(response.result_int());
    }
    if (!is_text_plain(response[http::field::content_type])) {
        return "Content-Type is not text/plain";
    }
    return {};
}

asio::awaitable<AddressResult> fetch_from(asio::any_io_executor executor,
                                          const tls::ContextPtr& context, const std::string& host,
                                          tcp::endpoint endpoint,
                                          std::chrono::milliseconds timeout) {
    beast::ssl_stream<beast::tcp_stream> stream(executor, *context);
    tls::expect_host_name(stream.native_handle(), host, tls::PeerVerification::system_cas);
    auto& tcp_layer = beast::get_lowest_layer(stream);
    tcp_layer.expires_after(timeout);  // one deadline for the whole exchange
    auto [connect_ec] = co_await tcp_layer.async_connect(endpoint, nothrow_awaitable);
    if (connect_ec) co_return failed("connect: " + connect_ec.message(), true);
    auto [handshake_ec] =
        co_await stream.async_handshake(asio::ssl::stream_base::client, nothrow_awaitable);
    if (handshake_ec) {
        std::string why = "TLS: " + handshake_ec.message();
        const auto verify = SSL_get_verify_result(stream.native_handle());
        if (verify != X509_V_OK)
            why += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
        co_return failed(std::move(why));
    }
    http::request<http::empty_body> request{http::verb::get, kPolicyPath, 11};
    const bool default_port = endpoint.port() == 443;
    request.set(http::field::host,
                default_port ? host : host + ":" + std::to_string(endpoint.port()));
    request.set(http::field::user_agent, "sluiced");
    auto [write_ec, written] = co_await http::async_write(stream, request, nothrow_awaitable);
    if (write_ec) co_return failed("sending the request: " + write_ec.message());
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(kMaxPolicySize);
    auto [read_ec, read] = co_await http::async_read(stream, buffer, parser, nothrow_awaitable);
    if (read_ec == http::error::body_limit) co_return failed("the policy is larger than 64 KiB");
    if (read_ec) co_return failed("reading the response: " + read_ec.message());
    // No TLS close_notify exchange: the policy is complete (Content-Length or chunked end).
    if (auto why = check_response(parser.get()); !why.empty()) co_return failed(std::move(why));
    co_return AddressResult{FetchResult{{}, parser.release().body()}, false};
}

}  // namespace

asio::awaitable<FetchResult> fetch_policy_text(asio::any_io_executor executor,
                                               dns::Resolver& resolver,
                                               tls::ContextPtr verified_context, std::string domain,
                                               std::uint16_t port,
                                               std::chrono::milliseconds timeout) {
    if (!verified_context) co_return FetchResult{"no verifying TLS context (system CAs)", {}};
    const std::string host = "mta-sts." + domain;
    auto addresses = co_await resolver.lookup_addresses(host);
    if (addresses.error) {
        co_return FetchResult{"cannot resolve " + host + ": " + addresses.error.message(), {}};
    }
    FetchResult last{"no address for " + host, {}};
    // One deadline for every address together: the fetch holds up a delivery.
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (const auto& address : addresses.value) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left <= std::chrono::milliseconds(0)) break;
        const tcp::endpoint endpoint(address, port);  // named: see GCC 12's co_await bugs
        auto attempt = co_await fetch_from(executor, verified_context, host, endpoint, left);
        if (!attempt.try_next) co_return std::move(attempt.result);
        last = std::move(attempt.result);
        last.error = address.to_string() + ": " + last.error;
    }
    co_return last;
}

}  // namespace sluice::daemon::mta_sts
