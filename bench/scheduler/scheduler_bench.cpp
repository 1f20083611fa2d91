// The scheduler on simulated time: N queued messages (one recipient each) across ISPs x sources
// (default 125 ISPs x 8 sources = 1 000 destination queues), with the real routing, admission and
// rate limiting of the queue manager (RecipientRouter, DestinationRegistry, DeliveryQueues,
// AdmissionControl) but no sockets and no disk: each admitted message is "delivered" at once, one
// in ten deferred once. Prints the heap bytes held per queued message (malloc's own count, before
// and after queueing) and the CPU time per message of routing + scheduling. Usage: scheduler_bench
// [MESSAGES]
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "daemon/queue/core/admission.hpp"
#include "daemon/queue/core/delivery_queues.hpp"
#include "daemon/queue/core/recipient_router.hpp"
#include "policy/config/model.hpp"
#include "policy/engine/compiled_policy.hpp"

namespace {

using namespace sluice;
using daemon::queue::Blocked;

constexpr int kIsps = 125;
constexpr int kSources = 8;  // coprime with kIsps, so every (ISP, source) queue is used

std::shared_ptr<const policy::config::Config> bench_config() {
    auto config = std::make_shared<policy::config::Config>();
    config->hostname = "bench.test";
    auto& p = config->policy;
    policy::config::Pool pool;
    pool.name = "bulk";
    for (int s = 0; s < kSources; ++s) {
        pool.sources.push_back({"s" + std::to_string(s), "127.0.0." + std::to_string(s + 2),
                                "s" + std::to_string(s) + ".bench.test", 1});
    }
    p.pools.push_back(pool);
    policy::config::Strategy strategy;
    strategy.name = "paced";
    strategy.max_connections = 4;
    strategy.messages_per_connection = 100;
    strategy.message_rate = policy::config::Rate{3600, std::chrono::hours(1)};
    p.strategies.push_back(strategy);
    for (int i = 0; i < kIsps; ++i) {
        policy::config::Isp isp;
        isp.name = "isp" + std::to_string(i);
        isp.domains = {"d" + std::to_string(i) + ".bench.test"};
        isp.strategy = "paced";
        isp.pool = "bulk";
        p.isps.push_back(isp);
    }
    return config;
}

std::string queue_id(std::uint64_t n) {
    static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUV";
    std::string id(16, '0');
    for (int i = 15; i >= 0; --i, n >>= 5) id[i] = digits[n & 31];
    return id;
}

std::size_t heap_in_use() {
    return mallinfo2().uordblks + mallinfo2().hblkhd;
}

double cpu_seconds() {
    return static_cast<double>(std::clock()) / CLOCKS_PER_SEC;
}

}  // namespace

int main(int argc, char** argv) {
    const std::uint64_t messages = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
    const auto config = bench_config();
    const auto policy = policy::engine::CompiledPolicy::build(*config);
    daemon::queue::DestinationRegistry registry(policy);
    daemon::queue::AdmissionControl admission(registry);
    daemon::queue::RecipientRouter router(config, policy);
    daemon::queue::DeliveryQueues queues;
    const std::int64_t start_unix = 1'800'000'000;
    std::int64_t now_unix = start_unix;
    const daemon::queue::Router route = [&](const daemon::queue::QueuedMessage& message,
                                            const std::string& domain) {
        auto routed = router.route(message, domain, now_unix);
        return routed ? std::optional(registry.ensure(*routed).key) : std::nullopt;
    };

    // Queue every message: the state the daemon holds for a full queue.
    const std::size_t heap_before = heap_in_use();
    const double add_started = cpu_seconds();
    for (std::uint64_t n = 0; n < messages; ++n) {
        daemon::spool::Envelope envelope;
        envelope.queue_id = queue_id(n);
        envelope.arrival_unix_us = start_unix * 1000000;
        envelope.sender = "newsletter@sender.example";
        envelope.listener = "submission";
        envelope.recipients.push_back(
            {"user" + std::to_string(n) + "@d" + std::to_string(n % kIsps) + ".bench.test", ""});
        auto message = daemon::queue::make_queued_message(envelope, {});
        (void)queues.add_message(message, now_unix, route);
    }
    const double add_cpu = cpu_seconds() - add_started;
    const std::size_t heap_after = heap_in_use();

    // Deliver on simulated time, a second per step, as the scheduler and workers would.
    const auto epoch = policy::speed::Instant{};
    std::uint64_t delivered = 0;
    std::uint64_t deferrals = 0;
    std::uint64_t steps = 0;
    const double run_started = cpu_seconds();
    while (delivered < messages) {
        const auto now = epoch + std::chrono::seconds(now_unix - start_unix);
        const auto wall = daemon::queue::WallTime(std::chrono::seconds(now_unix));
        (void)queues.release_due(now_unix, route);
        for (const auto& name : queues.ready_queues()) {
            auto* queue = registry.find(name);
            if (admission.may_connect(*queue, now, wall, 0, 1000000).reason != Blocked::none) {
                continue;
            }
            // As a worker does: may_connect took the first message's slot; later ones ask.
            bool first = true;
            while (first || admission.may_send(*queue, now, wall).reason == Blocked::none) {
                first = false;
                auto batch = queues.take_batch(name, 100);
                if (!batch) break;
                auto& recipient = batch->message->recipients[batch->recipients[0]];
                ++recipient.attempts;
                if (recipient.attempts == 1 && (delivered + deferrals) % 10 == 0) {
                    ++deferrals;
                    ++queue->counters.deferred;
                    admission.attempt_done(*queue, true);
                    queues.defer(batch->message, batch->recipients[0], now_unix + 300);
                } else {
                    batch->message->set_state(batch->recipients[0],
                                              daemon::spool::RecipientState::delivered);
                    ++queue->counters.delivered;
                    admission.attempt_done(*queue, false);
                    ++delivered;
                }
            }
        }
        ++now_unix;
        ++steps;
    }
    const double run_cpu = cpu_seconds() - run_started;

    const double per_message = static_cast<double>(heap_after - heap_before) / messages;
    std::printf("scheduler_bench: %llu messages, %zu destination queues, %d ISPs x %d sources\n",
                static_cast<unsigned long long>(messages), registry.queues().size(), kIsps,
                kSources);
    std::printf("  memory per queued message: %.0f bytes (heap in use %.1f MiB for the queue)\n",
                per_message, (heap_after - heap_before) / 1048576.0);
    std::printf("  queueing (route + enqueue): %.0f ns CPU per message\n",
                add_cpu * 1e9 / messages);
    std::printf(
        "  scheduling (admit + rate-limit + take + outcome): %.0f ns CPU per message "
        "(%llu simulated seconds, %llu deferrals)\n",
        run_cpu * 1e9 / messages, static_cast<unsigned long long>(steps),
        static_cast<unsigned long long>(deferrals));
    std::printf("  target: < 300 bytes per queued message: %s\n",
                per_message < 300 ? "met" : "NOT met");
    return 0;
}
