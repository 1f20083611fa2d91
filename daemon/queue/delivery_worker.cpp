// QueueManager::run_worker: one outbound connection of a destination queue, from its source to
// one domain's MX hosts (opened by delivery/destination_connector.hpp), carrying as many of that
// domain's ready messages as the strategy and the rate limits allow. Kept apart from the scheduling
// code in queue_manager.cpp.
#include <boost/asio/steady_timer.hpp>
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
#include "daemon/queue/queue_manager.hpp"
#include "daemon/smtp/header_fields.hpp"

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

asio::awaitable<bool> QueueManager::record_attempt(
    DestinationQueue& queue, const policy::engine::CompiledPolicy& policy,
    const policy::engine::ResolvedIsp& isp, const Batch& batch,
    const std::vector<delivery::RecipientResult>& results, const AttemptContext& attempt,
    std::shared_ptr<const std::string> content, bool step_speed) {
    queue.in_flight -= batch.recipients.size();
    const double random_unit = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
    const AttemptRules rules{policy, isp, services_.config()->delivery.retry_possibly_delivered};
    const auto outcome = co_await recorder_.record(
        batch, results, attempt, queues_, std::move(content), rules, now_unix(), random_unit);
    for (std::size_t k = 0; k < results.size() && k < outcome.recipients.size(); ++k) {
        const auto& reply = results[k].reply;
        if (k == 0 || reply.summary() != results[k - 1].reply.summary()) {
            // Shown by the status endpoint and sluicectl: escaped like a log line.
            DestinationRegistry::remember_reply(
                queue, log::printable_text(reply.summary()),
                results[k].dns_failure ? ReplyKind::dns_failure : ReplyKind::other);
        }
    }
    apply_lessons(queue, outcome.queue);
    if (step_speed) AdmissionControl::attempt_done(queue, outcome.queue.throttled);
    co_return outcome.queue.locks.empty();
}

void QueueManager::apply_lessons(DestinationQueue& queue, const QueueLessons& lessons) {
    queue.counters.delivered += lessons.delivered;
    queue.counters.deferred += lessons.deferred;
    queue.counters.bounced += lessons.bounced;
    queue.counters.expired += lessons.expired;
    for (const auto& hit : lessons.locks) {
        admission_.lock(queue, *hit.rule, log::printable_text(hit.reply), clock::now_wall());
        services_.logger.warning(
            "{}: locked by rule {} ({}) for {}s after \"{}\"", queue.name, hit.rule->name,
            hit.rule->scope == policy::config::LockScope::isp ? "whole ISP" : "queue",
            std::chrono::duration_cast<std::chrono::seconds>(hit.rule->lock_for).count(),
            hit.reply);  // the logger escapes it
    }
}

void QueueManager::give_back(Batch batch, const policy::engine::CompiledPolicy* started_with) {
    if (services_.policy().get() == started_with) {
        queues_.return_batch(std::move(batch));
        return;
    }
    // Reloaded since the worker started: routed again under the new rules (due at once).
    for (auto index : batch.recipients) queues_.defer(batch.message, index, now_unix());
    wake_scheduler();
}

// What one worker works with from start to end: its queue, the rules it started with (a reload
// does not change an open connection's rules), the domain it serves and the attempt's context.
struct QueueManager::WorkerRun {
    QueueKey key;
    DestinationQueue* queue;
    std::shared_ptr<const policy::config::Config> config;
    std::shared_ptr<const policy::engine::CompiledPolicy> policy;
    const policy::engine::ResolvedIsp* isp;
    std::string domain;
    AttemptContext attempt;
};

asio::awaitable<void> QueueManager::run_worker(QueueKey key) {
    auto config = services_.config();
    auto policy = services_.policy();  // this connection keeps the rules it started with
    auto* queue = registry_.find(key);
    auto first = queues_.take_batch(key, config->delivery.max_recipients_per_transaction);
    if (!queue || !first) co_return;
    const auto* isp = policy->isp_named(key.isp);
    if (!isp) isp = &policy->default_isp();
    WorkerRun run{key,
                  queue,
                  config,
                  policy,
                  isp,
                  first->domain,
                  AttemptContext{queue->name, "", "", "", "", now_unix_us(), ""}};

    const delivery::ConnectServices connect_services{
        executor_, services_.resolver, services_.mta_sts, services_.logger, rng_, stopped_};
    const auto settings = client_settings(*config, *queue, *isp, services_.outbound_tls);
    auto connected =
        co_await delivery::connect_to_domain(connect_services, *config, settings, run.domain);
    if (connected.stopped) {
        give_back(std::move(*first), policy.get());
        co_return;
    }
    run.attempt.mx_host = connected.mx_host;
    run.attempt.mx_ip = connected.mx_ip;
    if (!connected.connection) {
        co_await share_connection_failure(run, connected.failure, std::move(*first));
        co_return;
    }
    auto connection = std::move(connected.connection);
    ++queue->counters.connections;
    run.attempt.source_ip = connection->local_address().to_string();
    run.attempt.tls = connected.tls;
    run.attempt.remote_dsn = connection->supports("DSN");
    co_await send_over(run, *connection, std::move(*first));
    if (!connection->protocol_error().empty()) {
        services_.logger.warning("{}: session with {} [{}] out of step, closed: {}", queue->name,
                                 run.attempt.mx_host, run.attempt.mx_ip,
                                 connection->protocol_error());
    }
    co_await connection->quit();
}

