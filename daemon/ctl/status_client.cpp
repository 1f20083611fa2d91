#include "daemon/ctl/status_client.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "policy/config/endpoint.hpp"

namespace sluice::daemon::ctl {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

namespace {
constexpr int kTimeoutSeconds = 30;  // a clear of a large queue takes a while

void set_timeouts(tcp::socket& socket) {
    timeval timeout{kTimeoutSeconds, 0};
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
}
}  // namespace

std::optional<StatusUrl> StatusUrl::parse(const std::string& url) {
    std::string rest = url;
    if (rest.starts_with("http://")) rest = rest.substr(7);
    while (!rest.empty() && rest.back() == '/') rest.pop_back();
    const auto endpoint = policy::config::Endpoint::parse(rest);
    if (!endpoint) return std::nullopt;
    return StatusUrl{endpoint->address.to_string(), std::to_string(endpoint->port)};
}

std::optional<StatusUrl> StatusUrl::from_listen(const std::string& listen) {
    auto url = parse(listen);
    if (url && url->host == "0.0.0.0") url->host = "127.0.0.1";
    if (url && url->host == "::") url->host = "::1";
    return url;
}

std::string StatusUrl::to_string() const {
    const bool v6 = host.find(':') != std::string::npos;
    return "http://" + (v6 ? "[" + host + "]" : host) + ":" + port;
}

std::optional<HttpAnswer> http_request(const StatusUrl& url, const std::string& method,
                                       const std::string& target, const std::string& body,
                                       const std::string& token, std::string& error) {
    asio::io_context io;
    tcp::socket socket(io);
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(url.host, ec);
    if (!ec)
        socket.connect(tcp::endpoint(address, static_cast<unsigned short>(std::stoi(url.port))),
                       ec);
    if (ec) {
        error = "cannot reach sluiced at " + url.to_string() + ": " + ec.message() +
                " (is the daemon running, and is this its status.listen?)";
        return std::nullopt;
    }
    set_timeouts(socket);
    http::request<http::string_body> request{http::string_to_verb(method), target, 11};
    request.set(http::field::host, url.host + ":" + url.port);
    request.set(http::field::user_agent, "sluicectl");
    if (!token.empty()) request.set(http::field::authorization, "Bearer " + token);
    if (!body.empty()) request.set(http::field::content_type, "application/json");
    request.keep_alive(false);
    request.body() = body;
    request.prepare_payload();
    http::write(socket, request, ec);
    boost::beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    if (!ec) http::read(socket, buffer, parser, ec);
    if (ec) {
        error = "talking to sluiced at " + url.to_string() + " failed: " + ec.message();
        return std::nullopt;
    }
    auto response = parser.release();
    return HttpAnswer{response.result_int(), std::move(response.body())};
}

}  // namespace sluice::daemon::ctl
