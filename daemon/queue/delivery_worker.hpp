// One outbound connection of a destination queue, from its source to one domain's MX hosts
// (opened by delivery/destination_connector.hpp), carrying as many of that domain's ready
// messages as the strategy and the rate limits allow: paced by admission, each message prepared
// by delivery/message_preparation.hpp, sent, and its results handed to the OutcomeRecorder; what
// the queue learns (counters, locks, adaptive speed) is applied here. The queue manager starts
// one per admitted connection. io thread only.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "daemon/delivery/client_connection.hpp"
#include "daemon/queue/core/admission.hpp"
#include "daemon/queue/core/attempt_outcome.hpp"
#include "daemon/queue/core/delivery_queues.hpp"
#include "daemon/queue/core/destination_registry.hpp"
#include "daemon/queue/outcome_recorder.hpp"
#include "daemon/queue/queue_services.hpp"

namespace sluice::daemon::queue {

// What a worker uses of the queue manager's state; the manager outlives every worker.
struct WorkerContext {
    boost::asio::any_io_executor executor;
    const QueueServices& services;
    DestinationRegistry& registry;
    AdmissionControl& admission;
    DeliveryQueues& queues;
    OutcomeRecorder& recorder;
    std::mt19937_64& rng;
    const bool& stopped;                   // shutdown: start nothing new
    std::function<void()> wake_scheduler;  // capacity or work changed
    std::function<void(Instant)> wake_at;  // a rate-limited queue may go then
    // Saves the warm-up counts durably (warmup_ledger.hpp); the error is the save's.
    std::function<boost::asio::awaitable<std::error_code>()> save_warmup;
};

class DeliveryWorker {
  public:
    // A worker for `key`'s queue under the config and policy of now: a reload does not change
    // an open connection's rules.
    DeliveryWorker(WorkerContext& context, QueueKey key);

    // Connects for the queue's next batch, then sends that batch and the queue's next ones for
    // the same domain over the connection.
    boost::asio::awaitable<void> run();
    // run() ended by an exception: what the batch in hand reserved of a warm-up budget goes
    // back.
    void abandon() { settle_warmup(0); }

  private:
    // The queue's next ready batch (for `domain`, any when null), no larger than what is left
    // of its source's warm-up budget, which it reserves and saves before the batch may be sent;
    // nullopt when there is none, the budget is spent, or the count could not be saved (the
    // batch then waits a minute).
    boost::asio::awaitable<std::optional<Batch>> take_next(const std::string* domain);
    // The attempt of the reserved batch delivered `delivered` recipients: the rest of the
    // reservation goes back to the budget.
    void settle_warmup(std::uint64_t delivered);
    // No connection: every ready batch of the queue for the domain shares `failure`.
    boost::asio::awaitable<void> share_connection_failure(const delivery::RecipientResult& failure,
                                                          Batch first);
    boost::asio::awaitable<void> send_over(delivery::ClientConnection& connection, Batch first);
    // One batch over an open connection: content read, prepared, sent, recorded; whether the
    // connection may go on (no lock was hit), or nullopt when the content could not be read
    // (the batch waits a minute; nothing was sent).
    boost::asio::awaitable<std::optional<bool>> send_one(delivery::ClientConnection& connection,
                                                         Batch& batch);
    // Whether an open connection may send its next message now (go), after waiting for the rate
    // (ask_again), or should give its work back and close (stop: a lock, a hold, a long wait).
    enum class Pace { go, ask_again, stop };
    boost::asio::awaitable<Pace> pace(bool first_token_held, boost::asio::steady_timer& pause);
    // Applies one attempt's results (spool progress, accounting, DSNs) and what the verdicts
    // mean for the queue (locks, counters, and adaptive speed when `step_speed`: once per reply,
    // not per batch that shares it); whether the queue may go on sending.
    boost::asio::awaitable<bool> record_attempt(
        const Batch& batch, const std::vector<delivery::RecipientResult>& results,
        std::shared_ptr<const std::string> content, bool step_speed);
    // The counters and locks an attempt taught the queue.
    void apply_lessons(const QueueLessons& lessons);
    // A batch taken but not attempted goes back first in its line, or is routed again if the
    // policy was reloaded since the worker started.
    void give_back(Batch batch);

    WorkerContext& ctx_;
    QueueKey key_;
    std::shared_ptr<const policy::config::Config> config_;
    std::shared_ptr<const policy::engine::CompiledPolicy> policy_;
    DestinationQueue* queue_ = nullptr;                 // null: the queue is gone
    const policy::engine::ResolvedIsp* isp_ = nullptr;  // the queue's, under policy_
    std::string domain_;                                // the one domain this connection serves
    AttemptContext attempt_;                            // where and how, for records and DSNs
    // What the batch in hand took of a warm-up budget, and on which local date.
    struct WarmupReservation {
        WarmupBudget* budget = nullptr;
        std::uint64_t count = 0;
        std::int32_t date = 0;
    };
    WarmupReservation reserved_;
};

// A worker's whole life, for co_spawn: DeliveryWorker(context, key).run().
boost::asio::awaitable<void> run_delivery_worker(WorkerContext& context, QueueKey key);

}  // namespace sluice::daemon::queue
