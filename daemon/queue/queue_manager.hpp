// The queue manager: loads the recovered spool at start-up, takes every newly spooled message,
// and delivers it under the sending policy. Recipients are routed to destination queues (ISP or
// site of the long tail x source, RecipientRouter) and wait in DeliveryQueues; a scheduler
// coroutine wakes at the earliest retry time, rate-limit opening or lock expiry and starts a
// DeliveryWorker (delivery_worker.hpp) per outbound connection that AdmissionControl admits
// (strategy limits, locks, holds) — no thread per queue. Every unfinished message is also watched
// for expiry (expiry_sweep.cpp), so a recipient expires on time wherever it waits. A reload
// re-routes ready work under the new rules. Lives on the io thread; App owns it.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "daemon/acclog/accounting_log.hpp"
#include "daemon/dns/resolver.hpp"
#include "daemon/log/logger.hpp"
#include "daemon/queue/core/admission.hpp"
#include "daemon/queue/core/delivery_queues.hpp"
#include "daemon/queue/core/destination_registry.hpp"
#include "daemon/queue/core/expiry_watch.hpp"
#include "daemon/queue/core/recipient_router.hpp"
#include "daemon/queue/delivery_worker.hpp"
#include "daemon/queue/hold_store.hpp"
#include "daemon/queue/outcome_recorder.hpp"
#include "daemon/queue/queue_services.hpp"
#include "daemon/queue/warmup_ledger.hpp"
#include "daemon/spool/recovery.hpp"
#include "daemon/spool/spool_writer.hpp"
#include "policy/config/model.hpp"
#include "policy/engine/compiled_policy.hpp"

namespace sluice::daemon::queue {

// What an admin operation applies to: the whole node (isp empty), every queue of a destination
// (source empty; an ISP, which covers its sites, or one site "default:mx.example.net"), or one
// queue (destination x source).
struct AdminScope {
    std::string isp;
    std::string source;
};

struct ClearCount {
    std::size_t recipients = 0;
    std::size_t messages = 0;
};

class QueueManager {
  public:
    QueueManager(boost::asio::any_io_executor executor, QueueServices services);

    // Starts loading `recovered` (in the background) and delivering.
    void start(spool::RecoveryResult recovered);
    // A message was durably spooled (by a session or as a DSN): queue it. `header_pool` is the
    // pool its control header named ("" if none).
    void message_spooled(const spool::Envelope& envelope, const std::string& header_pool = {});
    // The config and policy were reloaded: apply the new rules to queues and queued mail.
    void reconfigure();
    // Stops starting new work (shutdown); connections in flight are left to the io_context.
    void stop();

    [[nodiscard]] std::size_t active_connections() const { return total_active_; }
    [[nodiscard]] const DestinationRegistry& registry() const { return registry_; }
    [[nodiscard]] const AdmissionControl& admission() const { return admission_; }
    [[nodiscard]] const DeliveryQueues& delivery_queues() const { return queues_; }
    // The destination (DestinationQueue::destination) mail for `domain` goes to as last known;
    // nullopt while its MX hosts were not looked up (the status endpoint's domain filter).
    [[nodiscard]] std::optional<std::string> destination_of_domain(const std::string& domain) const;

    // Admin operations (the status endpoint). Hold and release take effect at once (open
    // connections stop after their current message) and are saved to the holds file before
    // they return; the error is the save's. Releasing an ISP also releases its queues;
    // releasing the node lifts only the node-wide hold.
    boost::asio::awaitable<std::error_code> hold(AdminScope scope);
    boost::asio::awaitable<std::error_code> release(AdminScope scope);
    // Lifts the locks in scope; whether there was any.
    bool unlock(const AdminScope& scope);
    // Removes the queued (ready and waiting) recipients in scope; those in flight finish their
    // attempt. Each gets a final "admin-cleared" accounting record, and with ClearDsn::yes its
    // sender a DSN (OutcomeRecorder::clear).
    boost::asio::awaitable<ClearCount> clear(AdminScope scope, ClearDsn dsn);
    [[nodiscard]] HoldSet holds() const;
    // Recipients accepted, not final, not in flight and past their deadline by more than a
    // second: 0 unless expiry is broken (the status endpoint shows it). Looks at every
    // unfinished message up to 100 000 of them, beyond that at those whose watch is due.
    [[nodiscard]] std::size_t past_lifetime(std::int64_t now_unix);

