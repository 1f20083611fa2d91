// One inbound SMTP connection: the coroutine shell around Dialogue. It reads commands and
// message content, enforces the idle and data timeouts and the line limit, answers pipelined
// commands in order (replies are flushed before the session waits for input), hands accepted
// messages to the spool and answers 250 only once the spool reports them durable.
// Runs on the io thread; owned by the coroutine started by the listener.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <memory>
#include <string>

#include "daemon/log/logger.hpp"
#include "daemon/smtp/session_registry.hpp"
#include "daemon/smtp/session_security.hpp"
#include "daemon/spool/queue_id.hpp"
#include "daemon/spool/spool_writer.hpp"
#include "policy/config/model.hpp"

namespace sluice::daemon::smtp {

// The long-lived services a session uses; all outlive every session.
struct SessionServices {
    spool::SpoolWriter& spool;
    spool::QueueIdGenerator& queue_ids;
    SessionRegistry& registry;
    log::Logger& logger;
    // Told of every message once it is durable (the queue manager queues it for delivery), with
    // the pool its control header names ("" if none).
    std::function<void(const spool::Envelope&, const std::string& header_pool)> message_spooled;
    // The current certificate (and users); each session takes a snapshot when it starts.
    std::function<std::shared_ptr<const SessionSecurity>()> security;
};

// Converses with the client on `socket` until QUIT, an error, a timeout or shutdown; with
// implicit TLS the handshake comes first, with STARTTLS when the client asks (the listener's
// `tls`). `admission` is the connection slot the listener obtained; it is released on return.
boost::asio::awaitable<void> serve_smtp_session(
    boost::asio::ip::tcp::socket socket, std::shared_ptr<const policy::config::Config> config,
    policy::config::Listener listener, SessionRegistry::Admission admission,
    SessionServices& services);

}  // namespace sluice::daemon::smtp
