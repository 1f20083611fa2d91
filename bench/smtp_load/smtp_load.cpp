// smtp_load: an SMTP load client for bench/accept. Like smtp-source(1) it runs N parallel sessions
// that each connect, say HELO, send one message (or -d COUNT) and QUIT, without PIPELINING;
// unlike smtp-source it times the reply to the final dot of every message and prints p50/p90/p99.
// One thread, one io_context; each session is one coroutine plus a watchdog that closes its socket
// when a step takes longer than -T seconds. A message that does not get 250 after its dot counts as
// failed (with the reason on stderr, first few only); the exit status is 1 if any failed.
#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bench/smtp_load/latency_summary.hpp"
#include "bench/smtp_load/load_options.hpp"
#include "daemon/asio/nothrow_awaitable.hpp"

namespace sluice::bench {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using sluice::daemon::asio_support::nothrow_awaitable;
constexpr std::size_t kMaxReplyLine = 4096;
constexpr int kMaxErrorsShown = 10;

// What the whole run shares; touched only from the io_context's one thread.
struct RunState {
    const LoadOptions& options;
    tcp::endpoint target;
    std::string header_tail;  // "Date: ...\r\n...\r\n\r\n" after the per-message Message-Id
    std::string body;         // payload followed by ".\r\n"
    long claimed = 0;
    long accepted = 0;
    long failed = 0;
    std::vector<double> latencies_ms;

    bool claim_message() {
        if (claimed >= options.messages) return false;
        ++claimed;
        return true;
    }
    void record_failure(const std::string& why) {
        if (++failed <= kMaxErrorsShown) std::fprintf(stderr, "smtp_load: %s\n", why.c_str());
    }
};

// Lines of 78 characters plus CRLF, each starting with a digit (so no dot-stuffing is ever
// needed), cut to exactly `size` bytes of payload, then the end-of-data line.
std::string make_body(std::size_t size) {
    std::string body;
    body.reserve(size + 8);
    for (int line = 1; body.size() < size; ++line) {
        std::string text(1, static_cast<char>('0' + line % 10));
        text.append(77, 'X');
        text += "\r\n";
        body += text;
    }
    body.resize(size);
    if (body.size() >= 2) body.replace(body.size() - 2, 2, "\r\n");
    if (body.size() < 2 || body.compare(body.size() - 2, 2, "\r\n") != 0) body += "\r\n";
    return body + ".\r\n";
}

std::string make_header_tail(const LoadOptions& options) {
    std::array<char, 64> date{};
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    std::strftime(date.data(), date.size(), "%a, %d %b %Y %H:%M:%S +0000", &utc);
    return "From: <" + options.mail_from + ">\r\nTo: <" + options.rcpt_to +
           ">\r\nDate: " + date.data() + "\r\nSubject: smtp_load\r\n\r\n";
}

// One SMTP session slot: connects again and again until the run's messages are all claimed.
class Session {
  public:
    Session(asio::any_io_executor executor, RunState& run, int index)
        : run_(run), index_(index), socket_(executor), watchdog_(executor) {}

    asio::awaitable<void> run() {
        asio::co_spawn(socket_.get_executor(), watch(), asio::detached);
        while (run_.claim_message()) {
            const std::string error = co_await run_connection();
            if (!error.empty()) {
                run_.record_failure(timed_out_ ? "no reply within the step timeout (" + error + ")"
                                               : error);
                timed_out_ = false;
                boost::system::error_code ignored;
                socket_.close(ignored);
            }
        }
        done_ = true;
        watchdog_.cancel();
    }

  private:
    struct Reply {
        int code = 0;
        std::string text;
    };

    // Closes the socket when the current step outlives its deadline; the pending operation then
    // fails and the session records the message as failed.
    asio::awaitable<void> watch() {
        while (!done_) {
            watchdog_.expires_at(deadline_);
            co_await watchdog_.async_wait(nothrow_awaitable);
            if (!done_ && Clock::now() >= deadline_) {
                boost::system::error_code ignored;
                socket_.close(ignored);
                timed_out_ = true;
                deadline_ = Clock::time_point::max();
            }
        }
    }

    void arm() {
        deadline_ = Clock::now() + run_.options.step_timeout;
        // Deadlines only move later, so a waiting watchdog just sleeps again when it wakes; it
        // needs waking only after it fired (or before the first step), when it waits forever.
        if (watchdog_.expiry() > deadline_) watchdog_.cancel();
    }

    asio::awaitable<Reply> read_reply() {
        Reply reply;
        for (;;) {
            auto [ec, n] = co_await asio::async_read_until(
                socket_, asio::dynamic_buffer(buffer_, kMaxReplyLine), "\r\n", nothrow_awaitable);
            if (ec) {
                reply.text = "read: " + ec.message();
                co_return reply;
            }
            const std::string line = buffer_.substr(0, n - 2);
            buffer_.erase(0, n);
            reply.text = line;
            if (line.size() < 3) co_return reply;
            reply.code = std::atoi(line.substr(0, 3).c_str());
            if (line.size() == 3 || line[3] != '-') co_return reply;
        }
    }

