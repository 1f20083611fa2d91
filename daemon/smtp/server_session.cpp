#include "daemon/smtp/server_session.hpp"

#include <algorithm>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>

#include "daemon/asio/nothrow_awaitable.hpp"
#include "daemon/clock/wall_clock.hpp"
#include "daemon/smtp/content_deadline.hpp"
#include "daemon/smtp/data_reader.hpp"
#include "daemon/smtp/dialogue.hpp"
#include "daemon/smtp/header_fields.hpp"
#include "daemon/smtp/input_buffer.hpp"
#include "daemon/smtp/spool_commit.hpp"
#include "daemon/smtp/trace_headers.hpp"
#include "daemon/tls/tls_summary.hpp"
#include "policy/net/cidr.hpp"
#include "policy/text/ascii.hpp"

namespace sluice::daemon::smtp {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {
using asio_support::nothrow_awaitable;
constexpr std::size_t kInputCapacity = 64 * 1024;
constexpr std::size_t kMaxPendingOutput = 64 * 1024;
constexpr std::chrono::milliseconds kTlsShutdownTimeout{2000};

// A client-chosen name, safe for one log line.
std::string printable(std::string_view text) {
    std::string out(text.substr(0, 64));
    for (char& c : out) {
        if ((c >= 0 && c < 32) || c == 127) c = '?';
    }
    return out;
}

bool starts_with_mail_verb(std::string_view line) {
    return policy::text::istarts_with(line, "MAIL");
}

// relay_networks decides whether the client may hand us mail for any recipient.
bool client_may_relay(const policy::config::Config& config, const std::string& address) {
    auto parsed = policy::net::IpAddress::parse(address);
    return parsed && policy::net::any_contains(config.smtp.relay_networks, *parsed);
}

// A listener whose TLS cannot be set up (no certificate loaded) offers none.
policy::config::ListenerTls effective_tls(const policy::config::Listener& listener,
                                          const tls::ContextPtr& context) {
    return context ? listener.tls : policy::config::ListenerTls::none;
}

DialogueSettings dialogue_settings(const policy::config::Config& config, bool may_relay,
                                   policy::config::ListenerTls tls,
                                   policy::config::ListenerAuth auth) {
    return {config.hostname,
            config.smtp.max_message_size,
            config.smtp.max_recipients,
            config.smtp.max_errors,
            config.smtp.bare_line_endings,
            may_relay,
            tls,
            auth,
            config.smtp.auth_max_failures,
            config.smtp.auth_failure_delay};
}

// AUTH needs TLS and a user table; without either the listener offers none.
policy::config::ListenerAuth effective_auth(const policy::config::Listener& listener,
                                            policy::config::ListenerTls tls,
                                            const SessionSecurity* security) {
    const bool usable = tls != policy::config::ListenerTls::none && security && security->users;
    return usable ? listener.auth : policy::config::ListenerAuth::none;
}

class ServerSession final : public StoppableSession {
  public:
    ServerSession(tcp::socket socket, std::shared_ptr<const policy::config::Config> config,
                  const policy::config::Listener& listener, std::string client_address,
                  SessionServices& services)
        : socket_(std::move(socket)),
          watchdog_timer_(socket_.get_executor()),
          config_(std::move(config)),
          services_(services),
          security_(services.security ? services.security() : nullptr),
          tls_mode_(effective_tls(listener, security_ ? security_->server_tls : nullptr)),
          client_address_(std::move(client_address)),
          input_(kInputCapacity),
          dialogue_(
              dialogue_settings(*config_, client_may_relay(*config_, client_address_), tls_mode_,
                                effective_auth(listener, tls_mode_, security_.get())),
              client_address_, listener.name),
          registration_(services.registry.add(*this)) {
        watchdog_timer_.expires_at(Clock::time_point::max());
    }

    ~ServerSession() override { services_.registry.remove(registration_); }

    awaitable<void> run() {
        using namespace asio::experimental::awaitable_operators;
        co_await (converse_guarded() || watchdog());
        boost::system::error_code ignored;
        socket_.shutdown(tcp::socket::shutdown_both, ignored);
        socket_.close(ignored);
    }

    void request_stop() override {
        stop_requested_ = true;
        // Only a session idle between transactions is interrupted; others finish first.
        // (and only its read: a reply being written still goes out).
        if (waiting_for_command_ && reading_ && !dialogue_.in_transaction()) socket_.cancel();
    }

