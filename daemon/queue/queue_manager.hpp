// The queue manager: loads the recovered spool at start-up, takes every newly spooled message,
// and delivers them. Recipients are grouped per destination domain (DeliveryQueues); a
// scheduler coroutine wakes at the earliest retry time and starts delivery workers (one
// coroutine per outbound connection, bounded per destination and in total) — no thread per
// queue. Workers route (static route or MX), connect, send as many ready messages as the
// connection may carry (RSET between them) and hand every result to the OutcomeRecorder.
// Lives on the io thread; App owns it.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>

#include "daemon/acclog/accounting_log.hpp"
#include "daemon/dns/resolver.hpp"
#include "daemon/log/logger.hpp"
#include "daemon/queue/delivery_queues.hpp"
#include "daemon/queue/outcome_recorder.hpp"
#include "daemon/spool/recovery.hpp"
#include "daemon/spool/spool_writer.hpp"
#include "policy/config/model.hpp"

namespace sluice::daemon::queue {

struct QueueServices {
    std::function<std::shared_ptr<const policy::config::Config>()> config;
    std::filesystem::path queue_dir;
    spool::SpoolWriter& spool;
    spool::QueueIdGenerator& queue_ids;
    dns::Resolver& resolver;
    acclog::AccountingLog& accounting;
    boost::asio::thread_pool& blocking;
    log::Logger& logger;
    // The content to send for a message leaving through `pool` ("" until pools exist): the
    // spooled content with its DKIM-Signature fields prepended (App wires dkim::Signer here).
    // Called on the blocking pool, so it must be thread-safe.
    std::function<std::string(std::string_view content, std::string_view pool)> dkim_sign;
};

class QueueManager {
public:
    QueueManager(boost::asio::any_io_executor executor, QueueServices services);

    // Starts loading `recovered` (in the background) and delivering.
    void start(spool::RecoveryResult recovered);
    // A message was durably spooled (by a session or as a DSN): queue it.
    void message_spooled(const spool::Envelope& envelope);
    // Stops starting new work (shutdown); connections in flight are left to the io_context.
    void stop();

    [[nodiscard]] std::size_t active_connections() const { return total_active_; }

private:
    boost::asio::awaitable<void> load(spool::RecoveryResult recovered);
    boost::asio::awaitable<void> schedule_loop();
    boost::asio::awaitable<void> run_worker(std::string domain);
    void add(const MessagePtr& message);
    void start_workers(const std::string& domain);
    void wake_scheduler();

    boost::asio::any_io_executor executor_;
    QueueServices services_;
    DeliveryQueues queues_;
    OutcomeRecorder recorder_;
    boost::asio::steady_timer wakeup_;
    std::unordered_map<std::string, unsigned> active_per_domain_;
    unsigned total_active_ = 0;
    bool stopped_ = false;
    std::mt19937_64 rng_;
};

}  // namespace sluice::daemon::queue
