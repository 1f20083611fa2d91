// The I/O half of what happens after an attempt: each recipient's result becomes its new state
// (delivered, retry at t, bounced, expired) as decide_attempt (attempt_outcome.hpp) says, a DSN is
// built and durably spooled for bounced and expired recipients (before their state is made final,
// so a crash can repeat a DSN but never lose one), one accounting record per attempt and per final
// outcome is written (before the progress is durable: a crash can repeat a record, never lose
// one), the progress records are appended to the spool file, and the file is removed once every
// recipient is final.
// Owned by the QueueManager; io thread only (disk work goes to the blocking pool).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "daemon/acclog/accounting_log.hpp"
#include "daemon/delivery/client_connection.hpp"
#include "daemon/dsn/dsn_builder.hpp"
#include "daemon/log/logger.hpp"
#include "daemon/queue/core/attempt_outcome.hpp"
#include "daemon/queue/core/delivery_queues.hpp"
#include "daemon/spool/queue_id.hpp"
#include "daemon/spool/spool_writer.hpp"
#include "policy/config/model.hpp"
#include "policy/engine/compiled_policy.hpp"

namespace sluice::daemon::queue {

// Where and how an attempt was made, for the accounting log and the DSN.
struct AttemptContext {
    std::string queue_name;  // the destination queue, "ISP/source"
    std::string mx_host;
    std::string mx_ip;
    std::string source_ip;
    std::string message_id;
    std::int64_t started_unix_us = 0;
    std::string tls;  // the connection's TLS version and cipher; "" in clear
    // The server offered DSN, so NOTIFY=/ORCPT= went on with the mail (RFC 3461 §5.2.1): it,
    // not Sluice, reports a success.
    bool remote_dsn = false;
};

// Whether an admin's clear tells the senders with a DSN.
enum class ClearDsn { no, yes };

// A recipient an admin removes from the queue (not in flight), and the queue it was in.
struct ClearedRecipient {
    MessagePtr message;
    std::uint32_t index;
    QueueKey queue;  // empty if unknown
};

class OutcomeRecorder {
  public:
    using ConfigSource = std::function<std::shared_ptr<const policy::config::Config>()>;
    using MessageSink = std::function<void(const spool::Envelope&)>;

    OutcomeRecorder(ConfigSource config, std::filesystem::path queue_dir, spool::SpoolWriter& spool,
                    spool::QueueIdGenerator& queue_ids, acclog::AccountingLog& accounting,
                    boost::asio::thread_pool& blocking, log::Logger& logger,
                    MessageSink new_message);

    // Applies one attempt's `results` (one per recipient of `batch`, in order) as `rules` say
    // (decide_attempt, attempt_outcome.hpp) at `now_unix`: the recipients' new states, their
    // DSNs, accounting records and spool progress, retries deferred in `queues`. `content` is
    // the message as spooled if the caller has it (for the DSN's headers), else empty and read
    // when needed. Returns the decisions (a bounce whose DSN could not be spooled is a retry
    // there) and the lessons for the queue, for the caller to apply.
    boost::asio::awaitable<AttemptOutcome> record(
        const Batch& batch, const std::vector<delivery::RecipientResult>& results,
        const AttemptContext& attempt, DeliveryQueues& queues,
        std::shared_ptr<const std::string> content, const AttemptRules& rules,
        std::int64_t now_unix, double random_unit);

    // An admin's clear: every recipient becomes final ("cleared") at once, in memory; then per
    // message a final accounting record per recipient (outcome "admin-cleared") is written
    // before the progress is durable, and a file with nothing left is removed. With
    // ClearDsn::yes a message with a sender gets one DSN (status 5.0.0) for its cleared
    // recipients first; a DSN that cannot be spooled is logged and the clear goes on.
    // Returns the number of messages touched.
    boost::asio::awaitable<std::size_t> clear(std::vector<ClearedRecipient> recipients,
                                              ClearDsn dsn);
    // Recipients past their deadline while they waited (held, locked, rate-limited, waiting
    // for DNS or for a retry), taken out of the queues by the caller: like a clear, but each
    // becomes final as expired (bounced in the spool, outcome "expired", status 4.4.7) and its
    // sender always gets a DSN. When that DSN cannot be spooled (disk full) the recipients
    // stay pending and are returned, for the caller to queue again; nothing is recorded.
    boost::asio::awaitable<std::vector<ClearedRecipient>> expire(
        std::vector<ClearedRecipient> recipients);

