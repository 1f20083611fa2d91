// Fuzz target: the delivery client (daemon/delivery/client_connection.hpp) against a server
// whose answers are the fuzz input. The client is the real one, over a socketpair, on one
// io_context with the scripted server: it opens the session and sends one message to three
// recipients, then quits. The commands are the client's; the answers are scripted: the input
// cut at NUL bytes, the first piece the greeting, each next piece sent once the client has said
// something more (everything it sent by then is one group, as a pipelined group would be; after
// an answer whose last reply is 354 to DATA, what the client says is the content up to its
// final dot). When the answers run out, or the client says nothing for 20 ms, the server hangs up.
// Invariant (tests/unit/daemon/delivery/delivery_invariant.hpp): every recipient the client
// counts delivered was confirmed by the server, RCPT 2xx then content 2xx, in step; and every
// recipient has exactly one result.
#include <sys/socket.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "daemon/asio/nothrow_awaitable.hpp"
#include "daemon/delivery/client_connection.hpp"
#include "fuzz/fuzz_check.hpp"
#include "tests/unit/daemon/delivery/delivery_invariant.hpp"

namespace asio = boost::asio;
namespace delivery = sluice::daemon::delivery;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;
using sluice::daemon::delivery::testing::ServerExchange;
using sluice::daemon::delivery::testing::ServerExchanges;
using sluice::daemon::delivery::testing::shape_of;

namespace {

using sluice::daemon::asio_support::nothrow_awaitable;
const std::vector<std::string> kRecipients = {"a@x.test", "b@x.test", "c@x.test"};

std::vector<std::string> answers_from(const std::uint8_t* data, std::size_t size) {
    std::vector<std::string> answers(1);
    for (std::size_t i = 0; i < size; ++i) {
        if (data[i] == 0) {
            answers.emplace_back();
        } else {
            answers.back() += static_cast<char>(data[i]);
        }
    }
    return answers;
}

// Cuts complete units off the front of `buffer`: command lines, or the content.
void take_units(std::string& buffer, bool& content_next, std::vector<ServerExchange::Said>& out) {
    for (;;) {
        if (content_next) {
            const std::size_t end = buffer.starts_with(".\r\n") ? 0 : buffer.find("\r\n.\r\n");
            if (end == std::string::npos) return;
            const std::size_t length = end == 0 && buffer.starts_with(".\r\n") ? 3 : end + 5;
            out.push_back({true, buffer.substr(0, length)});
            buffer.erase(0, length);
            content_next = false;
            continue;
        }
        const std::size_t lf = buffer.find('\n');
        if (lf == std::string::npos) return;
        out.push_back({false, buffer.substr(0, lf + 1)});
        buffer.erase(0, lf + 1);
    }
}

asio::awaitable<void> serve(asio::local::stream_protocol::socket socket,
                            std::vector<std::string> answers, ServerExchanges& exchanges) {
    asio::steady_timer idle(socket.get_executor());
    std::string buffer;
    bool content_next = false;
    bool in_step = true;
    for (std::size_t next = 0; next < answers.size(); ++next) {
        ServerExchange exchange;
        if (next > 0) {
            // Everything the client says before it waits: at least one unit.
            boost::system::error_code available_error;
            while (exchange.said.empty() || socket.available(available_error) > 0) {
                char chunk[4096];
                idle.expires_after(20ms);
                auto result =
                    co_await (socket.async_read_some(asio::buffer(chunk), nothrow_awaitable) ||
                              idle.async_wait(nothrow_awaitable));
                if (result.index() == 1) break;
                const auto [ec, n] = std::get<0>(result);
                if (ec) break;
                buffer.append(chunk, n);
                take_units(buffer, content_next, exchange.said);
            }
            if (exchange.said.empty()) break;
        }
        exchange.answer = answers[next];
        const auto [ec, n] =
            co_await asio::async_write(socket, asio::buffer(exchange.answer), nothrow_awaitable);
        (void)n;
        // The content follows only a 354 that answered DATA, in step.
        const auto shape = shape_of(exchange.answer);
        in_step = in_step && shape.clean &&
                  shape.codes.size() == std::max<std::size_t>(1, exchange.said.size());
        content_next = in_step && !exchange.said.empty() &&
                       exchange.said.back().text == "DATA\r\n" && shape.codes.back() == 354;
        exchanges.push_back(std::move(exchange));
        if (ec) break;
    }
    boost::system::error_code ignored;
    socket.close(ignored);
}

asio::awaitable<void> deliver(asio::io_context& io, int fd,
                              std::vector<delivery::RecipientResult>& results) {
    asio::ip::tcp::socket socket(io);
    socket.assign(asio::ip::tcp::v4(), fd);  // an AF_UNIX socket: only its fd matters here
    delivery::ClientSettings settings;
    settings.helo_name = "client.fuzz.test";
    settings.tls = sluice::policy::config::DeliveryTls::none;
    settings.greeting_timeout = settings.command_timeout = settings.data_init_timeout =
        settings.data_block_timeout = settings.data_done_timeout = 200ms;
    settings.max_recipients_per_transaction = 2;  // a second transaction, sometimes
    auto opened = co_await delivery::ClientConnection::open_connected(
        io.get_executor(), std::move(socket), "mx.fuzz.test", settings);
    if (!opened.connection) co_return;
    const delivery::OutboundMessage message{"s@fuzz.test", kRecipients, false, false,
                                            "Subject: fuzz\r\n\r\n.dot\r\nbody\r\n"};
    results = co_await opened.connection->send(message);
    co_await opened.connection->quit();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return 0;
    asio::io_context io;
    asio::local::stream_protocol::socket server(io);
    server.assign(asio::local::stream_protocol(), fds[1]);
    ServerExchanges exchanges;
    std::vector<delivery::RecipientResult> results;
    asio::co_spawn(io, serve(std::move(server), answers_from(data, size), exchanges),
                   asio::detached);
    asio::co_spawn(io, deliver(io, fds[0], results), asio::detached);
    io.run();

    FUZZ_CHECK(results.empty() || results.size() == kRecipients.size());
    std::vector<std::string> delivered;
    for (std::size_t i = 0; i < results.size(); ++i) {
        if (results[i].outcome == delivery::RecipientOutcome::delivered) {
            delivered.push_back(kRecipients[i]);
            // Only a 2xx reply can stand for a delivery (the policy reads the code).
            FUZZ_CHECK(results[i].reply.code / 100 == 2 && !results[i].synthetic);
        }
    }
    // "Possibly delivered" only once the content went out.
    bool content_sent = false;
    for (const auto& exchange : exchanges) {
        for (const auto& said : exchange.said) content_sent = content_sent || said.content;
    }
    for (const auto& result : results) {
        FUZZ_CHECK(result.outcome != delivery::RecipientOutcome::possibly_delivered ||
                   content_sent);
    }
    const std::string violation =
        sluice::daemon::delivery::testing::invariant_violation(exchanges, delivered);
    if (!violation.empty()) std::fprintf(stderr, "%s\n", violation.c_str());
    FUZZ_CHECK(violation.empty());
    return 0;
}