    void force_close() override {
        boost::system::error_code ignored;
        socket_.close(ignored);
    }

  private:
    enum class ReadResult { ok, closed, timed_out, stopped };

    awaitable<void> converse();
    awaitable<void> converse_guarded();
    awaitable<void> watchdog();
    awaitable<ReadResult> read_more(std::chrono::milliseconds timeout);
    awaitable<bool> start_tls();
    awaitable<void> pause(std::chrono::milliseconds delay);
    Step check_credentials(const Credentials& credentials);
    awaitable<void> shutdown_tls();
    awaitable<std::tuple<boost::system::error_code, std::size_t>> read_some(
        asio::mutable_buffer buffer);
    awaitable<boost::system::error_code> write_all(std::string_view bytes);
    awaitable<bool> flush();
    awaitable<bool> read_more_content(ContentDeadline& deadline);
    awaitable<bool> read_data();
    awaitable<bool> read_bdat_chunk(std::uint64_t size);
    awaitable<void> conclude(Dialogue::DataVerdict verdict);
    awaitable<void> say_and_close(const Reply& reply);
    void queue(const Reply& reply) { output_ += reply.to_wire(); }
    [[nodiscard]] Reply timeout_reply() const {
        return {421, "4.4.2", config_->hostname + " Error: timeout exceeded"};
    }
    void set_deadline(std::chrono::milliseconds timeout);
    [[nodiscard]] static std::chrono::milliseconds time_left(Clock::time_point deadline);
    [[nodiscard]] ContentDeadline content_deadline() const {
        return {Clock::now(), config_->smtp.data_timeout, config_->smtp.min_data_rate};
    }
    SpoolRoom spool_room() const;

