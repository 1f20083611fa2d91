#include "daemon/queue/outcome_recorder.hpp"

#include <unistd.h>

#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <map>

#include "daemon/clock/wall_clock.hpp"
#include "daemon/dsn/dsn_builder.hpp"
#include "daemon/dsn/orcpt.hpp"
#include "daemon/queue/blocking_call.hpp"
#include "daemon/queue/content_reader.hpp"
#include "daemon/smtp/spool_commit.hpp"
#include "daemon/spool/progress_append.hpp"
#include "daemon/spool/spool_reader.hpp"
#include "policy/retry/retry_rule.hpp"

namespace sluice::daemon::queue {

namespace asio = boost::asio;
using clock::now_unix_us;
using spool::RecipientState;

namespace {
// The reply's text lines joined by a space, for pattern matching.
std::string join_lines(const smtp::Reply& reply) {
    std::string text;
    for (const auto& line : reply.lines) {
        if (!text.empty()) text += ' ';
        text += line;
    }
    return text;
}

std::string reply_text(const smtp::Reply& reply) {
    std::string text = std::to_string(reply.code);
    if (!reply.enhanced.empty()) text += " " + reply.enhanced;
    for (const auto& line : reply.lines) text += " " + line;
    return text;
}

// The enhanced status code for a DSN: the server's, or one derived from the basic code.
std::string status_of(const smtp::Reply& reply) {
    if (!reply.enhanced.empty()) return reply.enhanced;
    return reply.code >= 500 ? "5.0.0" : "4.0.0";
}

policy::retry::TimePoint seconds(std::int64_t unix_seconds) {
    return policy::retry::TimePoint(std::chrono::seconds(unix_seconds));
}

bool has_eight_bit(std::string_view text) {
    for (unsigned char c : text) {
        if (c >= 0x80) return true;
    }
    return false;
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

asio::awaitable<std::vector<OutcomeRecorder::Judged>> OutcomeRecorder::record(
    const Batch& batch, const std::vector<delivery::RecipientResult>& results,
    const AttemptContext& attempt, DeliveryQueues& queues,
    std::shared_ptr<const std::string> content, const policy::engine::CompiledPolicy& policy,
    const policy::engine::ResolvedIsp& isp, double random_unit) {
    const auto config = config_();
    const auto& delivery = config->delivery;
    QueuedMessage& message = *batch.message;
    const std::int64_t now_unix = now_unix_us() / 1000000;
    const std::int64_t arrival_unix = message.arrival_unix_us / 1000000;

    std::vector<Judged> judged(std::min(batch.recipients.size(), results.size()));
    std::vector<spool::RecipientProgress> progress;
    std::vector<Failure> failures;
    // Written before the progress is made durable (see below).
    std::vector<acclog::AccountingRecord> accounting;
    for (std::size_t k = 0; k < judged.size(); ++k) {
        const std::uint32_t index = batch.recipients[k];
        QueuedRecipient& recipient = message.recipients[index];
        const auto& result = results[k];
        ++recipient.attempts;
        using Outcome = delivery::RecipientOutcome;
        const bool unsure = result.outcome == Outcome::possibly_delivered;
        const bool retry_unsure = unsure && delivery.retry_possibly_delivered;
        const policy::reply::ReplyFacts facts{result.reply.code, result.reply.enhanced,
                                              join_lines(result.reply), result.synthetic};
        auto& verdict = judged[k].verdict;
        if (unsure) {
            // No reply came: nothing for the patterns to read, and no lock.
            verdict.action =
                retry_unsure ? policy::engine::Action::retry : policy::engine::Action::delivered;
            verdict.bounce_class = "unknown";
        } else if (result.reply.code / 100 == 2 && result.outcome != Outcome::delivered) {
            // Only the client knows which 2xx ended a transaction; one that did not (a 250 to
            // DATA) must never count as a delivery, whatever the patterns say of 2xx.
            logger_.error("{}: a {} result with a 2xx reply; retried", attempt.queue_name,
                          delivery::to_string(result.outcome));
            verdict.action = policy::engine::Action::retry;
            verdict.bounce_class = "soft";
            verdict.category = "protocol";
        } else {
            verdict = policy.judge(isp, facts);
        }
        const std::string text = reply_text(result.reply);
        if (verdict.action == policy::engine::Action::delivered) {
            const auto outcome = result.outcome == Outcome::delivered ? acclog::Outcome::delivered
                                 : unsure ? acclog::Outcome::possibly_delivered
                                          : acclog::Outcome::accepted_by_rule;
            recipient.state = RecipientState::delivered;
            --message.pending;
            judged[k].final = true;
            progress.push_back({index, RecipientState::delivered, recipient.attempts, 0});
            accounting.push_back(account(message, index, attempt, "attempt", outcome, text,
                                         result.reply.enhanced, verdict));
            accounting.push_back(account(message, index, attempt, "final", outcome, text,
                                         result.reply.enhanced, verdict));
            continue;
        }
        if (verdict.action == policy::engine::Action::bounce) {
            accounting.push_back(account(message, index, attempt, "attempt",
                                         acclog::Outcome::bounced, text, result.reply.enhanced,
                                         verdict));
            failures.push_back({index, status_of(result.reply), text, acclog::Outcome::bounced,
                                !result.synthetic, verdict, k});
            judged[k].final = true;
            continue;
        }
        // Retry (a temporary failure, or possibly delivered and configured to retry).
        accounting.push_back(
            account(message, index, attempt, "attempt",
                    retry_unsure ? acclog::Outcome::possibly_delivered : acclog::Outcome::deferred,
                    text, result.reply.enhanced, verdict));
        const auto next = policy::retry::next_retry(
            *isp.retry, recipient.attempts, seconds(arrival_unix), seconds(now_unix), random_unit);
        if (const auto* retry = std::get_if<policy::retry::RetryAt>(&next)) {
            const std::int64_t at = retry->at.time_since_epoch().count();
            recipient.next_attempt_unix = at;
            progress.push_back({index, RecipientState::pending, recipient.attempts, at});
            queues.defer(batch.message, index, at, batch.queue);
        } else {
            failures.push_back({index, "4.4.7", "Message expired in queue; last reply: " + text,
                                acclog::Outcome::expired, false, verdict, k});
            judged[k].final = true;
        }
    }

    if (!failures.empty()) {
        std::string dsn_id;
        if (!message.sender().empty()) {
            dsn_id = co_await spool_dsn(message, failures, attempt, content);
        }
        const bool dsn_owed_but_missing = !message.sender().empty() && dsn_id.empty();
        for (const auto& failure : failures) {
            QueuedRecipient& recipient = message.recipients[failure.index];
            if (dsn_owed_but_missing) {
                // Without a durable DSN the bounce cannot be final: try the whole thing later.
                recipient.next_attempt_unix = now_unix + 300;
                progress.push_back({failure.index, RecipientState::pending, recipient.attempts,
                                    recipient.next_attempt_unix});
                queues.defer(batch.message, failure.index, recipient.next_attempt_unix,
                             batch.queue);
                judged[failure.position].final = false;
                continue;
            }
            recipient.state = RecipientState::bounced;
            --message.pending;
            progress.push_back({failure.index, RecipientState::bounced, recipient.attempts, 0});
            accounting.push_back(account(message, failure.index, attempt, "final", failure.outcome,
                                         failure.diagnostic, failure.status, failure.verdict,
                                         dsn_id));
        }
    }

    // Logged before the progress is made durable: a crash in between repeats the attempt and
    // its record (at least once), where the other order could lose the record of a delivery.
    co_await write_accounting(accounting);

    // A finished message's removal is its record; otherwise progress is appended to its file.
    bool removed = false;
    if (message.finished()) {
        const std::string queue_id(message.queue_id());  // named: not a temporary in co_await
        removed = co_await remove_finished(queue_id);
    }
    if (!removed) {
        const auto path = queue_dir_ / std::string(message.queue_id());
        // Named, not a temporary inside co_await: GCC 12 may destroy such temporaries twice.
        auto append = [path, progress] { return spool::append_progress(path, progress); };
        const auto ec = co_await run_blocking<std::error_code>(blocking_, std::move(append));
        if (ec) {
            // The outcome stands in memory; after a crash these attempts would be repeated.
            logger_.error("{}: cannot record delivery progress: {}",
                          std::string(message.queue_id()), ec.message());
        }
    }
    co_return judged;
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

asio::awaitable<OutcomeRecorder::Unattempted> OutcomeRecorder::finish_unattempted(
    std::vector<ClearedRecipient> recipients, const Ending& ending) {
    struct Finished {
        MessagePtr message;
        std::vector<spool::RecipientProgress> progress;
        std::vector<acclog::AccountingRecord> accounting;
        std::vector<Failure> failures;  // for the DSN
    };
    Unattempted done;
    std::vector<Finished> messages;
    std::map<const QueuedMessage*, std::size_t> slot;
    // Final in memory before the first co_await: no worker or retry can pick these up again.
    for (const auto& item : recipients) {
        QueuedRecipient& recipient = item.message->recipients[item.index];
        if (recipient.state != RecipientState::pending) continue;
        recipient.state = ending.state;
        --item.message->pending;
        auto [it, fresh] = slot.try_emplace(item.message.get(), messages.size());
        if (fresh) messages.push_back({item.message, {}, {}, {}});
        Finished& finished = messages[it->second];
        finished.progress.push_back({item.index, ending.state, recipient.attempts, 0});
        const std::string diagnostic = ending.state == RecipientState::cleared
                                           ? "Removed from the queue by the administrator"
                                           : "Message expired in queue after " +
                                                 std::to_string(recipient.attempts) + " attempts";
        AttemptContext context{item.queue, "", "", "", "", now_unix_us(), ""};
        // A clear's record carries no reply; an expiry's says why, like an expiry after an
        // attempt does.
        const bool cleared = ending.state == RecipientState::cleared;
        finished.accounting.push_back(account(*item.message, item.index, context, "final",
                                              ending.outcome, cleared ? "" : diagnostic,
                                              cleared ? "" : ending.status, {}));
        finished.failures.push_back(
            {item.index, ending.status, diagnostic, ending.outcome, false, {}, 0});
    }
    for (auto& finished : messages) {
        const std::string id(finished.message->queue_id());
        logger_.notice("{}: {} recipients {}", id, finished.progress.size(), ending.why);
        if (ending.dsn && !finished.message->sender().empty()) {
            // Before the file can go: the DSN quotes the message's header.
            AttemptContext context{
                finished.accounting.front().queue, "", "", "", "", now_unix_us(), ""};
            const std::string dsn_id =
                co_await spool_dsn(*finished.message, finished.failures, context, nullptr);
            if (dsn_id.empty() && !ending.final_without_dsn) {
                // Without a durable DSN the end cannot be final: pending again, for later.
                for (std::size_t k = 0; k < finished.progress.size(); ++k) {
                    const auto index = finished.progress[k].recipient_index;
                    finished.message->recipients[index].state = RecipientState::pending;
                    ++finished.message->pending;
                    done.unfinished.push_back(
                        {finished.message, index, finished.accounting[k].queue});
                }
                continue;
            }
            for (auto& record : finished.accounting) record.dsn_queue_id = dsn_id;
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
    const QueuedMessage& message, const std::vector<Failure>& failures,
    const AttemptContext& attempt, std::shared_ptr<const std::string> content) {
    const auto config = config_();
    if (!content) {
        const auto path = queue_dir_ / std::string(message.queue_id());
        auto reader = content_reader(path);  // named: see blocking_call.hpp
        auto loaded =
            co_await run_blocking<std::shared_ptr<const std::string>>(blocking_, std::move(reader));
        content = loaded ? loaded : std::make_shared<const std::string>();
    }
    dsn::DsnInput input;
    input.hostname = config->hostname;
    input.queue_id = std::string(message.queue_id());
    input.sender = std::string(message.sender());
    input.arrival_unix = message.arrival_unix_us / 1000000;
    input.now_unix = now_unix_us() / 1000000;
    input.original_content = *content;
    for (const auto& failure : failures) {
        dsn::DsnRecipient item;
        item.address = std::string(message.address(failure.index));
        item.orcpt = dsn::find_orcpt(message.params(failure.index));
        item.action = dsn::Action::failed;
        item.status = failure.status;
        item.diagnostic = failure.diagnostic;
        item.remote_mta = failure.remote_reply ? attempt.mx_host : std::string();
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
    if (has_eight_bit(dsn.content)) envelope.body_type = spool::BodyType::eight_bit_mime;
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