asio::awaitable<void> QueueManager::share_connection_failure(
    WorkerRun& run, const delivery::RecipientResult& failure, Batch first) {
    // Every ready message of this queue for the domain shares the failure (a 4xx/5xx greeting
    // is a real reply: it may lock the queue).
    const auto max_recipients = run.config->delivery.max_recipients_per_transaction;
    std::optional<Batch> batch = std::move(first);
    bool first_reply = true;  // one reply: adaptive speed steps once, not once per batch
    while (batch) {
        run.queue->in_flight += batch->recipients.size();
        auto results = same_result(*batch, failure);  // named: see asio/blocking_call.hpp
        const bool open = co_await record_attempt(*run.queue, *run.policy, *run.isp, *batch,
                                                  results, run.attempt, nullptr, first_reply);
        first_reply = false;
        if (!open) break;
        batch = queues_.take_batch(run.key, max_recipients, &run.domain);
    }
}

asio::awaitable<QueueManager::Pace> QueueManager::pace(WorkerRun& run, bool first_token_held,
                                                       asio::steady_timer& pause) {
    // The rate limits pace an open connection; a long wait is better spent disconnected.
    Admission admission;
    if (first_token_held) {
        admission.reason =
            admission_.stopped(*run.queue, clock::now_wall());  // a lock or hold since
    } else {
        admission = admission_.may_send(*run.queue, asio::steady_timer::clock_type::now(),
                                        clock::now_wall());
    }
    if (admission.reason == Blocked::none) co_return Pace::go;
    const auto wait = admission.retry_at
                          ? *admission.retry_at - asio::steady_timer::clock_type::now()
                          : std::chrono::steady_clock::duration::max();
    if (wait > run.config->delivery.idle_connection_timeout) {
        if (admission.retry_at) wake_at(*admission.retry_at);
        co_return Pace::stop;
    }
    pause.expires_at(*admission.retry_at);
    admission_.begin_pacing(*run.queue);
    co_await pause.async_wait(nothrow_awaitable);
    admission_.end_pacing(*run.queue);
    co_return Pace::ask_again;
}

asio::awaitable<void> QueueManager::send_over(WorkerRun& run,
                                              delivery::ClientConnection& connection, Batch first) {
    const auto max_recipients = run.config->delivery.max_recipients_per_transaction;
    std::uint32_t sent = 0;
    // may_connect took the rate tokens of the first message; later ones take their own.
    bool first_token_held = true;
    std::optional<Batch> batch = std::move(first);
    asio::steady_timer pause(executor_);
    while (batch) {
        if (stopped_ || !connection.usable() ||
            sent >= run.queue->strategy.messages_per_connection) {
            give_back(std::move(*batch), run.policy.get());
            break;
        }
        const Pace paced = co_await pace(run, first_token_held, pause);
        first_token_held = false;
        if (paced == Pace::ask_again) continue;
        if (paced == Pace::stop) {
            give_back(std::move(*batch), run.policy.get());
            break;
        }
        if (sent > 0) {
            // Not "sent > 0 && co_await ...": GCC 12 mishandles co_await in conditional
            // evaluation.
            const bool reset = co_await connection.reset();
            if (!reset) {
                give_back(std::move(*batch), run.policy.get());
                break;
            }
        }
        const std::optional<bool> open = co_await send_one(run, connection, *batch);
        if (open) ++sent;
        if (open == false) break;
        batch = queues_.take_batch(run.key, max_recipients, &run.domain);
    }
}

asio::awaitable<std::optional<bool>> QueueManager::send_one(WorkerRun& run,
                                                            delivery::ClientConnection& connection,
                                                            Batch& batch) {
    auto reader = content_reader(services_.queue_dir / batch.message->queue_id());
    auto content = co_await run_blocking<std::shared_ptr<const std::string>>(services_.blocking,
                                                                             std::move(reader));
    if (!content) {
        // Perhaps only for now (file descriptors): try these recipients again later.
        services_.logger.error("{}: cannot read the spool file for delivery; retrying in {}s",
                               batch.message->queue_id(), kUnreadableRetrySeconds);
        for (auto index : batch.recipients) {
            queues_.defer(batch.message, index, now_unix() + kUnreadableRetrySeconds, run.key);
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
    const auto* pool_policy = run.policy->pool_named(run.queue->pool);
    delivery::Preparation how{run.policy->pool_header(),
                              pool_policy ? &pool_policy->headers : nullptr, &run.isp->headers,
                              run.queue->pool};
    delivery::DkimSign sign = services_.dkim_sign;  // named: see asio/blocking_call.hpp
    const auto signed_content = co_await delivery::prepare_message(
        services_.blocking, std::move(sign), content, std::move(how));
    outbound.content = signed_content;
    // 8-bit by what the content holds, not by what the client declared (RFC 6152: 7-bit
    // content declared BODY=8BITMIME may go to any server).
    outbound.eight_bit = delivery::has_eight_bit_bytes(signed_content);
    run.attempt.message_id = smtp::header_value(*content, "Message-ID");
    run.attempt.started_unix_us = now_unix_us();
    run.queue->in_flight += batch.recipients.size();
    auto results = co_await connection.send(outbound);
    const bool open = co_await record_attempt(*run.queue, *run.policy, *run.isp, batch, results,
                                              run.attempt, content, true);
    co_return open;
}

}  // namespace sluice::daemon::queue