    tcp::socket socket_;
    asio::steady_timer watchdog_timer_;
    Clock::time_point deadline_ = Clock::time_point::max();
    // When the command line being read must be complete (idle_timeout after the previous one).
    Clock::time_point line_deadline_ = Clock::time_point::max();
    std::shared_ptr<const policy::config::Config> config_;
    SessionServices& services_;
    std::shared_ptr<const SessionSecurity> security_;  // this session's snapshot
    policy::config::ListenerTls tls_mode_;
    // Set once the handshake starts; from then on every byte goes through it.
    std::unique_ptr<asio::ssl::stream<tcp::socket&>> tls_;
    std::string tls_description_;  // for Received:, once TLS is up
    std::string client_address_;
    InputBuffer input_;
    std::string output_;
    Dialogue dialogue_;
    SessionRegistry::Handle registration_;
    bool stop_requested_ = false;
    bool waiting_for_command_ = false;
    bool reading_ = false;  // an async_read_some is outstanding
    bool timed_out_ = false;
};

awaitable<void> ServerSession::converse() {
    const auto& smtp = config_->smtp;
    // RFC 8314 §3.3: on an implicit-TLS port the handshake comes before the greeting.
    if (tls_mode_ == policy::config::ListenerTls::implicit) {
        const bool secured = co_await start_tls();  // not "a && co_await b" (GCC 12)
        if (!secured) co_return;
    }
    queue(dialogue_.greeting());
    line_deadline_ = Clock::now() + smtp.idle_timeout;
    for (;;) {
        if (stop_requested_ && !dialogue_.in_transaction()) {
            const Reply bye{421, "4.3.2", config_->hostname + " Service shutting down"};
            co_return co_await say_and_close(bye);
        }
        std::string_view line;
        const auto status = input_.take_line(smtp.max_line_length, line);
        if (status == InputBuffer::LineStatus::need_more) {
            waiting_for_command_ = true;
            const auto result = co_await read_more(time_left(line_deadline_));
            waiting_for_command_ = false;
            if (result == ReadResult::timed_out) {
                const Reply timeout = timeout_reply();
                co_return co_await say_and_close(timeout);
            }
            if (result == ReadResult::closed) co_return;
            continue;  // ok, or stopped: the loop head decides
        }
        Step step = status == InputBuffer::LineStatus::too_long
                        ? dialogue_.on_line_too_long()
                        : dialogue_.on_command(
                              line, starts_with_mail_verb(line) ? spool_room() : SpoolRoom::enough);
        if (step.action == Step::Action::check_credentials) {
            step = check_credentials(*step.credentials);
        }
        if (step.delay.count() > 0) co_await pause(step.delay);
        switch (step.action) {
            case Step::Action::reply:
                queue(step.reply);
                break;
            case Step::Action::check_credentials:
                break;  // replaced just above
            case Step::Action::auth_challenge:
                // The client had to wait for the 334: lines it sent before are not the
                // response (a command pipelined after AUTH must not become the password).
                if (!input_.empty()) {
                    const Reply refusal{554, "5.5.0", "Error: SMTP protocol synchronization"};
                    co_return co_await say_and_close(refusal);
                }
                queue(step.reply);
                break;
            case Step::Action::close:
                co_return co_await say_and_close(step.reply);
            case Step::Action::read_data:
                // RFC 2920 §3.1: DATA ends a pipelined group; bytes sent before our 354
                // must not become message content.
                if (!input_.empty()) {
                    const Reply refusal{554, "5.5.0", "Error: SMTP protocol synchronization"};
                    co_return co_await say_and_close(refusal);
                }
                queue(step.reply);
                if (!co_await read_data()) co_return;
                break;
            case Step::Action::read_bdat_chunk:
                if (!co_await read_bdat_chunk(step.chunk_size)) co_return;
                break;
            case Step::Action::start_tls:
                queue(step.reply);
                if (!co_await flush()) co_return;
                // CVE-2011-0411: commands pipelined after STARTTLS were sent in clear text and
                // may be a man in the middle's; none of them may run inside the TLS session.
                input_.clear();
                if (const bool secured = co_await start_tls(); !secured) co_return;
                break;
        }
        // The idle timeout bounds each whole command line, counted from the end of the previous
        // command (Postfix's smtpd_per_record_deadline), not each read: a client that trickles
        // one byte at a time (slowloris) cannot hold a session open forever.
        line_deadline_ = Clock::now() + smtp.idle_timeout;
        if (dialogue_.error_limit_reached()) {
            const Reply enough = dialogue_.too_many_errors();
            co_return co_await say_and_close(enough);
        }
        // A client pipelining many cheap commands must not grow the reply buffer unbounded.
        if (output_.size() > kMaxPendingOutput && !co_await flush()) co_return;
    }
}

// Boost 1.81's "||" waits for the first *successful* branch: if converse() threw, the watchdog
// would never be cancelled and the session would hang; so an exception ends it normally here.
awaitable<void> ServerSession::converse_guarded() {
    try {
        co_await converse();
        if (tls_) co_await shutdown_tls();
    } catch (const std::exception& e) {
        services_.logger.error("session with [{}] ended by exception: {}", client_address_,
                               e.what());
    }
}

// crypt_r on the io thread: a few milliseconds per attempt, and attempts are rate-limited by the
// failure delay and limit.
Step ServerSession::check_credentials(const Credentials& credentials) {
    const auto& users = security_->users;  // present: AUTH is offered only with a table
    const bool valid = users && users->verify(credentials.user, credentials.password);
    services_.logger.info("AUTH from [{}] as \"{}\": {}", client_address_,
                          printable(credentials.user), valid ? "accepted" : "refused");
    return dialogue_.credentials_checked(valid);
}

awaitable<void> ServerSession::pause(std::chrono::milliseconds delay) {
    if (!co_await flush()) co_return;  // earlier replies are not held back
    asio::steady_timer timer(socket_.get_executor(), delay);
    auto [ec] = co_await timer.async_wait(nothrow_awaitable);
    (void)ec;
}

// close_notify before the TCP close (OpenSSL 3 clients report a bare close as an error), with a
// short wait for the client's own close_notify; a peer that never answers costs that wait only.
awaitable<void> ServerSession::shutdown_tls() {
    if (!socket_.is_open()) co_return;
    set_deadline(kTlsShutdownTimeout);
    auto [ec] = co_await tls_->async_shutdown(nothrow_awaitable);
    (void)ec;  // eof, a short read or a timeout: the connection is closed next anyway
}

// More message content before `deadline` (data_timeout and min_data_rate); false when the
// session must end (a timeout has then been answered with 421).
awaitable<bool> ServerSession::read_more_content(ContentDeadline& deadline) {
    const std::size_t before = input_.pending().size();
    const auto result = co_await read_more(time_left(deadline.deadline()));
    if (result == ReadResult::ok) deadline.received(input_.pending().size() - before, Clock::now());
    if (result == ReadResult::timed_out) {
        const Reply timeout = timeout_reply();
        co_await say_and_close(timeout);
    }
    co_return result == ReadResult::ok;
}

awaitable<bool> ServerSession::read_data() {
    DataReader reader(config_->smtp.max_message_size);
    ContentDeadline deadline = content_deadline();
    for (;;) {
        const std::size_t used = reader.consume(input_.pending());
        input_.consume(used);
        if (reader.done()) break;
        if (!co_await read_more_content(deadline)) co_return false;
    }
    const bool too_large = reader.too_large();
    const bool bare = reader.saw_bare_line_ending();
    // Named, not a temporary inside co_await (GCC 12 may destroy those twice).
    Dialogue::DataVerdict verdict = dialogue_.finish_data(reader.take_content(), too_large, bare);
    co_await conclude(std::move(verdict));
    co_return true;
}

awaitable<bool> ServerSession::read_bdat_chunk(std::uint64_t size) {
    std::uint64_t remaining = size;
    ContentDeadline deadline = content_deadline();
    while (remaining > 0) {
        if (input_.empty()) {
            if (!co_await read_more_content(deadline)) co_return false;
            continue;
        }
        const auto pending = input_.pending();
        const auto take =
            static_cast<std::size_t>(std::min<std::uint64_t>(remaining, pending.size()));
        dialogue_.take_bdat_bytes(pending.substr(0, take));
        input_.consume(take);
        remaining -= take;
    }
    Dialogue::DataVerdict verdict = dialogue_.finish_bdat_chunk();
    co_await conclude(std::move(verdict));
    co_return true;
}

awaitable<void> ServerSession::conclude(Dialogue::DataVerdict verdict) {
    if (!verdict.message) {
        queue(verdict.reply);
        co_return;
    }
    auto& accepted = *verdict.message;
    auto& envelope = accepted.envelope;
    envelope.arrival_unix_us = clock::now_unix_us();
    envelope.queue_id = services_.queue_ids.next(envelope.arrival_unix_us);

    TraceInfo trace{config_->hostname,
                    envelope.client_address,
                    envelope.client_name,
                    envelope.helo,
                    envelope.protocol,
                    envelope.queue_id,
                    envelope.recipients.size() == 1 ? envelope.recipients.front().address : "",
                    envelope.arrival_unix_us,
                    tls_description_};
    const spool::Envelope spooled_envelope = envelope;  // for the queue, once durable
    const std::string header_pool = header_value(accepted.content, config_->policy.pool_header);
    spool::SpooledMessage message{
        std::move(envelope), add_trace_headers(trace, accepted.content), {}};
    const std::string queue_id = message.envelope.queue_id;
    const std::string summary = fmt::format(
        "{}: client=[{}] from=<{}> nrcpt={} size={}", queue_id, client_address_,
        message.envelope.sender, message.envelope.recipients.size(), message.content.size());

    const std::error_code ec =
        co_await async_spool(services_.spool, std::move(message), asio::use_awaitable);
    if (ec) {
        services_.logger.error("{} refused: spool: {}", summary, ec.message());
        queue(Dialogue::commit_failed());
    } else {
        services_.logger.info("{} queued", summary);
        queue(dialogue_.committed(queue_id));
        if (services_.message_spooled) services_.message_spooled(spooled_envelope, header_pool);
    }
}

awaitable<ServerSession::ReadResult> ServerSession::read_more(std::chrono::milliseconds timeout) {
    if (!co_await flush()) co_return ReadResult::closed;
    if (input_.writable_size() == 0) co_return ReadResult::ok;  // the caller consumes first
    if (stop_requested_ && waiting_for_command_ && !dialogue_.in_transaction()) {
        co_return ReadResult::stopped;  // asked to stop while the replies were being written
    }
    set_deadline(timeout);
    reading_ = true;
    auto [ec, n] = co_await read_some(asio::buffer(input_.writable_data(), input_.writable_size()));
    reading_ = false;
    if (!ec) {
        input_.commit(n);
        co_return ReadResult::ok;
    }
    if (ec == asio::error::operation_aborted) {
        if (timed_out_) co_return ReadResult::timed_out;
        if (stop_requested_) co_return ReadResult::stopped;
    }
    co_return ReadResult::closed;
}

awaitable<bool> ServerSession::flush() {
    if (output_.empty()) co_return true;
    set_deadline(config_->smtp.idle_timeout);
    const auto ec = co_await write_all(output_);
    output_.clear();
    co_return !ec;
}

// The server handshake under the idle timeout; false when it failed (the session then ends:
// nothing can be said to a client whose TLS is broken).
awaitable<bool> ServerSession::start_tls() {
    if (!security_ || !security_->server_tls) co_return false;
    tls_ = std::make_unique<asio::ssl::stream<tcp::socket&>>(socket_, *security_->server_tls);
    set_deadline(config_->smtp.idle_timeout);
    auto [ec] = co_await tls_->async_handshake(asio::ssl::stream_base::server, nothrow_awaitable);
    if (ec) {
        services_.logger.info("TLS handshake with [{}] failed: {}", client_address_,
                              timed_out_ ? "timed out" : ec.message());
        co_return false;
    }
    tls_description_ = tls::describe_tls(tls_->native_handle()).to_string();
    services_.logger.info("TLS with [{}]: {}", client_address_, tls_description_);
    dialogue_.tls_started();
    co_return true;
}

// The two transports: plain TCP until the handshake, TLS after it. (if/else, not "?:": GCC 12
// mishandles co_await in conditional expressions.)
awaitable<std::tuple<boost::system::error_code, std::size_t>> ServerSession::read_some(
    asio::mutable_buffer buffer) {
    if (tls_) co_return co_await tls_->async_read_some(buffer, nothrow_awaitable);
    co_return co_await socket_.async_read_some(buffer, nothrow_awaitable);
}

awaitable<boost::system::error_code> ServerSession::write_all(std::string_view bytes) {
    if (tls_) {
        auto [ec, n] = co_await asio::async_write(*tls_, asio::buffer(bytes), nothrow_awaitable);
        co_return ec;
    }
    auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(bytes), nothrow_awaitable);
    co_return ec;
}

awaitable<void> ServerSession::say_and_close(const Reply& reply) {
    queue(reply);
    timed_out_ = false;
    co_await flush();
}

std::chrono::milliseconds ServerSession::time_left(Clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return std::max(left, std::chrono::milliseconds(0));
}

void ServerSession::set_deadline(std::chrono::milliseconds timeout) {
    timed_out_ = false;  // a watchdog alarm while no I/O was pending is stale now
    deadline_ = Clock::now() + timeout;
    // Wake the watchdog early only when the new deadline comes before its alarm.
    if (deadline_ < watchdog_timer_.expiry()) watchdog_timer_.expires_at(deadline_);
}

awaitable<void> ServerSession::watchdog() {
    for (;;) {
        watchdog_timer_.expires_at(deadline_);
        auto [ec] = co_await watchdog_timer_.async_wait(nothrow_awaitable);
        auto state = co_await asio::this_coro::cancellation_state;
        if (state.cancelled() != asio::cancellation_type::none) co_return;
        if (ec == asio::error::operation_aborted) continue;  // re-armed earlier
        if (Clock::now() >= deadline_) {
            timed_out_ = true;
            deadline_ = Clock::time_point::max();
            socket_.cancel();
        }
    }
}

SpoolRoom ServerSession::spool_room() const {
    std::uint64_t free_bytes = 0;
    if (services_.spool.free_space(free_bytes)) return SpoolRoom::low;  // unknown: be careful
    return free_bytes < config_->spool_free_space_floor() ? SpoolRoom::low : SpoolRoom::enough;
}

}  // namespace

awaitable<void> serve_smtp_session(tcp::socket socket,
                                   std::shared_ptr<const policy::config::Config> config,
                                   policy::config::Listener listener,
                                   SessionRegistry::Admission admission,
                                   SessionServices& services) {
    boost::system::error_code ec;
    const auto remote = socket.remote_endpoint(ec);
    if (ec) co_return;  // the client left before we looked
    std::string client_address = remote.address().to_string();
    if (remote.address().is_v6() && remote.address().to_v6().is_v4_mapped()) {
        client_address =
            asio::ip::make_address_v4(asio::ip::v4_mapped, remote.address().to_v6()).to_string();
    }
    services.logger.info("connect from [{}] on {}", client_address, listener.name);
    ServerSession session(std::move(socket), std::move(config), listener, client_address, services);
    co_await session.run();
    services.logger.info("disconnect from [{}]", client_address);
    (void)admission;  // released when this frame ends
}

}  // namespace sluice::daemon::smtp
