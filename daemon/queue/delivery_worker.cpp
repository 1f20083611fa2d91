// QueueManager::run_worker: one outbound connection of a destination queue, from its source to
// one domain's MX hosts (opened by destination_connector.hpp), carrying as many of that domain's
// ready messages as the strategy and the rate limits allow. Kept apart from the scheduling code
// in queue_manager.cpp.
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "daemon/asio/nothrow_awaitable.hpp"
#include "daemon/clock/wall_clock.hpp"
#include "daemon/delivery/send_rules.hpp"
#include "daemon/log/printable_text.hpp"
#include "daemon/queue/blocking_call.hpp"
#include "daemon/queue/content_reader.hpp"
#include "daemon/queue/destination_connector.hpp"
#include "daemon/queue/queue_manager.hpp"
#include "daemon/smtp/header_fields.hpp"
#include "policy/engine/header_changes.hpp"

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

WallTime wall_now() {
    return WallTime(std::chrono::seconds(now_unix()));
}
}  // namespace

asio::awaitable<bool> QueueManager::record_attempt(
    DestinationQueue& queue, const policy::engine::CompiledPolicy& policy,
    const policy::engine::ResolvedIsp& isp, const Batch& batch,
    const std::vector<delivery::RecipientResult>& results, const AttemptContext& attempt,
    std::shared_ptr<const std::string> content, bool step_speed) {
    queue.in_flight -= batch.recipients.size();
    const double random_unit = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
    auto judged = co_await recorder_.record(batch, results, attempt, queues_, std::move(content),
                                            policy, isp, random_unit);
    bool open = true;
    bool throttled = false;  // a real temporary failure: adaptive speed steps down once
    for (std::size_t k = 0; k < judged.size(); ++k) {
        const auto& verdict = judged[k].verdict;
        const auto& reply = results[k].reply;
        // Shown by the status endpoint and sluicectl: escaped like a log line.
        const std::string shown = log::printable_text(reply.summary());
        if (k == 0 || reply.summary() != results[k - 1].reply.summary()) {
            throttle_.remember_reply(queue, shown);
        }
        switch (verdict.action) {
            case policy::engine::Action::delivered:
                throttle_.delivered(queue);
                break;
            case policy::engine::Action::bounce:
                ++queue.counters.bounced;
                break;
            case policy::engine::Action::retry:
                if (judged[k].final) {
                    ++queue.counters.expired;
                } else {
                    throttle_.deferred(queue);
                    throttled = throttled || !results[k].synthetic;
                }
                break;
        }
        if (verdict.lock) {
            throttle_.lock(queue, *verdict.lock, shown, wall_now());
            services_.logger.warning(
                "{}: locked by rule {} ({}) for {}s after \"{}\"", queue.name, verdict.lock->name,
                verdict.lock->scope == policy::config::LockScope::isp ? "whole ISP" : "queue",
                std::chrono::duration_cast<std::chrono::seconds>(verdict.lock->lock_for).count(),
                reply.summary());  // the logger escapes it
            open = false;
        }
    }
    if (step_speed) throttle_.attempt_done(queue, throttled);
    co_return open;
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

asio::awaitable<void> QueueManager::run_worker(std::string queue_name) {
    const auto config = services_.config();
    const auto policy = services_.policy();  // this connection keeps the rules it started with
    const auto& d = config->delivery;
    auto* queue = throttle_.find(queue_name);
    auto first = queues_.take_batch(queue_name, d.max_recipients_per_transaction);
    if (!queue || !first) co_return;
    const std::string domain = first->domain;
    const auto* isp = policy->isp_named(queue->isp);
    if (!isp) isp = &policy->default_isp();

    AttemptContext attempt{queue_name, "", "", "", "", now_unix_us(), ""};
    const ConnectServices connect_services{
        executor_, services_.resolver, services_.mta_sts, services_.logger, rng_, stopped_};
    const auto settings = client_settings(*config, *queue, *isp, services_.outbound_tls);
    auto connected = co_await connect_to_domain(connect_services, *config, settings, domain);
    if (connected.stopped) {
        give_back(std::move(*first), policy.get());
        co_return;
    }
    attempt.mx_host = connected.mx_host;
    attempt.mx_ip = connected.mx_ip;

    if (!connected.connection) {
        // Every ready message of this queue for the domain shares the failure (a 4xx/5xx
        // greeting is a real reply: it may lock the queue).
        std::optional<Batch> batch = std::move(first);
        bool first_reply = true;  // one reply: adaptive speed steps once, not once per batch
        while (batch) {
            queue->in_flight += batch->recipients.size();
            // Named: see blocking_call.hpp.
            auto results = same_result(*batch, connected.failure);
            const bool open = co_await record_attempt(*queue, *policy, *isp, *batch, results,
                                                      attempt, nullptr, first_reply);
            first_reply = false;
            if (!open) break;
            batch = queues_.take_batch(queue_name, d.max_recipients_per_transaction, &domain);
        }
        co_return;
    }

    auto connection = std::move(connected.connection);
    ++queue->counters.connections;
    attempt.source_ip = connection->local_address().to_string();
    attempt.tls = connected.tls;
    const std::string pool_header = policy->pool_header();
    std::uint32_t sent = 0;
    // may_connect took the rate tokens of the first message; later ones take their own.
    bool first_token_held = true;
    std::optional<Batch> batch = std::move(first);
    asio::steady_timer pause(executor_);
    while (batch) {
        if (stopped_ || !connection->usable() || sent >= queue->strategy.messages_per_connection) {
            give_back(std::move(*batch), policy.get());
            break;
        }
        // The rate limits pace an open connection; a long wait is better spent disconnected.
        Admission admission;
        if (first_token_held) {
            admission.reason = throttle_.stopped(*queue, wall_now());  // a lock or hold since
            first_token_held = false;
        } else {
            admission =
                throttle_.may_send(*queue, asio::steady_timer::clock_type::now(), wall_now());
        }
        if (admission.reason != Blocked::none) {
            const auto wait = admission.retry_at
                                  ? *admission.retry_at - asio::steady_timer::clock_type::now()
                                  : std::chrono::steady_clock::duration::max();
            if (wait > d.idle_connection_timeout) {
                give_back(std::move(*batch), policy.get());
                if (admission.retry_at) wake_at(*admission.retry_at);
                break;
            }
            pause.expires_at(*admission.retry_at);
            throttle_.begin_pacing(*queue);
            co_await pause.async_wait(nothrow_awaitable);
            throttle_.end_pacing(*queue);
            continue;
        }
        if (sent > 0) {
            // Not "sent > 0 && co_await ...": GCC 12 mishandles co_await in conditional
            // evaluation.
            const bool reset = co_await connection->reset();
            if (!reset) {
                give_back(std::move(*batch), policy.get());
                break;
            }
        }
        auto reader = content_reader(services_.queue_dir / batch->message->queue_id());
        auto content = co_await run_blocking<std::shared_ptr<const std::string>>(services_.blocking,
                                                                                 std::move(reader));
        if (!content) {
            // Perhaps only for now (file descriptors): try these recipients again later.
            services_.logger.error("{}: cannot read the spool file for delivery; retrying in {}s",
                                   batch->message->queue_id(), kUnreadableRetrySeconds);
            for (auto index : batch->recipients) {
                queues_.defer(batch->message, index, now_unix() + kUnreadableRetrySeconds,
                              queue_name);
            }
            batch = queues_.take_batch(queue_name, d.max_recipients_per_transaction, &domain);
            continue;
        }
        const auto& message = *batch->message;
        delivery::OutboundMessage outbound;
        outbound.sender = std::string(message.sender());
        for (auto index : batch->recipients) {
            outbound.recipients.emplace_back(message.address(index));
        }
        outbound.smtputf8 = message.smtputf8;
        // Sluice's control headers never leave the relay; DKIM signs what is sent, after every
        // header change, off the io thread (an RSA signature costs ~0.25 ms). outbound.content
        // is only a view: the signed copy lives in this frame until send() is done.
        auto sending = content;
        if (smtp::has_header(*content, pool_header)) {
            sending =
                std::make_shared<const std::string>(smtp::remove_header(*content, pool_header));
        }
        // The pool's and the ISP's header policies (remove, then add), before DKIM signs.
        const auto* pool_policy = policy->pool_named(queue->pool);
        const auto* pool_headers = pool_policy ? &pool_policy->headers : nullptr;
        if ((pool_headers && !pool_headers->empty()) || !isp->headers.empty()) {
            sending = std::make_shared<const std::string>(
                policy::engine::apply_header_policies(*sending, {pool_headers, &isp->headers}));
        }
        auto sign = [&dkim_sign = services_.dkim_sign, sending, pool = queue->pool] {
            return dkim_sign(*sending, pool);
        };
        const auto signed_content = co_await run_blocking<std::string>(services_.blocking, sign);
        outbound.content = signed_content;
        // 8-bit by what the content holds, not by what the client declared (RFC 6152: 7-bit
        // content declared BODY=8BITMIME may go to any server).
        outbound.eight_bit = delivery::has_eight_bit_bytes(signed_content);
        attempt.message_id = smtp::header_value(*content, "Message-ID");
        attempt.started_unix_us = now_unix_us();
        queue->in_flight += batch->recipients.size();
        auto results = co_await connection->send(outbound);
        const bool open =
            co_await record_attempt(*queue, *policy, *isp, *batch, results, attempt, content, true);
        ++sent;
        if (!open) break;
        batch = queues_.take_batch(queue_name, d.max_recipients_per_transaction, &domain);
    }
    if (!connection->protocol_error().empty()) {
        services_.logger.warning("{}: session with {} [{}] out of step, closed: {}", queue_name,
                                 attempt.mx_host, attempt.mx_ip, connection->protocol_error());
    }
    co_await connection->quit();
}

}  // namespace sluice::daemon::queue