    // Sends `command` (may be empty: just read) and expects a reply of class `want`xx.
    asio::awaitable<std::string> step(const std::string& command, int want, Reply& reply) {
        arm();
        if (!command.empty()) {
            auto [ec, n] =
                co_await asio::async_write(socket_, asio::buffer(command), nothrow_awaitable);
            if (ec) co_return "write " + command.substr(0, 4) + ": " + ec.message();
        }
        reply = co_await read_reply();
        if (reply.code / 100 != want) {
            co_return "after '" + command.substr(0, command.find('\r')) + "': " + reply.text;
        }
        co_return std::string{};
    }

    asio::awaitable<std::string> send_message(long sequence) {
        Reply reply;
        const std::array<std::pair<std::string, int>, 3> envelope{{
            {"MAIL FROM:<" + run_.options.mail_from + ">\r\n", 2},
            {"RCPT TO:<" + run_.options.rcpt_to + ">\r\n", 2},
            {"DATA\r\n", 3},
        }};
        for (const auto& [command, want] : envelope) {
            if (auto error = co_await step(command, want, reply); !error.empty()) co_return error;
        }
        const std::string message_id = "Message-Id: <" + std::to_string(index_) + "." +
                                       std::to_string(sequence) + "@smtp-load.bench.test>\r\n";
        const std::array<asio::const_buffer, 3> data{
            asio::buffer(message_id), asio::buffer(run_.header_tail), asio::buffer(run_.body)};
        arm();
        auto [ec, n] = co_await asio::async_write(socket_, data, nothrow_awaitable);
        if (ec) co_return "write DATA: " + ec.message();
        const auto sent_at = Clock::now();  // the server cannot answer before the dot is out
        reply = co_await read_reply();
        if (reply.code / 100 != 2) co_return "after the final dot: " + reply.text;
        run_.latencies_ms.push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - sent_at).count());
        ++run_.accepted;
        co_return std::string{};
    }

    // One connection: greeting, HELO, up to messages_per_connection messages, QUIT.
    // The first message was already claimed by the caller.
    asio::awaitable<std::string> run_connection() {
        buffer_.clear();
        arm();
        auto [connect_ec] = co_await socket_.async_connect(run_.target, nothrow_awaitable);
        if (connect_ec) co_return "connect: " + connect_ec.message();
        const auto& options = run_.options;
        Reply reply;
        if (auto error = co_await step("", 2, reply); !error.empty())
            co_return "greeting: " + error;
        const std::string hello = (options.use_ehlo ? "EHLO " : "HELO ") + options.helo_name;
        if (auto error = co_await step(hello + "\r\n", 2, reply); !error.empty()) co_return error;
        for (long sent = 1;; ++sent) {
            if (auto error = co_await send_message(++sequence_); !error.empty()) co_return error;
            if (sent >= options.messages_per_connection || !run_.claim_message()) break;
        }
        // A missing 221 loses no message; still worth knowing about, so it counts as an error.
        if (auto error = co_await step("QUIT\r\n", 2, reply); !error.empty()) co_return error;
        boost::system::error_code ignored;
        socket_.close(ignored);
        co_return std::string{};
    }

    RunState& run_;
    int index_;
    long sequence_ = 0;
    tcp::socket socket_;
    asio::steady_timer watchdog_;
    Clock::time_point deadline_ = Clock::time_point::max();
    bool done_ = false;
    bool timed_out_ = false;
    std::string buffer_;
};

int run_load(const LoadOptions& options) {
    asio::io_context io(1);
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(options.host, ec);
    if (ec) {
        std::fprintf(stderr, "smtp_load: %s is not a numeric address\n", options.host.c_str());
        return 2;
    }
    RunState run{options,
                 tcp::endpoint(address, options.port),
                 make_header_tail(options),
                 make_body(options.payload_size),
                 0,
                 0,
                 0,
                 {}};
    run.latencies_ms.reserve(static_cast<std::size_t>(options.messages));
    std::vector<std::unique_ptr<Session>> sessions;
    for (int i = 0; i < options.sessions; ++i) {
        sessions.push_back(std::make_unique<Session>(io.get_executor(), run, i));
        asio::co_spawn(io, sessions.back()->run(), asio::detached);
    }
    const auto started = Clock::now();
    io.run();
    const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
    const LatencySummary latency = summarize_latencies(run.latencies_ms);
    std::printf(
        "sessions=%d messages=%ld accepted=%ld failed=%ld elapsed_s=%.3f rate=%.1f "
        "p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
        options.sessions, options.messages, run.accepted, run.failed, elapsed,
        static_cast<double>(run.accepted) / elapsed, latency.p50_ms, latency.p90_ms, latency.p99_ms,
        latency.max_ms);
    return run.failed == 0 && run.accepted == options.messages ? 0 : 1;
}

}  // namespace
}  // namespace sluice::bench

int main(int argc, char** argv) {
    using namespace sluice::bench;
    const auto parsed = parse_load_options(argc, argv);
    if (std::holds_alternative<ShowUsage>(parsed)) {
        std::fputs(kLoadUsage, stdout);
        return 0;
    }
    if (const auto* error = std::get_if<LoadOptionsError>(&parsed)) {
        std::fprintf(stderr, "smtp_load: %s\n%s", error->message.c_str(), kLoadUsage);
        return 2;
    }
    return run_load(std::get<LoadOptions>(parsed));
}