  private:
    boost::asio::awaitable<void> load(spool::RecoveryResult recovered);
    boost::asio::awaitable<void> schedule_loop();
    boost::asio::awaitable<void> look_up_mx(std::string domain);
    void add(const MessagePtr& message);
    // When recipient `index` expires under its ISP's retry rule; nullopt while its ISP is not
    // known (an MX lookup for rollup is pending). No side effects.
    [[nodiscard]] std::optional<std::int64_t> deadline_of(const QueuedMessage& message,
                                                          std::uint32_t index) const;
    // When the expiry sweep must first look at `message`: arrival + the shortest lifetime of
    // any retry rule (no recipient expires before it), or arrival + delivery.delay_warning if
    // that is earlier and the message has a sender to warn.
    [[nodiscard]] std::int64_t first_look(const QueuedMessage& message) const;
    // That shortest lifetime, worked out once per policy (seconds::max() without any rule).
    [[nodiscard]] static std::chrono::seconds shortest_lifetime(
        const policy::engine::CompiledPolicy& policy);
    // Expires every waiting recipient past its deadline and sends the delay warnings due
    // (expiry_sweep.cpp).
    void expire_due(std::int64_t now_unix);
    // Whether recipient `index`, not yet warned, is owed a delay warning at some point.
    [[nodiscard]] bool wants_delay_warning(const QueuedMessage& message, std::uint32_t index) const;
    // Spools the delay warnings of `warned` (taken out of the queues) and queues them again.
    void send_delay_warnings(std::vector<OutcomeRecorder::DelayWarning> warned);
    // Once a minute: reclaims the site queues idle for a while (DestinationRegistry).
    void reclaim_idle_queues(std::int64_t now);
    void start_workers(const QueueKey& key);
    // `queue`'s source spent its warm-up cap: with over_cap = warm_sources its ready work is
    // routed again (through a warm source of the pool), else it waits for the next day.
    void overflow(const DestinationQueue& queue);
    // The warm-up counts saved before the restart (throws when the file cannot be read).
    void restore_warmup_counts();
    // Saves today's warm-up counts (warmup_ledger.hpp) on the blocking pool.
    boost::asio::awaitable<std::error_code> save_warmup();
    void start_lookups();
    void wake_scheduler();
    void wake_at(Instant when);
    [[nodiscard]] Router router();
    [[nodiscard]] static bool in_scope(const AdminScope& scope, const QueueKey& key);
    boost::asio::awaitable<std::error_code> save_holds();

    boost::asio::any_io_executor executor_;
    QueueServices services_;
    DestinationRegistry registry_;
    AdmissionControl admission_;
    RecipientRouter router_;
    DeliveryQueues queues_;
    ExpiryWatch expiry_;  // every unfinished message, by when to look at its deadlines
    std::int64_t next_expiry_sweep_ = 0;
    std::int64_t next_reclaim_ = 0;
    std::chrono::seconds shortest_lifetime_;             // of the current policy's retry rules
    std::optional<std::chrono::seconds> delay_warning_;  // delivery.delay_warning, if set
    std::int64_t warnings_resume_ = 0;  // none before this: a delay DSN could not be spooled
    OutcomeRecorder recorder_;
    boost::asio::steady_timer wakeup_;
    std::optional<Instant> rate_wake_;  // the earliest moment a rate-limited queue may go
    unsigned total_active_ = 0;
    bool stopped_ = false;
    std::mt19937_64 rng_;
    WorkerContext workers_;  // what each DeliveryWorker uses of the above
    HoldFile hold_file_;
    std::uint64_t hold_generation_ = 0;
    WarmupLedger warmup_ledger_;
    std::uint64_t warmup_generation_ = 0;
};

}  // namespace sluice::daemon::queue
