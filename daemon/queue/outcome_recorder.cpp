#include "daemon/queue/outcome_recorder.hpp"

#include <unistd.h>

#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <map>

#include "daemon/asio/blocking_call.hpp"
#include "daemon/clock/wall_clock.hpp"
#include "daemon/dsn/dsn_builder.hpp"
#include "daemon/dsn/dsn_params.hpp"
#include "daemon/dsn/orcpt.hpp"
#include "daemon/queue/content_reader.hpp"
#include "daemon/smtp/spool_commit.hpp"
#include "daemon/spool/progress_append.hpp"
#include "daemon/spool/spool_reader.hpp"
#include "policy/retry/retry_rule.hpp"
#include "policy/text/ascii.hpp"

namespace sluice::daemon::queue {

namespace asio = boost::asio;
using clock::now_unix_us;
using spool::RecipientState;

namespace {
// A bounce whose DSN could not be spooled (disk full) is tried again this much later.
constexpr std::int64_t kDsnMissingRetrySeconds = 300;

// A failure of this recipient gets a DSN: the message has a sender and NOTIFY= allows it.
bool wants_failure_report(const QueuedMessage& message, std::uint32_t index) {
    return !message.sender().empty() && dsn::notify_request(message.params(index)).failure;
}
}  // namespace

OutcomeRecorder::OutcomeRecorder(ConfigSource config, std::filesystem::path queue_dir,
                                 spool::SpoolWriter& spool, spool::QueueIdGenerator& queue_ids,
                                 acclog::AccountingLog& accounting,
                                 boost::asio::thread_pool& blocking, log::Logger& logger,
                                 MessageSink new_message)
    : config_(std::move(config)),
      queue_dir_(std::move(queue_dir)),
      spool_(spool),
      queue_ids_(queue_ids),
      accounting_(accounting),
      blocking_(blocking),
      logger_(logger),
      new_message_(std::move(new_message)) {}

acclog::AccountingRecord OutcomeRecorder::account(const QueuedMessage& message, std::uint32_t index,
                                                  const AttemptContext& attempt, const char* type,
                                                  acclog::Outcome outcome, const std::string& reply,
                                                  const std::string& enhanced,
                                                  const policy::engine::Verdict& verdict,
                                                  const std::string& dsn_queue_id) const {
    acclog::AccountingRecord record;
    record.time_unix_us = now_unix_us();
    record.type = type;
    record.queue_id = std::string(message.queue_id());
    record.message_id = attempt.message_id;
    record.sender = std::string(message.sender());
    const QueuedRecipient& recipient = message.recipients[index];
    record.recipient = std::string(message.address(index));
    record.queue = attempt.queue_name;
    record.source_ip = attempt.source_ip;
    record.mx_host = attempt.mx_host;
    record.mx_ip = attempt.mx_ip;
    record.reply = reply;
    record.enhanced_code = enhanced;
    record.outcome = outcome;
    record.attempt = recipient.attempts;
    record.duration_ms = (record.time_unix_us - attempt.started_unix_us) / 1000;
    record.dsn_queue_id = dsn_queue_id;
    record.bounce_class = verdict.bounce_class;
    record.bounce_category = verdict.category;
    if (verdict.pattern) record.bounce_pattern = verdict.pattern->name;
    record.auth_user = std::string(message.auth_user());
    record.tls = attempt.tls;
    return record;
}

asio::awaitable<AttemptOutcome> OutcomeRecorder::record(
    const Batch& batch, const std::vector<delivery::RecipientResult>& results,
    const AttemptContext& attempt, DeliveryQueues& queues,
    std::shared_ptr<const std::string> content, const AttemptRules& rules, std::int64_t now_unix,
    double random_unit) {
    QueuedMessage& message = *batch.message;
    std::vector<RecipientAttempt> attempts;
    for (std::size_t k = 0; k < std::min(batch.recipients.size(), results.size()); ++k) {
        QueuedRecipient& recipient = message.recipients[batch.recipients[k]];
        ++recipient.attempts;
        attempts.push_back({batch.recipients[k], recipient.attempts, results[k]});
    }
    AttemptOutcome outcome =
        decide_attempt(attempts, rules, clock::wall_time(message.arrival_unix_us / 1000000),
                       clock::wall_time(now_unix), random_unit);

    Written written;
    auto& progress = written.progress;
    auto& accounting = written.accounting;
    std::vector<Failure> failures;
    std::vector<Failure> successes;  // delivered, and the sender asked to be told
    for (std::size_t k = 0; k < outcome.recipients.size(); ++k) {
        const RecipientDecision& decision = outcome.recipients[k];
        const std::uint32_t index = decision.index;
        QueuedRecipient& recipient = message.recipients[index];
        const auto& reply = results[k].reply;
        if (decision.out_of_step_success) {
            logger_.error("{}: a {} result with a 2xx reply; retried", attempt.queue_name,
                          delivery::to_string(results[k].outcome));
        }
        accounting.push_back(account(message, index, attempt, "attempt", decision.attempt_outcome,
                                     decision.reply, reply.enhanced, decision.verdict));
        switch (decision.change) {
            case RecipientChange::delivered:
                message.set_state(index, RecipientState::delivered);
                progress.push_back(message.progress(index));
                if (results[k].outcome == delivery::RecipientOutcome::delivered &&
                    !attempt.remote_dsn && !message.sender().empty() &&
                    dsn::notify_request(message.params(index)).success) {
                    successes.push_back({index, decision.status, decision.reply,
                                         acclog::Outcome::delivered, true, decision.verdict, k});
                }
                accounting.push_back(account(message, index, attempt, "final",
                                             decision.final_outcome, decision.reply, reply.enhanced,
                                             decision.verdict));
                break;
            case RecipientChange::retry:
                recipient.next_attempt_unix = decision.retry_at_unix;
                progress.push_back(message.progress(index));
                queues.defer(batch.message, index, decision.retry_at_unix, batch.queue);
                break;
            case RecipientChange::bounced:
            case RecipientChange::expired:
                failures.push_back({index, decision.status, decision.diagnostic,
                                    decision.final_outcome, decision.remote_reply, decision.verdict,
                                    k});
                break;
        }
    }

    if (!failures.empty()) {
        co_await settle_failures(batch, failures, attempt, queues, content, now_unix, outcome,
                                 written);
    }
    if (!successes.empty()) {
        // A report of success, asked for with NOTIFY=SUCCESS, that a server without DSN will
        // never send: "relayed" (RFC 3461 §5.2.2). The delivery stands whether or not it spools.
        (void)co_await spool_dsn(message, successes, dsn::Action::relayed, attempt, content);
    }

    co_await persist(message, written);
    co_return outcome;
}

asio::awaitable<void> OutcomeRecorder::settle_failures(
    const Batch& batch, const std::vector<Failure>& failures, const AttemptContext& attempt,
    DeliveryQueues& queues, std::shared_ptr<const std::string> content, std::int64_t now_unix,
    AttemptOutcome& outcome, Written& written) {
    QueuedMessage& message = *batch.message;
    // RFC 3461 §4.1: a failure is reported unless the recipient's NOTIFY= leaves it out.
    std::vector<Failure> reported;
    for (const auto& failure : failures) {
        if (wants_failure_report(message, failure.index)) reported.push_back(failure);
    }
    std::string dsn_id;
    if (!reported.empty()) {
        dsn_id = co_await spool_dsn(message, reported, dsn::Action::failed, attempt, content);
    }
    const bool dsn_owed_but_missing = !reported.empty() && dsn_id.empty();
    for (const auto& failure : failures) {
        QueuedRecipient& recipient = message.recipients[failure.index];
        const bool owed = wants_failure_report(message, failure.index);
        if (owed && dsn_owed_but_missing) {
            // Without a durable DSN the bounce cannot be final: try the whole thing later.
            recipient.next_attempt_unix = now_unix + kDsnMissingRetrySeconds;
            written.progress.push_back(message.progress(failure.index));
            queues.defer(batch.message, failure.index, recipient.next_attempt_unix, batch.queue);
            outcome.recipients[failure.position].change = RecipientChange::retry;
            continue;
        }
        message.set_state(failure.index, RecipientState::bounced);
        written.progress.push_back(message.progress(failure.index));
        written.accounting.push_back(account(message, failure.index, attempt, "final",
                                             failure.outcome, failure.diagnostic, failure.status,
                                             failure.verdict, owed ? dsn_id : std::string()));
    }
}

asio::awaitable<void> OutcomeRecorder::persist(QueuedMessage& message, Written& written) {
    // Logged before the progress is made durable: a crash in between repeats the attempt and
    // its record (at least once), where the other order could lose the record of a delivery.
    co_await write_accounting(written.accounting);

    // A finished message's removal is its record; otherwise progress is appended to its file.
    bool removed = false;
    if (message.finished()) {
        const std::string queue_id(message.queue_id());  // named: not a temporary in co_await
        removed = co_await remove_finished(queue_id);
    }
    if (removed) co_return;
    const auto path = queue_dir_ / std::string(message.queue_id());
    // Named, not a temporary inside co_await: GCC 12 may destroy such temporaries twice.
    auto append = [path, progress = std::move(written.progress)] {
        return spool::append_progress(path, progress);
    };
    const auto ec = co_await run_blocking<std::error_code>(blocking_, std::move(append));
    if (ec) {
        // The outcome stands in memory; after a crash these attempts would be repeated.
        logger_.error("{}: cannot record delivery progress: {}", std::string(message.queue_id()),
                      ec.message());
    }
}

asio::awaitable<std::size_t> OutcomeRecorder::clear(std::vector<ClearedRecipient> recipients,
                                                    ClearDsn dsn) {
    const Ending cleared{RecipientState::cleared, acclog::Outcome::admin_cleared, "5.0.0",
                         "cleared by an admin",   dsn == ClearDsn::yes,           true};
    const auto done = co_await finish_unattempted(std::move(recipients), cleared);
    co_return done.messages;
}

asio::awaitable<std::vector<ClearedRecipient>> OutcomeRecorder::expire(
    std::vector<ClearedRecipient> recipients) {
    const Ending expired{RecipientState::bounced,
                         acclog::Outcome::expired,
                         "4.4.7",
                         "expired in the queue",
                         true,
                         false};
    auto done = co_await finish_unattempted(std::move(recipients), expired);
    co_return std::move(done.unfinished);
}

asio::awaitable<bool> OutcomeRecorder::warn_delayed(std::vector<DelayWarning> recipients) {
    // One report per message, its recipients in the order given.
    std::map<const QueuedMessage*, std::vector<const DelayWarning*>> by_message;
    for (const auto& item : recipients) by_message[item.message.get()].push_back(&item);
    bool all_spooled = true;
    for (const auto& [raw, items] : by_message) {
        QueuedMessage& message = *items.front()->message;
        const MessagePtr keep = items.front()->message;  // alive across the co_awaits
        std::vector<Failure> reported;
        for (const DelayWarning* item : items) {
            const QueuedRecipient& recipient = message.recipients[item->index];
            const std::string diagnostic =
                recipient.attempts == 0
                    ? "Not tried yet: its destination is held, locked or rate-limited"
                    : "Still being retried after " + std::to_string(recipient.attempts) +
                          " attempts";
            Failure notice{};
            notice.index = item->index;
            notice.status = "4.0.0";
            notice.diagnostic = diagnostic;
            notice.outcome = acclog::Outcome::deferred;  // no record: the state is unchanged
            notice.retry_until_unix = item->deadline_unix;
            reported.push_back(std::move(notice));
        }
        AttemptContext context{to_string(items.front()->queue), "", "", "", "", now_unix_us(), ""};
        const std::string dsn_id =
            co_await spool_dsn(message, reported, dsn::Action::delayed, context, nullptr);
        if (dsn_id.empty()) {
            all_spooled = false;
            continue;
        }
        std::vector<spool::RecipientProgress> progress;
        for (const DelayWarning* item : items) {
            message.recipients[item->index].delay_warned = true;
            progress.push_back(message.progress(item->index));
        }
        // Out of every queue meanwhile (the caller's doing), so no attempt writes a record for
        // these recipients until this one is durable: the last record stays the truth.
        auto append = [path = queue_dir_ / std::string(message.queue_id()), progress] {
            return spool::append_progress(path, progress);
        };
        const auto ec = co_await run_blocking<std::error_code>(blocking_, std::move(append));
        if (ec) {
            // Warned in memory; after a restart the warning may be sent again.
            logger_.error("{}: cannot record the delay warning: {}",
                          std::string(message.queue_id()), ec.message());
        }
    }
    co_return all_spooled;
}

asio::awaitable<OutcomeRecorder::Unattempted> OutcomeRecorder::finish_unattempted(
    std::vector<ClearedRecipient> recipients, const Ending& ending) {
    struct Finished {
        MessagePtr message;
        std::vector<spool::RecipientProgress> progress;
        std::vector<acclog::AccountingRecord> accounting;
        std::vector<QueueKey> queues;   // lined up with `progress`
        std::vector<Failure> failures;  // for the DSN
    };
    Unattempted done;
    std::vector<Finished> messages;
    std::map<const QueuedMessage*, std::size_t> slot;
    // Final in memory before the first co_await: no worker or retry can pick these up again.
    for (const auto& item : recipients) {
        QueuedRecipient& recipient = item.message->recipients[item.index];
        if (recipient.state != RecipientState::pending) continue;
        item.message->set_state(item.index, ending.state);
        auto [it, fresh] = slot.try_emplace(item.message.get(), messages.size());
        if (fresh) messages.push_back({item.message, {}, {}, {}, {}});
        Finished& finished = messages[it->second];
        finished.progress.push_back(item.message->progress(item.index));
        finished.queues.push_back(item.queue);
        const std::string diagnostic = ending.state == RecipientState::cleared
                                           ? "Removed from the queue by the administrator"
                                           : "Message expired in queue after " +
                                                 std::to_string(recipient.attempts) + " attempts";
        AttemptContext context{to_string(item.queue), "", "", "", "", now_unix_us(), ""};
        // A clear's record carries no reply; an expiry's says why, like an expiry after an
        // attempt does.
        const bool cleared = ending.state == RecipientState::cleared;
        finished.accounting.push_back(account(*item.message, item.index, context, "final",
                                              ending.outcome, cleared ? "" : diagnostic,
                                              cleared ? "" : ending.status, {}));
        if (wants_failure_report(*item.message, item.index)) {
            finished.failures.push_back(
                {item.index, ending.status, diagnostic, ending.outcome, false, {}, 0});
        }
    }
    for (auto& finished : messages) {
        const std::string id(finished.message->queue_id());
        logger_.notice("{}: {} recipients {}", id, finished.progress.size(), ending.why);
        if (ending.dsn && !finished.failures.empty()) {
            // Before the file can go: the DSN quotes the message's header.
            AttemptContext context{
                finished.accounting.front().queue, "", "", "", "", now_unix_us(), ""};
            const std::string dsn_id = co_await spool_dsn(*finished.message, finished.failures,
                                                          dsn::Action::failed, context, nullptr);
            if (dsn_id.empty() && !ending.final_without_dsn) {
                // Without a durable DSN the end cannot be final: pending again, for later.
                for (std::size_t k = 0; k < finished.progress.size(); ++k) {
                    const auto index = finished.progress[k].recipient_index;
                    finished.message->set_state(index, RecipientState::pending);
                    done.unfinished.push_back({finished.message, index, finished.queues[k]});
                }
                continue;
            }
            for (std::size_t k = 0; k < finished.accounting.size(); ++k) {
                const auto index = finished.progress[k].recipient_index;
                if (wants_failure_report(*finished.message, index)) {
                    finished.accounting[k].dsn_queue_id = dsn_id;
                }
            }
        }
        co_await write_accounting(finished.accounting);
        bool removed = false;
        if (finished.message->finished()) removed = co_await remove_finished(id);
        if (removed) continue;
        auto append = [path = queue_dir_ / id, progress = std::move(finished.progress)] {
            return spool::append_progress(path, progress);
        };
        const auto ec = co_await run_blocking<std::error_code>(blocking_, std::move(append));
        if (ec)
            logger_.error("{}: cannot record that recipients {}: {}", id, ending.why, ec.message());
    }
    done.messages = messages.size();
    co_return done;
}

asio::awaitable<void> OutcomeRecorder::write_accounting(
    const std::vector<acclog::AccountingRecord>& records) {
    const auto pending = accounting_.append_batch(records);
    if (pending.fd < 0) co_return;
    // accounting.sync = "batch": durable before the caller records progress, off the io thread.
    auto sync = [pending] { return acclog::AccountingLog::sync_and_close(pending); };
    const int error = co_await run_blocking<int>(blocking_, std::move(sync));
    accounting_.sync_done(pending, error);
}

asio::awaitable<bool> OutcomeRecorder::remove_finished(const std::string& queue_id) {
    const std::error_code ec =
        co_await smtp::async_remove_spooled(spool_, queue_id, asio::use_awaitable);
    if (ec) {
        logger_.error("{}: cannot remove finished spool file: {}", queue_id, ec.message());
        co_return false;
    }
    logger_.info("{}: removed (every recipient is final)", queue_id);
    co_return true;
}

asio::awaitable<std::string> OutcomeRecorder::spool_dsn(
    const QueuedMessage& message, const std::vector<Failure>& reported, dsn::Action action,
    const AttemptContext& attempt, std::shared_ptr<const std::string> content) {
    const auto config = config_();
    if (!content) {
        const auto path = queue_dir_ / std::string(message.queue_id());
        auto reader = content_reader(path);  // named: see asio/blocking_call.hpp
        auto loaded =
            co_await run_blocking<std::shared_ptr<const std::string>>(blocking_, std::move(reader));
        content = loaded ? loaded : std::make_shared<const std::string>();
    }
    dsn::DsnInput input;
    input.hostname = config->hostname;
    input.queue_id = std::string(message.queue_id());
    input.sender = std::string(message.sender());
    input.envid = dsn::find_param(message.mail_params(), "ENVID");
    input.return_full = dsn::return_request(message.mail_params()) == dsn::Return::full;
    input.arrival_unix = message.arrival_unix_us / 1000000;
    input.now_unix = now_unix_us() / 1000000;
    input.original_content = *content;
    for (const auto& failure : reported) {
        dsn::DsnRecipient item;
        item.address = std::string(message.address(failure.index));
        item.orcpt = dsn::find_orcpt(message.params(failure.index));
        item.action = action;
        item.status = failure.status;
        item.diagnostic = failure.diagnostic;
        item.remote_mta = failure.remote_reply ? attempt.mx_host : std::string();
        if (failure.retry_until_unix != 0) item.will_retry_until_unix = failure.retry_until_unix;
        input.recipients.push_back(std::move(item));
    }

    spool::SpooledMessage dsn;
    auto& envelope = dsn.envelope;
    envelope.arrival_unix_us = now_unix_us();
    envelope.queue_id = queue_ids_.next(envelope.arrival_unix_us);
    envelope.client_address = "127.0.0.1";
    envelope.helo = config->hostname;
    envelope.protocol = "LOCAL";
    envelope.listener = "dsn";
    envelope.sender = "";  // RFC 5321 §4.5.5: DSNs go from the null sender
    envelope.recipients.push_back({std::string(message.sender()), ""});
    dsn.content = dsn::build_dsn(input);
    if (policy::text::has_eight_bit(dsn.content))
        envelope.body_type = spool::BodyType::eight_bit_mime;
    const spool::Envelope copy = envelope;
    const std::error_code ec =
        co_await smtp::async_spool(spool_, std::move(dsn), asio::use_awaitable);
    if (ec) {
        logger_.error("{}: cannot spool the DSN: {}", std::string(message.queue_id()),
                      ec.message());
        co_return std::string();
    }
    logger_.info("{}: DSN {} queued for <{}>", std::string(message.queue_id()), copy.queue_id,
                 message.sender());
    new_message_(copy);
    co_return copy.queue_id;
}

}  // namespace sluice::daemon::queue
