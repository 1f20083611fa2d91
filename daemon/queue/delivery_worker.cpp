#include "daemon/queue/delivery_worker.hpp"

#include <algorithm>
#include <boost/asio/use_awaitable.hpp>

#include "daemon/asio/blocking_call.hpp"
#include "daemon/asio/nothrow_awaitable.hpp"
#include "daemon/clock/wall_clock.hpp"
#include "daemon/delivery/destination_connector.hpp"
#include "daemon/delivery/message_preparation.hpp"
#include "daemon/delivery/send_rules.hpp"
#include "daemon/dsn/dsn_params.hpp"
#include "daemon/log/printable_text.hpp"
#include "daemon/queue/content_reader.hpp"
#include "daemon/smtp/header_fields.hpp"
#include "policy/text/ascii.hpp"

namespace sluice::daemon::queue {

namespace asio = boost::asio;
using clock::now_unix;
using clock::now_unix_us;

namespace {
using asio_support::nothrow_awaitable;
constexpr std::int64_t kUnreadableRetrySeconds = 60;

delivery::ClientSettings client_settings(const policy::config::Config& config,
                                         const DestinationQueue& queue,
                                         const policy::engine::ResolvedIsp& isp,
                                         delivery::OutboundTls* outbound_tls) {
    const auto& d = config.delivery;
    delivery::ClientSettings settings;
    settings.tls = isp.tls.value_or(d.tls);  // the ISP's own TLS policy, else delivery.tls
    settings.outbound_tls = outbound_tls;
    settings.helo_name = queue.helo.empty() ? config.delivery_helo() : queue.helo;
    const std::string& source =
        queue.source_address.empty() ? d.source_address : queue.source_address;
    if (!source.empty()) {
        boost::system::error_code ec;
        auto address = asio::ip::make_address(source, ec);
        if (!ec) settings.source_address = address;
    }
    settings.connect_timeout = d.connect_timeout;
    settings.greeting_timeout = d.greeting_timeout;
    settings.command_timeout = d.command_timeout;
    settings.data_init_timeout = d.data_init_timeout;
    settings.data_block_timeout = d.data_block_timeout;
    settings.data_done_timeout = d.data_done_timeout;
    settings.max_recipients_per_transaction = d.max_recipients_per_transaction;
    return settings;
}

// The same result for every recipient of a batch (DNS failure, no connection).
std::vector<delivery::RecipientResult> same_result(const Batch& batch,
                                                   const delivery::RecipientResult& result) {
    return std::vector<delivery::RecipientResult>(batch.recipients.size(), result);
}
}  // namespace

asio::awaitable<bool> DeliveryWorker::record_attempt(
    const Batch& batch, const std::vector<delivery::RecipientResult>& results,
    std::shared_ptr<const std::string> content, bool step_speed) {
    queue_->in_flight -= batch.recipients.size();
    const double random_unit = std::uniform_real_distribution<double>(0.0, 1.0)(ctx_.rng);
    const AttemptRules rules{*policy_, *isp_,
                             ctx_.services.config()->delivery.retry_possibly_delivered};
    const auto outcome = co_await ctx_.recorder.record(
        batch, results, attempt_, ctx_.queues, std::move(content), rules, now_unix(), random_unit);
    for (std::size_t k = 0; k < results.size() && k < outcome.recipients.size(); ++k) {
        const auto& reply = results[k].reply;
        if (k == 0 || reply.summary() != results[k - 1].reply.summary()) {
            // Shown by the status endpoint and sluicectl: escaped like a log line.
            DestinationRegistry::remember_reply(
                *queue_, log::printable_text(reply.summary()),
                results[k].dns_failure ? ReplyKind::dns_failure : ReplyKind::other);
        }
    }
    apply_lessons(outcome.queue);
    // What the ISP has, or may have (no reply after the final dot), stays counted.
    const auto kept = static_cast<std::uint64_t>(
        std::count_if(results.begin(), results.end(), [](const delivery::RecipientResult& r) {
            return r.outcome == delivery::RecipientOutcome::delivered ||
                   r.outcome == delivery::RecipientOutcome::possibly_delivered;
        }));
    const bool save = reserved_.count > kept && reserved_.budget->cap;
    settle_warmup(kept);
    if (save) (void)co_await ctx_.save_warmup();  // the file may stay high; never low
    if (step_speed) AdmissionControl::attempt_done(*queue_, outcome.queue.throttled);
    co_return outcome.queue.locks.empty();
}

void DeliveryWorker::apply_lessons(const QueueLessons& lessons) {
    auto& queue = *queue_;
    queue.counters.delivered += lessons.delivered;
    queue.counters.deferred += lessons.deferred;
    queue.counters.bounced += lessons.bounced;
    queue.counters.expired += lessons.expired;
    for (const auto& hit : lessons.locks) {
        ctx_.admission.lock(queue, *hit.rule, log::printable_text(hit.reply), clock::now_wall());
        ctx_.services.logger.warning(
            "{}: locked by rule {} ({}) for {}s after \"{}\"", queue.name, hit.rule->name,
            hit.rule->scope == policy::config::LockScope::isp ? "whole ISP" : "queue",
            std::chrono::duration_cast<std::chrono::seconds>(hit.rule->lock_for).count(),
            hit.reply);  // the logger escapes it
    }
}

void DeliveryWorker::settle_warmup(std::uint64_t delivered) {
    if (reserved_.count == 0) return;
    WarmupBudgets::settle(*reserved_.budget, reserved_.date, reserved_.count, delivered);
    reserved_ = {};
}

asio::awaitable<std::optional<Batch>> DeliveryWorker::take_next(const std::string* domain) {
    if (!queue_) co_return std::nullopt;
    std::uint64_t limit = config_->delivery.max_recipients_per_transaction;
    auto* budget = queue_->warmup;
    if (budget) {
        WarmupBudgets::roll(*budget, clock::now_wall());
        limit = std::min(limit, budget->left());
        if (limit == 0) co_return std::nullopt;
    }
    auto batch = ctx_.queues.take_batch(key_, static_cast<std::uint32_t>(limit), domain);
    if (!batch || !budget) co_return batch;
    reserved_ = {budget,
                 WarmupBudgets::reserve(*budget, clock::now_wall(), batch->recipients.size()),
                 budget->date};
    // Without a cap today (warm, a rate-only row, an ISP without rows) the count is only shown.
    if (!budget->cap) co_return batch;
    if (const auto ec = co_await ctx_.save_warmup()) {
        // Unsaved, a restart could send them again: they wait instead.
        settle_warmup(0);
        ctx_.services.logger.error("{}: warm-up count not saved ({}); retrying in {}s",
                                   queue_->name, ec.message(), kUnreadableRetrySeconds);
        for (auto index : batch->recipients) {
            ctx_.queues.defer(batch->message, index, now_unix() + kUnreadableRetrySeconds, key_);
        }
        co_return std::nullopt;
    }
    co_return batch;
}

void DeliveryWorker::give_back(Batch batch) {
    settle_warmup(0);
    if (ctx_.services.policy() == policy_) {
        ctx_.queues.return_batch(std::move(batch));
        return;
    }
    // Reloaded since the worker started: routed again under the new rules (due at once).
    for (auto index : batch.recipients) ctx_.queues.defer(batch.message, index, now_unix());
    ctx_.wake_scheduler();
}

DeliveryWorker::DeliveryWorker(WorkerContext& context, QueueKey key)
    : ctx_(context),
      key_(std::move(key)),
      config_(ctx_.services.config()),
      policy_(ctx_.services.policy()),
      queue_(ctx_.registry.find(key_)) {
    isp_ = policy_->isp_named(key_.isp);
    if (!isp_) isp_ = &policy_->default_isp();
}

asio::awaitable<void> run_delivery_worker(WorkerContext& context, QueueKey key) {
    DeliveryWorker worker(context, std::move(key));
    try {
        co_await worker.run();
    } catch (...) {
        // Not in a destructor: a frame still suspended at shutdown is destroyed after the
        // manager that owns the budgets.
        worker.abandon();
        throw;
    }
}

asio::awaitable<void> DeliveryWorker::run() {
    auto first = co_await take_next(nullptr);
    if (!first) co_return;
    domain_ = first->domain;
    attempt_ = AttemptContext{queue_->name, "", "", "", "", now_unix_us(), ""};

    const delivery::ConnectServices connect_services{ctx_.executor,
                                                     ctx_.services.resolver,
                                                     ctx_.services.mta_sts,
                                                     ctx_.services.logger,
                                                     ctx_.rng,
                                                     ctx_.stopped};
    const auto settings = client_settings(*config_, *queue_, *isp_, ctx_.services.outbound_tls);
    auto connected =
        co_await delivery::connect_to_domain(connect_services, *config_, settings, domain_);
    if (connected.stopped) {
        give_back(std::move(*first));
        co_return;
    }
    attempt_.mx_host = connected.mx_host;
    attempt_.mx_ip = connected.mx_ip;
    if (!connected.connection) {
        co_await share_connection_failure(connected.failure, std::move(*first));
        co_return;
    }
    auto connection = std::move(connected.connection);
    ++queue_->counters.connections;
    attempt_.source_ip = connection->local_address().to_string();
    attempt_.tls = connected.tls;
    attempt_.remote_dsn = connection->supports("DSN");
    co_await send_over(*connection, std::move(*first));
    if (!connection->protocol_error().empty()) {
        ctx_.services.logger.warning("{}: session with {} [{}] out of step, closed: {}",
                                     queue_->name, attempt_.mx_host, attempt_.mx_ip,
                                     connection->protocol_error());
    }
    co_await connection->quit();
}

asio::awaitable<void> DeliveryWorker::share_connection_failure(
    const delivery::RecipientResult& failure, Batch first) {
    // Every ready message of this queue for the domain shares the failure (a 4xx/5xx greeting
    // is a real reply: it may lock the queue).
    const auto max_recipients = config_->delivery.max_recipients_per_transaction;
    std::optional<Batch> batch = std::move(first);
    bool first_reply = true;  // one reply: adaptive speed steps once, not once per batch
    while (batch) {
        queue_->in_flight += batch->recipients.size();
        auto results = same_result(*batch, failure);  // named: see asio/blocking_call.hpp
        const bool open = co_await record_attempt(*batch, results, nullptr, first_reply);
        first_reply = false;
        if (!open) break;
        batch = ctx_.queues.take_batch(key_, max_recipients, &domain_);
    }
}

asio::awaitable<DeliveryWorker::Pace> DeliveryWorker::pace(bool first_token_held,
                                                           asio::steady_timer& pause) {
    // The rate limits pace an open connection; a long wait is better spent disconnected.
    Admission admission;
    if (first_token_held) {
        admission.reason =
            ctx_.admission.stopped(*queue_, clock::now_wall());  // a lock or hold since
    } else {
        admission = ctx_.admission.may_send(*queue_, asio::steady_timer::clock_type::now(),
                                            clock::now_wall());
    }
    if (admission.reason == Blocked::none) co_return Pace::go;
    const auto wait = admission.retry_at
                          ? *admission.retry_at - asio::steady_timer::clock_type::now()
                          : std::chrono::steady_clock::duration::max();
    if (wait > config_->delivery.idle_connection_timeout) {
        if (admission.retry_at) ctx_.wake_at(*admission.retry_at);
        co_return Pace::stop;
    }
    pause.expires_at(*admission.retry_at);
    ctx_.admission.begin_pacing(*queue_);
    co_await pause.async_wait(nothrow_awaitable);
    ctx_.admission.end_pacing(*queue_);
    co_return Pace::ask_again;
}

asio::awaitable<void> DeliveryWorker::send_over(delivery::ClientConnection& connection,
                                                Batch first) {
    std::uint32_t sent = 0;
    // may_connect took the rate tokens of the first message; later ones take their own.
    bool first_token_held = true;
    std::optional<Batch> batch = std::move(first);
    asio::steady_timer pause(ctx_.executor);
    while (batch) {
        if (ctx_.stopped || !connection.usable() ||
            sent >= queue_->strategy->messages_per_connection) {
            give_back(std::move(*batch));
            break;
        }
        const Pace paced = co_await pace(first_token_held, pause);
        first_token_held = false;
        if (paced == Pace::ask_again) continue;
        if (paced == Pace::stop) {
            give_back(std::move(*batch));
            break;
        }
        if (sent > 0) {
            // Not "sent > 0 && co_await ...": GCC 12 mishandles co_await in conditional
            // evaluation.
            const bool reset = co_await connection.reset();
            if (!reset) {
                give_back(std::move(*batch));
                break;
            }
        }
        const std::optional<bool> open = co_await send_one(connection, *batch);
        if (open) ++sent;
        if (open == false) break;
        // Checked before reserving the next batch, so a closing connection reserves nothing.
        if (ctx_.stopped || !connection.usable() ||
            sent >= queue_->strategy->messages_per_connection) {
            break;
        }
        batch = co_await take_next(&domain_);
    }
}

asio::awaitable<std::optional<bool>> DeliveryWorker::send_one(
    delivery::ClientConnection& connection, Batch& batch) {
    auto reader = content_reader(ctx_.services.queue_dir / batch.message->queue_id());
    auto content = co_await run_blocking<std::shared_ptr<const std::string>>(ctx_.services.blocking,
                                                                             std::move(reader));
    if (!content) {
        // Perhaps only for now (file descriptors): try these recipients again later.
        ctx_.services.logger.error("{}: cannot read the spool file for delivery; retrying in {}s",
                                   batch.message->queue_id(), kUnreadableRetrySeconds);
        settle_warmup(0);
        for (auto index : batch.recipients) {
            ctx_.queues.defer(batch.message, index, now_unix() + kUnreadableRetrySeconds, key_);
        }
        co_return std::nullopt;  // not sent; the connection may serve the next batch
    }
    const auto& message = *batch.message;
    delivery::OutboundMessage outbound;
    outbound.sender = std::string(message.sender());
    for (auto index : batch.recipients) {
        outbound.recipients.emplace_back(message.address(index));
        outbound.dsn_rcpt_params.push_back(dsn::dsn_rcpt_params(message.params(index)));
    }
    outbound.dsn_mail_params = dsn::dsn_mail_params(message.mail_params());
    outbound.smtputf8 = message.smtputf8;
    // The pool's control header removed, header policies applied, DKIM-signed off the io
    // thread. outbound.content is only a view: the prepared copy lives in this frame.
    const auto* pool_policy = policy_->pool_named(queue_->pool);
    delivery::Preparation how{policy_->pool_header(), pool_policy ? &pool_policy->headers : nullptr,
                              &isp_->headers, queue_->pool};
    delivery::DkimSign sign = ctx_.services.dkim_sign;  // named: see asio/blocking_call.hpp
    const auto signed_content = co_await delivery::prepare_message(
        ctx_.services.blocking, std::move(sign), content, std::move(how));
    outbound.content = signed_content;
    // 8-bit by what the content holds, not by what the client declared (RFC 6152: 7-bit
    // content declared BODY=8BITMIME may go to any server).
    outbound.eight_bit = policy::text::has_eight_bit(signed_content);
    attempt_.message_id = smtp::header_value(*content, "Message-ID");
    attempt_.started_unix_us = now_unix_us();
    queue_->in_flight += batch.recipients.size();
    auto results = co_await connection.send(outbound);
    const bool open = co_await record_attempt(batch, results, content, true);
    co_return open;
}

}  // namespace sluice::daemon::queue
