#include "daemon/queue/queue_manager.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <limits>

#include "daemon/asio/blocking_call.hpp"
#include "daemon/asio/nothrow_awaitable.hpp"
#include "daemon/clock/wall_clock.hpp"
#include "daemon/dns/destination_resolver.hpp"
#include "daemon/smtp/header_fields.hpp"
#include "daemon/spool/spool_reader.hpp"
#include "policy/text/ascii.hpp"

namespace sluice::daemon::queue {

namespace asio = boost::asio;
using clock::now_unix;

namespace {
using asio_support::nothrow_awaitable;
constexpr std::size_t kLoadChunk = 512;
// How long an MX rollup answer classifies a domain (a failed lookup: the default rules).
constexpr std::int64_t kMxRollupSeconds = 3600;
constexpr std::int64_t kMxRollupFailedSeconds = 60;
// A site's queue idle this long is reclaimed (DestinationRegistry::reclaim_idle); looked for once
// a minute. Long enough that a site mailed every few minutes keeps its counters and speed.
constexpr std::chrono::minutes kReclaimIdleAfter{10};
constexpr std::int64_t kReclaimEverySeconds = 60;

std::optional<std::chrono::seconds> delay_warning_of(const policy::config::Config& config) {
    if (!config.delivery.delay_warning) return std::nullopt;
    return std::chrono::ceil<std::chrono::seconds>(*config.delivery.delay_warning);
}
}  // namespace

QueueManager::QueueManager(asio::any_io_executor executor, QueueServices services)
    : executor_(executor),
      services_(std::move(services)),
      registry_(services_.policy()),
      admission_(registry_),
      router_(services_.config(), services_.policy(), registry_.warmups()),
      shortest_lifetime_(shortest_lifetime(*services_.policy())),
      delay_warning_(delay_warning_of(*services_.config())),
      recorder_(services_.config, services_.queue_dir, services_.spool, services_.queue_ids,
                services_.accounting, services_.blocking, services_.logger,
                [this](const spool::Envelope& envelope) { message_spooled(envelope); }),
      wakeup_(executor),
      rng_(std::random_device{}()),
      workers_{executor_,
               services_,
               registry_,
               admission_,
               queues_,
               recorder_,
               rng_,
               stopped_,
               [this] { wake_scheduler(); },
               [this](Instant when) { wake_at(when); },
               [this] { return save_warmup(); }},
      hold_file_(services_.holds_file),
      warmup_ledger_(services_.warmup_file) {}

void QueueManager::start(spool::RecoveryResult recovered) {
    HoldSet saved;
    if (services_.holds_file.empty()) {
        // No file configured (unit tests): holds live in memory only.
    } else if (auto ec = hold_file_.load(saved)) {
        services_.logger.error("cannot read the holds file {}: {}; starting without holds",
                               services_.holds_file.string(), ec.message());
    } else {
        admission_.set_node_held(saved.node);
        for (const auto& key : saved.keys) admission_.hold(key, true);
        if (saved.node || !saved.keys.empty()) {
            services_.logger.notice("holds restored: {}{} ISPs or queues held",
                                    saved.node ? "all sending paused; " : "", saved.keys.size());
        }
    }
    restore_warmup_counts();
    asio::co_spawn(executor_, schedule_loop(), asio::detached);
    asio::co_spawn(executor_, load(std::move(recovered)), asio::detached);
}

void QueueManager::restore_warmup_counts() {
    if (services_.warmup_file.empty()) return;  // unit tests: counts live in memory only
    std::vector<WarmupCount> saved;
    if (auto ec = warmup_ledger_.load(saved)) {
        // Starting from zero could send a warming source's day twice: refuse to start.
        throw std::runtime_error("cannot read the warm-up counts " +
                                 services_.warmup_file.string() + ": " + ec.message());
    }
    const auto now = clock::now_wall();
    for (const auto& count : saved) registry_.warmups().restore(count, now);
    if (!saved.empty()) {
        services_.logger.notice("warm-up: {} counts of today restored", saved.size());
    }
}

asio::awaitable<std::error_code> QueueManager::save_warmup() {
    if (services_.warmup_file.empty()) co_return std::error_code();
    auto save = [ledger = &warmup_ledger_, counts = registry_.warmups().counts(),
                 generation = ++warmup_generation_] { return ledger->save(counts, generation); };
    const auto ec = co_await run_blocking<std::error_code>(services_.blocking, std::move(save));
    if (ec) services_.logger.error("cannot save the warm-up counts: {}", ec.message());
    co_return ec;
}

void QueueManager::stop() {
    stopped_ = true;
    wakeup_.cancel();
}

Router QueueManager::router() {
    return
        [this](const QueuedMessage& message, const std::string& domain) -> std::optional<QueueKey> {
            auto route = router_.route(message, domain, now_unix());
            if (!route) return std::nullopt;
            return registry_.ensure(*route).key;
        };
}

void QueueManager::message_spooled(const spool::Envelope& envelope,
                                   const std::string& header_pool) {
    if (stopped_) return;  // on disk; the next start picks it up
    add(make_queued_message(envelope, {}, header_pool));
}

void QueueManager::add(const MessagePtr& message) {
    if (message->finished()) return;
    if (const auto due = first_look(*message); due != std::numeric_limits<std::int64_t>::max()) {
        expiry_.watch(message, due);
    }
    for (const auto& queue : queues_.add_message(message, now_unix(), router())) {
        start_workers(queue);
    }
    start_lookups();
    wake_scheduler();
}

void QueueManager::reconfigure() {
    const auto config = services_.config();
    const auto policy = services_.policy();
    const auto queues_changed = registry_.reconfigure(policy);
    registry_.warmups().roll_all(clock::now_wall());
    router_.reconfigure(config, policy);
    // A shorter lifetime applies at once to mail already queued.
    shortest_lifetime_ = shortest_lifetime(*policy);
    delay_warning_ = delay_warning_of(*config);
    expiry_.bring_forward([this](const QueuedMessage& m) { return first_look(m); });
    // Ready work is routed again under the new rules; waiting recipients are when they are due,
    // and those in flight when their attempt ends.
    auto ready = queues_.drain_ready();
    const auto route = router();
    const auto now = now_unix();
    std::size_t moved = 0;
    for (auto& [message, index] : ready) {
        queues_.defer(message, index, now);  // due at once: release_due routes it
        ++moved;
    }
    for (const auto& queue : queues_.release_due(now, route)) start_workers(queue);
    start_lookups();
    services_.logger.notice(
        "reload: {} ready recipients re-routed (waiting ones are when due); {} of {} queues run "
        "under changed limits",
        moved, queues_changed, registry_.queues().size());
    wake_scheduler();
}

void QueueManager::start_lookups() {
    for (auto& domain : router_.take_wanted_lookups()) {
        asio::co_spawn(executor_, look_up_mx(std::move(domain)), asio::detached);
    }
}

asio::awaitable<void> QueueManager::look_up_mx(std::string domain) {
    const auto config = services_.config();
    auto found =
        co_await dns::resolve_destinations(services_.resolver, domain, config->delivery.port, rng_);
    std::vector<std::string> mx_hosts;
    for (const auto& destination : found.destinations) mx_hosts.push_back(destination.mx_host);
    const bool failed = found.error && !found.permanent;
    const auto now = now_unix();
    router_.mx_known(domain, mx_hosts, now,
                     now + (failed ? kMxRollupFailedSeconds : kMxRollupSeconds));
    if (stopped_) co_return;
    for (const auto& queue : queues_.route_domain(domain, router())) start_workers(queue);
    start_lookups();
    wake_scheduler();  // a queue held back by its rate needs the timer re-armed
}

asio::awaitable<void> QueueManager::load(spool::RecoveryResult recovered) {
    struct Loaded {
        std::vector<spool::SpooledMessage> messages;
        std::vector<std::string> header_pools;
        std::vector<std::string> unreadable;
    };
    std::size_t queued = 0;
    const auto& entries = recovered.messages;
    const std::string pool_header = services_.policy()->pool_header();
    for (std::size_t begin = 0; begin < entries.size() && !stopped_; begin += kLoadChunk) {
        std::vector<std::string> ids;
        for (std::size_t i = begin; i < std::min(entries.size(), begin + kLoadChunk); ++i) {
            ids.emplace_back(entries[i].id());
        }
        auto read_chunk = [ids, pool_header, dir = services_.queue_dir] {
            Loaded out;
            for (const auto& id : ids) {
                spool::SpooledMessage message;
                if (spool::read_spool_file(dir / id, message)) {
                    out.unreadable.push_back(id);
                    continue;
                }
                out.header_pools.push_back(smtp::header_value(message.content, pool_header));
                message.content.clear();  // bodies stay on disk
                message.content.shrink_to_fit();
                out.messages.push_back(std::move(message));
            }
            return out;
        };
        // Named, not a temporary inside co_await: GCC 12 may destroy such temporaries twice.
        auto loaded = co_await run_blocking<Loaded>(services_.blocking, std::move(read_chunk));
        for (const auto& id : loaded.unreadable) {
            services_.logger.error("{}: spool file unreadable after recovery; left alone", id);
        }
        for (std::size_t i = 0; i < loaded.messages.size(); ++i) {
            const auto& stored = loaded.messages[i];
            auto message =
                make_queued_message(stored.envelope, stored.progress, loaded.header_pools[i]);
            if (message->finished()) {
                const std::string queue_id(message->queue_id());  // named: see above
                (void)co_await recorder_.remove_finished(queue_id);
                continue;
            }
            add(message);
            ++queued;
        }
    }
    services_.logger.notice("queue: {} spooled messages queued for delivery", queued);
}

void QueueManager::wake_scheduler() {
    wakeup_.cancel();
}

void QueueManager::wake_at(Instant when) {
    if (!rate_wake_ || when < *rate_wake_) rate_wake_ = when;
    // Outside a scheduler pass the timer may be armed for later: have the loop look again.
    if (when < wakeup_.expiry()) wakeup_.cancel();
}

asio::awaitable<void> QueueManager::schedule_loop() {
    while (!stopped_) {
        const std::int64_t now = now_unix();
        const auto wall = clock::wall_time(now);
        const auto next_unlock = admission_.expire_locks(wall);
        expire_due(now);
        reclaim_idle_queues(now);
        for (const auto& queue : queues_.release_due(now, router())) start_workers(queue);
        start_lookups();
        // Queues held back by a rate limit, a lock that just expired or a worker that just
        // ended are looked at again on every pass.
        rate_wake_.reset();
        for (const auto& queue : queues_.ready_queues()) start_workers(queue);

        auto wake = asio::steady_timer::time_point::max();
        const auto steady_now = asio::steady_timer::clock_type::now();
        auto consider_unix = [&](std::int64_t at_unix) {
            const auto at =
                steady_now + std::chrono::seconds(std::max<std::int64_t>(at_unix - now, 0));
            wake = std::min(wake, at);
        };
        if (const auto next = queues_.next_due()) consider_unix(*next);
        if (next_unlock) consider_unix(next_unlock->time_since_epoch().count());
        if (rate_wake_) wake = std::min(wake, *rate_wake_);
        if (const auto next = expiry_.next_due()) consider_unix(*next);
        if (!registry_.queues().empty()) consider_unix(next_reclaim_);
        registry_.warmups().roll_all(wall);
        if (const auto refill = registry_.warmups().next_refill()) {
            consider_unix(refill->time_since_epoch().count());
        }
        wakeup_.expires_at(wake);
        co_await wakeup_.async_wait(nothrow_awaitable);
    }
}

std::optional<std::string> QueueManager::destination_of_domain(const std::string& domain) const {
    const std::string name = policy::text::to_lower(domain);
    const auto* isp = router_.last_known_isp(name);
    if (!isp) return std::nullopt;
    return destination_of(QueueKey{isp->name, {}, router_.last_known_site(name)});
}

void QueueManager::reclaim_idle_queues(std::int64_t now) {
    if (now < next_reclaim_) return;
    next_reclaim_ = now + kReclaimEverySeconds;
    const auto wall = clock::wall_time(now);
    auto busy = [&](const DestinationQueue& queue) {
        return queues_.ready_batches(queue.key) > 0 || queues_.waiting_in(queue.key) > 0 ||
               admission_.lock_of(queue, wall) != nullptr;
    };
    const auto reclaimed =
        registry_.reclaim_idle(asio::steady_timer::clock_type::now(), kReclaimIdleAfter, busy);
    if (reclaimed > 0) {
        services_.logger.info("queue: {} idle site queues reclaimed; {} queues known", reclaimed,
                              registry_.queues().size());
    }
}

namespace {
// For log lines: "(all)", "Gmail", "default:mx.example.net" or "Gmail/192.0.2.10".
std::string describe(const AdminScope& scope) {
    if (scope.isp.empty()) return "(all)";
    return scope.source.empty() ? scope.isp : to_string(QueueKey{scope.isp, scope.source});
}
}  // namespace

HoldSet QueueManager::holds() const {
    return HoldSet{admission_.node_held(), admission_.holds()};
}

asio::awaitable<std::error_code> QueueManager::save_holds() {
    if (services_.holds_file.empty()) co_return std::error_code();
    auto save = [file = &hold_file_, snapshot = holds(), generation = ++hold_generation_] {
        return file->save(snapshot, generation);
    };
    const auto ec = co_await run_blocking<std::error_code>(services_.blocking, std::move(save));
    if (ec) services_.logger.error("cannot save the holds file: {}", ec.message());
    co_return ec;
}

asio::awaitable<std::error_code> QueueManager::hold(AdminScope scope) {
    if (scope.isp.empty()) {
        admission_.set_node_held(true);
    } else {
        admission_.hold(describe(scope), true);
    }
    services_.logger.notice("admin: hold {}", describe(scope));
    co_return co_await save_holds();
}

asio::awaitable<std::error_code> QueueManager::release(AdminScope scope) {
    if (scope.isp.empty()) {
        admission_.set_node_held(false);
    } else if (!scope.source.empty()) {
        admission_.hold(describe(scope), false);
    } else {
        // The destination's own hold and those of its queues, named to_string(key) =
        // "destination/source" like the holds file's lines (a queue held before a restart may
        // not be known yet); an ISP's name covers its sites ("default:site").
        admission_.hold(scope.isp, false);
        const std::string queues = scope.isp + "/";
        const std::string sites = scope.isp + ":";
        const std::set<std::string> names = admission_.holds();
        for (const auto& name : names) {
            if (name.starts_with(queues) || name.starts_with(sites)) admission_.hold(name, false);
        }
    }
    services_.logger.notice("admin: release {}", describe(scope));
    wake_scheduler();
    co_return co_await save_holds();
}

bool QueueManager::unlock(const AdminScope& scope) {
    bool any = false;
    if (scope.isp.empty()) {
        any = admission_.unlock_all() > 0;
    } else if (scope.source.empty()) {
        any = admission_.unlock_isp(scope.isp);
    } else {
        any = admission_.unlock_queue(QueueKey{scope.isp, scope.source});
    }
    services_.logger.notice("admin: unlock {}: {}", describe(scope),
                            any ? "lifted" : "nothing was locked");
    wake_scheduler();
    return any;
}

bool QueueManager::in_scope(const AdminScope& scope, const QueueKey& key) {
    if (scope.isp.empty()) return true;
    const bool destination = key.isp == scope.isp || destination_of(key) == scope.isp;
    return destination && (scope.source.empty() || key.source == scope.source);
}

asio::awaitable<ClearCount> QueueManager::clear(AdminScope scope, ClearDsn dsn) {
    std::vector<ClearedRecipient> cleared;
    for (const auto& [key, queue] : registry_.queues()) {
        if (!in_scope(scope, key)) continue;
        for (auto& batch : queues_.remove_queue(key)) {
            for (auto index : batch.recipients) cleared.push_back({batch.message, index, key});
        }
    }
    // Waiting recipients belong to the queue they were last tried through, or else to the one
    // the current rules route them to. remove_if visits the matches in the order it removes
    // them, so `keys` lines up with `waiting`.
    const auto route = router();
    std::vector<QueueKey> keys;
    auto matches = [&](const DeliveryQueues::WaitingRecipient& w) {
        QueueKey key = w.queue;
        if (key.empty()) {
            auto routed = route(*w.message, recipient_domain(w.message->address(w.index)));
            if (!routed) return false;
            key = std::move(*routed);
        }
        if (!in_scope(scope, key)) return false;
        keys.push_back(std::move(key));
        return true;
    };
    auto waiting = queues_.remove_waiting(matches);
    for (std::size_t i = 0; i < waiting.size(); ++i) {
        cleared.push_back({waiting[i].first, waiting[i].second, keys[i]});
    }
    ClearCount count;
    count.recipients = cleared.size();
    for (const auto& item : cleared) {
        if (auto* queue = registry_.find(item.queue)) ++queue->counters.cleared;
    }
    services_.logger.notice("admin: clear {}: {} recipients", describe(scope), count.recipients);
    count.messages = co_await recorder_.clear(std::move(cleared), dsn);
    co_return count;
}

void QueueManager::overflow(const DestinationQueue& queue) {
    const auto* pool = services_.policy()->pool_named(queue.pool);
    const auto now = now_unix();
    if (!pool || !router_.overflows(queue.key.source, *pool, now)) return;
    // Due at once: release_due routes them again, and the router picks a warm source.
    std::size_t moved = 0;
    for (auto& batch : queues_.remove_queue(queue.key)) {
        for (auto index : batch.recipients) {
            queues_.defer(batch.message, index, now);
            ++moved;
        }
    }
    if (moved == 0) return;
    services_.logger.info("{}: warm-up cap spent for today; {} recipients go through warm sources",
                          queue.name, moved);
    wake_scheduler();
}

void QueueManager::start_workers(const QueueKey& key) {
    if (stopped_) return;
    auto* queue = registry_.find(key);
    if (!queue) return;
    const auto config = services_.config();
    while (queue->active < queues_.ready_batches(key)) {
        const auto admission =
            admission_.may_connect(*queue, asio::steady_timer::clock_type::now(), clock::now_wall(),
                                   total_active_, config->delivery.max_connections);
        if (admission.reason != Blocked::none) {
            if (admission.retry_at) wake_at(*admission.retry_at);
            if (admission.reason == Blocked::warmup_cap) overflow(*queue);
            break;
        }
        ++queue->active;
        ++total_active_;
        asio::co_spawn(executor_, run_delivery_worker(workers_, key),
                       [this, key](std::exception_ptr error) {
                           if (auto* ended = registry_.find(key)) --ended->active;
                           --total_active_;
                           if (error) {
                               try {
                                   std::rethrow_exception(error);
                               } catch (const std::exception& e) {
                                   services_.logger.error("delivery for {} ended by exception: {}",
                                                          to_string(key), e.what());
                               }
                           }
                           // Capacity freed: work that waits here or elsewhere may go.
                           wake_scheduler();
                       });
    }
}

}  // namespace sluice::daemon::queue
