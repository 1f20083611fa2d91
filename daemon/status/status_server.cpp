#include "daemon/status/status_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <variant>

#include "daemon/asio/listening_acceptor.hpp"
#include "daemon/asio/nothrow_awaitable.hpp"
#include "daemon/status/bearer_token.hpp"
#include "daemon/status/dashboard_page.hpp"
#include "daemon/status/operation_runner.hpp"
#include "daemon/status/prometheus_text.hpp"
#include "daemon/status/status_json.hpp"
#include "policy/config/endpoint.hpp"

namespace sluice::daemon::status {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {
using asio_support::nothrow_awaitable;
constexpr std::size_t kHeaderLimit = 8 * 1024;
constexpr std::size_t kBodyLimit = 64 * 1024;
constexpr auto kIoTimeout = std::chrono::seconds(10);
constexpr unsigned kMaxRequestsPerConnection = 1000;
constexpr std::string_view kJson = "application/json";

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

Response reply(unsigned status, std::string_view type, std::string body, unsigned version,
               bool keep_alive) {
    Response res{static_cast<http::status>(status), version};
    res.set(http::field::server, "sluiced");
    res.set(http::field::content_type, type);
    res.set(http::field::cache_control, "no-store");
    res.keep_alive(keep_alive);
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

Response error(const Request& req, unsigned status, std::string_view message) {
    return reply(status, kJson, error_body(message), req.version(), req.keep_alive());
}

// A request that could not be parsed: answered, then the connection is closed.
unsigned status_for_parse_error(const boost::system::error_code& ec) {
    if (ec == http::error::body_limit) return 413;
    if (ec == http::error::header_limit) return 431;
    return 400;
}
}  // namespace

StatusServer::StatusServer(asio::any_io_executor executor, StatusBackend& backend,
                           log::Logger& logger)
    : executor_(executor), backend_(backend), logger_(logger), acceptor_(executor) {}

std::error_code StatusServer::open(const std::string& listen) {
    const auto parsed = policy::config::Endpoint::parse(listen);
    if (!parsed) return std::make_error_code(std::errc::invalid_argument);
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(parsed->address.to_string(), ec);
    if (ec) return ec;
    return asio_support::open_listening(acceptor_, tcp::endpoint(address, parsed->port));
}

tcp::endpoint StatusServer::local_endpoint() const {
    boost::system::error_code ec;
    return acceptor_.local_endpoint(ec);
}

void StatusServer::start() {
    asio::co_spawn(executor_, accept_loop(), asio::detached);
}

void StatusServer::stop() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
}

asio::awaitable<void> StatusServer::accept_loop() {
    for (;;) {
        auto [ec, socket] = co_await acceptor_.async_accept(nothrow_awaitable);
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
        if (ec) {
            logger_.warning("status endpoint: accept failed: {}", ec.message());
            asio::steady_timer pause(executor_, std::chrono::milliseconds(100));
            co_await pause.async_wait(nothrow_awaitable);
            continue;
        }
        if (*sessions_ >= kMaxSessions) {
            boost::system::error_code ignored;
            socket.close(ignored);
            continue;
        }
        asio::co_spawn(executor_, serve(std::move(socket)),
                       [&logger = logger_](std::exception_ptr error) {
                           if (!error) return;
                           try {
                               std::rethrow_exception(error);
                           } catch (const std::exception& e) {
                               logger.error("status session ended by exception: {}", e.what());
                           }
                       });
    }
}

namespace {
// Answers one parsed request (the reads synchronously, operations after the backend's work).
asio::awaitable<Response> respond(StatusBackend& backend, const Request& req,
                                  const policy::net::IpAddress& peer) {
    const std::string method(req.method_string());
    const std::string target(req.target());
    auto routed = route_request(method, target);
    if (auto* failure = std::get_if<RouteError>(&routed)) {
        auto res = error(req, failure->status, failure->message);
        if (!failure->allow.empty()) res.set(http::field::allow, failure->allow);
        co_return res;
    }
    const auto& request = std::get<RoutedRequest>(routed);
    const unsigned version = req.version();
    const bool keep = req.keep_alive();
    if (!is_operation(request.endpoint)) {
        if (!policy::net::any_contains(backend.read_networks(), peer)) {
            co_return error(req, 403, "this address may not read the status (status.allow)");
        }
        Response res;
        switch (request.endpoint) {
            case Endpoint::dashboard:
                res = reply(200, "text/html; charset=utf-8", std::string(dashboard_html()), version,
                            keep);
                break;
            case Endpoint::status:
                res = reply(200, kJson, to_body(to_json(backend.status())), version, keep);
                break;
            case Endpoint::queues:
            case Endpoint::queue: {
                auto query = parse_queue_query(request.query);
                if (auto* wrong = std::get_if<std::string>(&query)) {
                    co_return error(req, 400, *wrong);
                }
                auto& selected = std::get<QueueQuery>(query);
                if (request.endpoint == Endpoint::queue) selected.destination = request.isp;
                auto page = backend.queues(selected);
                if (request.endpoint == Endpoint::queue && page.total == 0) {
                    co_return error(req, 404, "no queue of " + request.isp);
                }
                res = reply(200, kJson, to_body(to_json(page)), version, keep);
                break;
            }
            case Endpoint::metrics:
                res = reply(200, kPrometheusContentType,
                            prometheus_text(backend.status(), backend.metric_queues()), version,
                            keep);
                break;
            default: {  // health: alive when answering; ready when mail is accepted
                const bool ready = backend.status().accepting;
                res = reply(ready ? 200 : 503, kJson,
                            to_body(boost::json::object{{"alive", true}, {"ready", ready}}),
                            version, keep);
                break;
            }
        }
        if (req.method() == http::verb::head) res.body().clear();
        co_return res;
    }
    const std::string token = backend.token();
    if (token.empty()) {
        co_return error(req, 403, "operations are disabled: status.token_file is not set");
    }
    const auto check = check_bearer_token(req[http::field::authorization], token);
    if (check == TokenCheck::missing) {
        auto res = error(req, 401, "this operation needs \"Authorization: Bearer TOKEN\"");
        res.set(http::field::www_authenticate, "Bearer realm=\"sluiced\"");
        co_return res;
    }
    if (check == TokenCheck::wrong) co_return error(req, 403, "wrong token");
    auto scope = parse_scope(req.body(), request.query);
    if (auto* bad = std::get_if<ScopeError>(&scope)) co_return error(req, 400, bad->message);
    auto result =
        co_await run_operation(backend, request.endpoint, std::get<OperationScope>(scope));
    co_return reply(result.status, kJson, std::move(result.body), version, keep);
}
}  // namespace

asio::awaitable<void> StatusServer::serve(tcp::socket socket) {
    ++*sessions_;
    struct Count {
        std::shared_ptr<unsigned> sessions;
        ~Count() { --*sessions; }
    } count{sessions_};
    boost::system::error_code ec;
    const auto remote = socket.remote_endpoint(ec);
    if (ec) co_return;
    const auto peer = policy::net::IpAddress::parse(remote.address().to_string());
    if (!peer) co_return;
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer(kHeaderLimit);
    for (unsigned served = 0; served < kMaxRequestsPerConnection; ++served) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(kHeaderLimit);
        parser.body_limit(kBodyLimit);
        stream.expires_after(kIoTimeout);
        auto [read_ec, read_bytes] =
            co_await http::async_read(stream, buffer, parser, nothrow_awaitable);
        if (read_ec == http::error::end_of_stream || read_ec == beast::error::timeout ||
            read_ec == asio::error::connection_reset || read_ec == asio::error::eof) {
            break;
        }
        if (read_ec) {
            auto res = reply(status_for_parse_error(read_ec), kJson,
                             error_body("malformed request: " + read_ec.message()), 11, false);
            stream.expires_after(kIoTimeout);
            auto [write_ec, written] = co_await http::async_write(stream, res, nothrow_awaitable);
            (void)write_ec;
            break;
        }
        const Request req = parser.release();
        auto res = co_await respond(backend_, req, *peer);
        stream.expires_after(kIoTimeout);
        auto [write_ec, written] = co_await http::async_write(stream, res, nothrow_awaitable);
        if (write_ec || !res.keep_alive()) break;
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

}  // namespace sluice::daemon::status
