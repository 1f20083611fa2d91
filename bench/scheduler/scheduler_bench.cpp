// The scheduler on simulated time, with the real routing, admission and rate limiting of the
// queue manager (RecipientRouter, DestinationRegistry, DeliveryQueues, AdmissionControl) but no
// sockets and no disk: each admitted message is "delivered" at once, one in ten deferred once.
// Two traffic mixes:
//   isps       N messages (one recipient each) across 125 ISPs x 8 sources = 1 000 queues;
//   long-tail  N messages across D domains no ISP entry claims, each on its own MX host: the
//              default rules queue them per site, so D site queues (one source), which are
//              reclaimed once idle.
// Prints the heap bytes held per queued message (malloc's own count, before and after
// queueing), per site queue and per remembered MX answer, and the CPU time per message of
// routing + scheduling. Usage: scheduler_bench [isps|long-tail] [MESSAGES] [DOMAINS]
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
constexpr std::int64_t kStartUnix = 1'800'000'000;

policy::config::Strategy paced_strategy() {
    policy::config::Strategy strategy;
    strategy.name = "paced";
    strategy.max_connections = 4;
    strategy.messages_per_connection = 100;
    strategy.message_rate = policy::config::Rate{3600, std::chrono::hours(1)};
    return strategy;
}

// isps: 125 ISPs (domain dN.bench.test each) over the 8 sources of pool "bulk".
// long-tail: no ISP entry; the default rules use the paced strategy and the implicit pool.
std::shared_ptr<const policy::config::Config> bench_config(bool long_tail) {
    auto config = std::make_shared<policy::config::Config>();
    config->hostname = "bench.test";
    auto& p = config->policy;
    p.strategies.push_back(paced_strategy());
    if (long_tail) {
        p.defaults.strategy = "paced";
        return config;
    }
    policy::config::Pool pool;
    pool.name = "bulk";
    for (int s = 0; s < kSources; ++s) {
        pool.sources.push_back({"s" + std::to_string(s), "127.0.0." + std::to_string(s + 2),
                                "s" + std::to_string(s) + ".bench.test", 1});
    }
    p.pools.push_back(pool);
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

std::string tail_domain(std::uint64_t n) {
    return "t" + std::to_string(n) + ".tail.test";
}

std::size_t heap_in_use() {
    return mallinfo2().uordblks + mallinfo2().hblkhd;
}

double cpu_seconds() {
    return static_cast<double>(std::clock()) / CLOCKS_PER_SEC;
}

// Everything the queue manager holds, on simulated time.
struct Scheduler {
    explicit Scheduler(std::shared_ptr<const policy::config::Config> config)
        : policy(policy::engine::CompiledPolicy::build(*config)),
          registry(policy),
          admission(registry),
          router(config, policy, registry.warmups()) {}

    std::shared_ptr<const policy::engine::CompiledPolicy> policy;
    daemon::queue::DestinationRegistry registry;
    daemon::queue::AdmissionControl admission;
    daemon::queue::RecipientRouter router;
    daemon::queue::DeliveryQueues queues;
    std::int64_t now_unix = kStartUnix;
    const daemon::queue::Router route = [this](const daemon::queue::QueuedMessage& message,
                                               const std::string& domain) {
        auto routed = router.route(message, domain, now_unix);
        return routed ? std::optional(registry.ensure(*routed).key) : std::nullopt;
    };

    [[nodiscard]] policy::speed::Instant now() const {
        return policy::speed::Instant{} + std::chrono::seconds(now_unix - kStartUnix);
    }
};

struct RunFigures {
    std::uint64_t deferrals = 0;
    std::uint64_t steps = 0;
    double cpu = 0;
};

// Delivers every queued message, a simulated second per step, as the scheduler and workers
// would.
RunFigures deliver_all(Scheduler& s, std::uint64_t messages) {
    RunFigures figures;
    std::uint64_t delivered = 0;
    const double started = cpu_seconds();
    while (delivered < messages) {
        const auto now = s.now();
        const auto wall = daemon::queue::WallTime(std::chrono::seconds(s.now_unix));
        (void)s.queues.release_due(s.now_unix, s.route);
        for (const auto& name : s.queues.ready_queues()) {
            auto* queue = s.registry.find(name);
            if (s.admission.may_connect(*queue, now, wall, 0, 1000000).reason != Blocked::none) {
                continue;
            }
            // As a worker does: may_connect took the first message's slot; later ones ask.
            bool first = true;
            while (first || s.admission.may_send(*queue, now, wall).reason == Blocked::none) {
                first = false;
                auto batch = s.queues.take_batch(name, 100);
                if (!batch) break;
                auto& recipient = batch->message->recipients[batch->recipients[0]];
                ++recipient.attempts;
                if (recipient.attempts == 1 && (delivered + figures.deferrals) % 10 == 0) {
                    ++figures.deferrals;
                    ++queue->counters.deferred;
                    s.admission.attempt_done(*queue, true);
                    s.queues.defer(batch->message, batch->recipients[0], s.now_unix + 300);
                } else {
                    batch->message->set_state(batch->recipients[0],
                                              daemon::spool::RecipientState::delivered);
                    ++queue->counters.delivered;
                    s.admission.attempt_done(*queue, false);
                    ++delivered;
                }
            }
        }
        ++s.now_unix;
        ++figures.steps;
    }
    figures.cpu = cpu_seconds() - started;
    return figures;
}

daemon::queue::MessagePtr bench_message(std::uint64_t n, std::string recipient) {
    daemon::spool::Envelope envelope;
    envelope.queue_id = queue_id(n);
    envelope.arrival_unix_us = kStartUnix * 1000000;
    envelope.sender = "newsletter@sender.example";
    envelope.listener = "submission";
    envelope.recipients.push_back({std::move(recipient), ""});
    return daemon::queue::make_queued_message(envelope, {});
}

void print_common(std::uint64_t messages, std::size_t heap_delta, double add_cpu,
                  const RunFigures& run) {
    const double per_message = static_cast<double>(heap_delta) / messages;
    std::printf("  memory per queued message: %.0f bytes (heap in use %.1f MiB for the queue)\n",
                per_message, heap_delta / 1048576.0);
    std::printf("  queueing (route + enqueue): %.0f ns CPU per message\n",
                add_cpu * 1e9 / messages);
    std::printf(
        "  scheduling (admit + rate-limit + take + outcome): %.0f ns CPU per message "
        "(%llu simulated seconds, %llu deferrals)\n",
        run.cpu * 1e9 / messages, static_cast<unsigned long long>(run.steps),
        static_cast<unsigned long long>(run.deferrals));
    std::printf("  target: < 300 bytes per queued message: %s\n",
                per_message < 300 ? "met" : "NOT met");
}

int run_isps(std::uint64_t messages) {
    Scheduler s(bench_config(false));
    const std::size_t heap_before = heap_in_use();
    const double add_started = cpu_seconds();
    for (std::uint64_t n = 0; n < messages; ++n) {
        auto recipient =
            "user" + std::to_string(n) + "@d" + std::to_string(n % kIsps) + ".bench.test";
        (void)s.queues.add_message(bench_message(n, std::move(recipient)), s.now_unix, s.route);
    }
    const double add_cpu = cpu_seconds() - add_started;
    const std::size_t heap_after = heap_in_use();
    const auto run = deliver_all(s, messages);
    std::printf(
        "scheduler_bench isps: %llu messages, %zu destination queues, %d ISPs x %d sources\n",
        static_cast<unsigned long long>(messages), s.registry.queues().size(), kIsps, kSources);
    print_common(messages, heap_after - heap_before, add_cpu, run);
    return 0;
}

int run_long_tail(std::uint64_t messages, std::uint64_t domains) {
    Scheduler s(bench_config(true));
    const auto valid_until = s.now_unix + 3600;

    // What one remembered MX answer costs (the router keeps one per domain looked up).
    const std::size_t before_answers = heap_in_use();
    for (std::uint64_t d = 0; d < domains; ++d) {
        s.router.mx_known(tail_domain(d), {"mx." + tail_domain(d)}, s.now_unix, valid_until);
    }
    const std::size_t answers = heap_in_use() - before_answers;

    // What one idle site queue costs: registry entry, rate limiters, its destination's state.
    const std::size_t before_queues = heap_in_use();
    const auto probe = bench_message(0, "x@t0.tail.test");
    for (std::uint64_t d = 0; d < domains; ++d) {
        (void)s.route(*probe, tail_domain(d));
    }
    const std::size_t queue_bytes = heap_in_use() - before_queues;

    // The queued messages on top of the answers and queues.
    const std::size_t heap_before = heap_in_use();
    const double add_started = cpu_seconds();
    for (std::uint64_t n = 0; n < messages; ++n) {
        auto recipient = "user" + std::to_string(n) + "@" + tail_domain(n % domains);
        (void)s.queues.add_message(bench_message(n, std::move(recipient)), s.now_unix, s.route);
    }
    const double add_cpu = cpu_seconds() - add_started;
    const std::size_t heap_after = heap_in_use();
    const auto site_queues = s.registry.queues().size();
    const auto run = deliver_all(s, messages);

    // Idle site queues go: seen idle once, then again ten minutes later.
    auto busy = [&](const daemon::queue::DestinationQueue& queue) {
        return s.queues.ready_batches(queue.key) > 0 || s.queues.waiting_in(queue.key) > 0;
    };
    const std::size_t before_reclaim = heap_in_use();
    const double reclaim_started = cpu_seconds();
    (void)s.registry.reclaim_idle(s.now(), std::chrono::minutes(10), busy);
    s.now_unix += 601;
    const auto reclaimed = s.registry.reclaim_idle(s.now(), std::chrono::minutes(10), busy);
    const double reclaim_cpu = cpu_seconds() - reclaim_started;
    const std::size_t after_reclaim = heap_in_use();

    std::printf(
        "scheduler_bench long-tail: %llu messages over %llu domains, %zu site queues (default "
        "rules, one source)\n",
        static_cast<unsigned long long>(messages), static_cast<unsigned long long>(domains),
        site_queues);
    print_common(messages, heap_after - heap_before, add_cpu, run);
    const double per_queue = static_cast<double>(queue_bytes) / domains;
    std::printf("  memory per idle site queue: %.0f bytes; target < 1024: %s\n", per_queue,
                per_queue < 1024 ? "met" : "NOT met");
    std::printf("  memory per remembered MX answer: %.0f bytes\n",
                static_cast<double>(answers) / domains);
    std::printf(
        "  reclaiming idle queues: %llu reclaimed (%zu left), %.1f MiB freed, %.0f ns CPU per "
        "queue over two passes\n",
        static_cast<unsigned long long>(reclaimed), s.registry.queues().size(),
        (static_cast<double>(before_reclaim) - static_cast<double>(after_reclaim)) / 1048576.0,
        reclaim_cpu * 1e9 / domains);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "isps";
    const std::uint64_t messages = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1000000;
    if (mode == "isps") return run_isps(messages);
    if (mode == "long-tail") {
        const std::uint64_t domains = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 100000;
        return run_long_tail(messages, domains);
    }
    std::fprintf(stderr, "usage: scheduler_bench [isps|long-tail] [MESSAGES] [DOMAINS]\n");
    return 2;
}