    // Recipients that have waited delivery.delay_warning and asked for delay reports, taken out
    // of the queues by the caller: one "delayed" DSN per message (Will-Retry-Until its
    // deadline), then each is marked warned, in memory and durably in the spool, so it is never
    // warned twice. False when a DSN could not be spooled (disk full): those stay unwarned.
    // The caller queues them all again.
    struct DelayWarning {
        MessagePtr message;
        std::uint32_t index;
        QueueKey queue;  // empty if unknown
        std::int64_t deadline_unix;
    };
    boost::asio::awaitable<bool> warn_delayed(std::vector<DelayWarning> recipients);

    // Removes the spool file of a message with nothing left to do, durably; false if it could
    // not (the error is logged).
    boost::asio::awaitable<bool> remove_finished(const std::string& queue_id);

  private:
    // How recipients that end without an attempt end (clear, expire).
    struct Ending {
        spool::RecipientState state;
        acclog::Outcome outcome;
        const char* status;  // enhanced code for the DSN and the record
        const char* why;     // for the log line: "cleared by an admin", "expired"
        bool dsn;
        bool final_without_dsn;  // a DSN that cannot be spooled does not stop it (a clear)
    };
    struct Unattempted {
        std::size_t messages = 0;                  // messages touched
        std::vector<ClearedRecipient> unfinished;  // a DSN owed could not be spooled
    };
    boost::asio::awaitable<Unattempted> finish_unattempted(std::vector<ClearedRecipient> recipients,
                                                           const Ending& ending);
    struct Failure {
        std::uint32_t index;
        std::string status;  // enhanced code
        std::string diagnostic;
        acclog::Outcome outcome;  // bounced | expired
        bool remote_reply;        // the diagnostic is a remote server's reply
        policy::engine::Verdict verdict;
        std::size_t position;               // in the batch (and in the judged results)
        std::int64_t retry_until_unix = 0;  // a delay report's Will-Retry-Until
    };
    // Spools one DSN to the message's sender about `reported` (each with `action`); the DSN's
    // queue ID, or "" when it could not be spooled.
    // What an attempt writes: accounting records first, then spool progress (persist).
    struct Written {
        std::vector<spool::RecipientProgress> progress;
        std::vector<acclog::AccountingRecord> accounting;
    };
    // Bounced and expired recipients: their DSN first (when NOTIFY= wants one), then final; a
    // DSN that cannot be spooled leaves them pending (a retry in `outcome`).
    boost::asio::awaitable<void> settle_failures(
        const Batch& batch, const std::vector<Failure>& failures, const AttemptContext& attempt,
        DeliveryQueues& queues, std::shared_ptr<const std::string> content, std::int64_t now_unix,
        AttemptOutcome& outcome, Written& written);
    // The accounting records, then the progress records or the file's removal.
    boost::asio::awaitable<void> persist(QueuedMessage& message, Written& written);
    boost::asio::awaitable<std::string> spool_dsn(const QueuedMessage& message,
                                                  const std::vector<Failure>& reported,
                                                  dsn::Action action, const AttemptContext& attempt,
                                                  std::shared_ptr<const std::string> content);
    // Writes `records` to the accounting log and, with accounting.sync = "batch", waits for
    // their fdatasync on the blocking pool.
    boost::asio::awaitable<void> write_accounting(
        const std::vector<acclog::AccountingRecord>& records);
    [[nodiscard]] acclog::AccountingRecord account(
        const QueuedMessage& message, std::uint32_t index, const AttemptContext& attempt,
        const char* type, acclog::Outcome outcome, const std::string& reply,
        const std::string& enhanced, const policy::engine::Verdict& verdict,
        const std::string& dsn_queue_id = {}) const;

    ConfigSource config_;
    std::filesystem::path queue_dir_;
    spool::SpoolWriter& spool_;
    spool::QueueIdGenerator& queue_ids_;
    acclog::AccountingLog& accounting_;
    boost::asio::thread_pool& blocking_;
    log::Logger& logger_;
    MessageSink new_message_;
};

}  // namespace sluice::daemon::queue
