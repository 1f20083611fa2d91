#include "daemon/app/daemon_status.hpp"

#include <algorithm>
#include <chrono>
#include <map>

#include "daemon/app/warmup_status.hpp"
#include "daemon/clock/wall_clock.hpp"
#include "daemon/status/bearer_token.hpp"

namespace sluice::daemon::app {

using status::QueueView;

namespace {
// times_by_queue scans the ready and waiting sets; above this many entries /queues leaves
// next_attempt and oldest_arrival out.
constexpr std::size_t kMaxTimesScan = 200000;

status::QueueCounts counts_of(const queue::QueueCounters& c) {
    return {c.delivered, c.deferred, c.bounced, c.expired, c.cleared, c.connections, c.throttled};
}

// The queue's state and the reason in words: why it is or is not sending right now.
void explain(QueueView& view, const queue::DestinationQueue& queue, queue::Blocked stopped) {
    using queue::Blocked;
    if (stopped != Blocked::none) {
        view.state = std::string(queue::to_string(stopped));
        switch (stopped) {
            case Blocked::node_held:
                view.detail = "all sending is paused by an admin";
                break;
            case Blocked::held:
                view.detail = "held by an admin";
                break;
            default:
                view.detail = view.lock ? "locked by rule " + view.lock->rule + " after \"" +
                                              view.lock->reply + "\""
                                        : "locked";
        }
        return;
    }
    if (view.queued > 0 && queue.blocked != Blocked::none) {
        view.state = std::string(queue::to_string(queue.blocked));
        switch (queue.blocked) {
            case Blocked::connection_cap:
                view.detail = "all allowed connections are open";
                break;
            case Blocked::total_connections:
                view.detail = "delivery.max_connections reached across all queues";
                break;
            case Blocked::message_rate:
                view.detail = "waiting for the queue's message rate";
                break;
            case Blocked::isp_message_rate:
                view.detail = "waiting for the ISP's overall message rate";
                break;
            case Blocked::connect_rate:
                view.detail = "waiting for the connection rate";
                break;
            case Blocked::warmup_cap:
                view.detail = "the source's warm-up cap for this ISP is spent for today";
                break;
            case Blocked::warmup_rate:
                view.detail = "waiting for the source's warm-up message rate";
                break;
            default:
                view.detail = "blocked";
        }
        return;
    }
    if (view.queued > 0 || view.in_flight > 0) {
        view.state = "sending";
        view.detail = "sending";
        return;
    }
    if (view.deferred > 0) {
        const bool dns = !queue.last_replies.empty() &&
                         queue.last_replies.front().kind == queue::ReplyKind::dns_failure;
        view.state = dns ? "dns-failure" : "waiting-for-retry";
        view.detail =
            dns ? "waiting for retry after a DNS failure: " + queue.last_replies.front().text
                : "waiting for retry";
        return;
    }
    view.state = "idle";
    view.detail = "no mail to send";
}
}  // namespace

DaemonStatus::DaemonStatus(StatusSources sources) : sources_(std::move(sources)) {}

void DaemonStatus::refresh_token() {
    const auto config = sources_.config();
    token_.clear();
    if (config->status.token_file.empty()) return;
    if (auto ec = status::read_token_file(config->status.token_file, token_)) {
        sources_.logger.error("status.token_file {}: {}; status operations are refused",
                              config->status.token_file, ec.message());
        token_.clear();
    }
}

std::vector<policy::net::Cidr> DaemonStatus::read_networks() {
    const auto config = sources_.config();
    if (config->status.allow) return *config->status.allow;
    return {*policy::net::Cidr::parse("127.0.0.0/8"), *policy::net::Cidr::parse("::1/128")};
}

QueueView DaemonStatus::view_of(const queue::DestinationQueue& queue, queue::WallTime wall) const {
    const auto& manager = sources_.queue;
    const auto& admission = manager.admission();
    const auto& delivery = manager.delivery_queues();
    const auto& key = queue.key;
    QueueView view;
    view.name = queue.name;
    view.destination = queue.destination();
    view.isp = key.isp;
    view.site = key.site;
    view.source = key.source;
    view.pool = queue.pool;
    view.queued = delivery.ready_recipients(key);
    view.in_flight = queue.in_flight;
    view.deferred = delivery.waiting_in(key);
    if (admission.node_held()) {
        view.held = "node";
    } else if (admission.holds().contains(key.isp)) {
        view.held = "isp";
    } else if (admission.holds().contains(queue.destination())) {
        view.held = "site";
    } else if (admission.holds().contains(queue.name) ||
               (!key.site.empty() && admission.holds().contains(
                                         queue::to_string(queue::QueueKey{key.isp, key.source})))) {
        view.held = "queue";  // by its name, or by "default/source" for all that source's sites
    }
    if (const auto* lock = admission.lock_of(queue, wall)) {
        const bool own = admission.own_lock(queue, wall) != nullptr;
        view.lock = status::LockView{lock->rule, lock->reply,
                                     own ? "queue" : (key.site.empty() ? "isp" : "site"),
                                     lock->until.time_since_epoch().count()};
    }
    const auto& strategy = *queue.strategy;
    const auto& policy = manager.registry().policy();
    const auto* isp = policy.isp_named(key.isp);
    view.strategy = {strategy.name,
                     policy.shaping_of(isp ? *isp : policy.default_isp(), key.source),
                     strategy.max_connections,
                     strategy.messages_per_connection,
                     policy::config::per_hour(strategy.message_rate),
                     policy::config::per_hour(strategy.isp_message_rate),
                     policy::config::per_hour(strategy.connect_rate),
                     strategy.adaptive.has_value()};
    view.allowed_per_hour = policy::config::per_hour(strategy.message_rate);
    view.current_per_hour = queue.message_rate.per_second() * 3600.0;
    view.connections = queue.active;
    view.max_connections = strategy.max_connections;
    view.counts = counts_of(queue.counters);
    for (const auto& reply : queue.last_replies) view.last_replies.push_back(reply.text);
    explain(view, queue, admission.stopped(queue, wall));
    return view;
}

status::QueuePage DaemonStatus::queues(const status::QueueQuery& query) {
    const auto& manager = sources_.queue;
    std::optional<std::string> domain_destination;
    if (!query.domain.empty()) {
        domain_destination = manager.destination_of_domain(query.domain);
        if (!domain_destination) return status::page_of({}, query);  // not looked up: no queue
    }
    auto selected = [&](const queue::DestinationQueue& queue) {
        if (domain_destination && queue.destination() != *domain_destination) return false;
        // An ISP's name covers its sites.
        return query.destination.empty() || queue.key.isp == query.destination ||
               queue.destination() == query.destination;
    };
    // What sorting needs, for every queue selected; the full view only for the page (the long
    // tail can have a hundred thousand queues, the dashboard asks every 2 seconds).
    const auto& delivery = manager.delivery_queues();
    const auto times = delivery.times_by_queue(kMaxTimesScan);
    std::vector<QueueView> summaries;
    for (const auto& [key, queue] : manager.registry().queues()) {
        if (!selected(queue)) continue;
        QueueView& summary = summaries.emplace_back();
        summary.name = queue.name;
        summary.isp = key.isp;
        summary.site = key.site;
        summary.source = key.source;
        summary.queued = delivery.ready_recipients(key);
        summary.deferred = delivery.waiting_in(key);
        if (auto found = times.find(key); found != times.end()) {
            summary.next_attempt_unix = found->second.next_due_unix;
            summary.oldest_arrival_unix = found->second.oldest_arrival_unix;
        }
    }
    auto page = status::page_of(std::move(summaries), query);
    const auto wall = clock::now_wall();
    for (auto& view : page.queues) {
        const auto* queue =
            manager.registry().find(queue::QueueKey{view.isp, view.source, view.site});
        if (queue == nullptr) continue;  // cannot happen: same io-thread turn as the listing
        auto full = view_of(*queue, wall);
        full.next_attempt_unix = view.next_attempt_unix;
        full.oldest_arrival_unix = view.oldest_arrival_unix;
        view = std::move(full);
    }
    return page;
}

namespace {
// A site queue's view folded into its ISP and source's roll-up for /metrics (its counters are
// added with the registry's, by the caller).
void roll_up(QueueView& into, const QueueView& site) {
    into.queued += site.queued;
    into.in_flight += site.in_flight;
    into.deferred += site.deferred;
    into.connections += site.connections;
    into.max_connections = std::max(into.max_connections, site.max_connections);
    into.allowed_per_hour = std::max(into.allowed_per_hour, site.allowed_per_hour);
    into.current_per_hour = std::max(into.current_per_hour, site.current_per_hour);
    if (into.held.empty()) into.held = site.held;
    if (!into.lock) into.lock = site.lock;
}
}  // namespace

std::vector<QueueView> DaemonStatus::metric_queues() {
    const auto& registry = sources_.queue.registry();
    const auto wall = clock::now_wall();
    std::vector<QueueView> out;
    std::map<std::pair<std::string, std::string>, QueueView> tails;
    auto tail = [&](const std::string& isp, const std::string& source) -> QueueView& {
        auto [it, fresh] = tails.try_emplace({isp, source});
        if (fresh) {
            it->second.name = queue::to_string(queue::QueueKey{isp, source});
            it->second.destination = it->second.isp = isp;
            it->second.source = source;
        }
        return it->second;
    };
    // Each roll-up's counters: its site queues' and those of the site queues reclaimed.
    auto counters = registry.retired();  // a copy, per ISP and source
    for (const auto& [key, queue] : registry.queues()) {
        if (key.site.empty()) {
            out.push_back(view_of(queue, wall));
        } else {
            roll_up(tail(key.isp, key.source), view_of(queue, wall));
            queue::add_counters(counters[{key.isp, key.source}], queue.counters);
        }
    }
    for (const auto& [isp_source, sum] : counters) {
        tail(isp_source.first, isp_source.second).counts = counts_of(sum);
    }
    for (auto& [isp_source, view] : tails) out.push_back(std::move(view));
    std::sort(out.begin(), out.end(),
              [](const QueueView& a, const QueueView& b) { return a.name < b.name; });
    return out;
}

status::StatusView DaemonStatus::status() {
    const auto config = sources_.config();
    status::StatusView s;
    s.version = sources_.version;
    s.hostname = config->hostname;
    s.now_unix = clock::now_unix();
    s.started_unix = sources_.started_unix;
    const auto& reload = sources_.reload;
    s.config_generation = reload.generation;
    s.last_reload_unix = reload.last_unix;
    s.last_reload_ok = reload.ok;
    s.last_reload_error = reload.error;
    const auto usage = sources_.spool.usage().snapshot();
    s.spool_messages = usage.messages;
    s.spool_content_bytes = usage.content_bytes;
    s.spool_file_bytes = usage.file_bytes;
    std::uint64_t free_bytes = 0;
    if (!sources_.spool.free_space(free_bytes)) s.free_bytes = free_bytes;
    s.min_free_bytes = config->spool_free_space_floor();
    bool listening = false;
    for (const auto& listener : sources_.listeners) {
        const auto endpoint = listener->local_endpoint();
        s.listeners.push_back({listener->settings().name, endpoint.address().to_string(),
                               endpoint.port(), listener->listening()});
        listening = listening || listener->listening();
    }
    // The same test the SMTP session makes before MAIL (server_session.cpp).
    s.accepting = listening && s.free_bytes && *s.free_bytes >= s.min_free_bytes;
    const auto& registry = sources_.queue.registry();
    s.node_held = sources_.queue.admission().node_held();
    s.totals.accepted = sources_.accepted;
    queue::QueueCounters all;
    for (const auto& [key, queue] : registry.queues()) {
        queue::add_counters(all, queue.counters);
        s.ready_recipients += sources_.queue.delivery_queues().ready_recipients(key);
    }
    for (const auto& [isp_source, counters] : registry.retired()) {
        queue::add_counters(all, counters);
    }
    s.totals.delivered = all.delivered;
    s.totals.bounced = all.bounced;
    s.totals.deferred = all.deferred;
    s.totals.expired = all.expired;
    s.totals.cleared = all.cleared;
    s.active_connections = sources_.queue.active_connections();
    s.smtp_sessions = sources_.registry.open_sessions();
    s.waiting_recipients = sources_.queue.delivery_queues().waiting_recipients();
    s.past_lifetime_recipients = sources_.queue.past_lifetime(s.now_unix);
    s.queues = registry.queues().size();
    s.accounting = {sources_.accounting.write_failures(), sources_.accounting.sync_failures(),
                    sources_.accounting.syncs()};
    s.warmups = warmup_views(registry.policy(), registry.warmups(), clock::wall_time(s.now_unix));
    return s;
}

bool DaemonStatus::knows_isp(const std::string& isp) {
    const auto& holds = sources_.queue.admission().holds();
    // A hold left from an ISP a reload removed, or on a site whose queue was reclaimed, must
    // still be releasable.
    if (holds.contains(isp)) return true;
    for (const auto& name : holds) {
        if (name.starts_with(isp + "/")) return true;
    }
    const auto& policy = sources_.queue.registry().policy();
    // "ISP:site" names a site of a known ISP whether or not its queue exists now (it may be
    // held ahead of its mail, or have been reclaimed).
    const auto colon = isp.find(':');
    const std::string name = colon == std::string::npos ? isp : isp.substr(0, colon);
    if (colon != std::string::npos && colon + 1 == isp.size()) return false;
    return policy.isp_named(name) != nullptr || policy.default_isp().name == name;
}

status::ReloadResult DaemonStatus::reload() {
    sources_.reload_now();
    const auto& reload = sources_.reload;
    return {reload.ok, reload.generation, reload.error};
}

status::HoldsResult DaemonStatus::holds_now(std::error_code save_error) const {
    if (save_error) return {save_error, false, {}};
    const auto holds = sources_.queue.holds();
    return {{}, holds.node, std::vector<std::string>(holds.keys.begin(), holds.keys.end())};
}

boost::asio::awaitable<status::HoldsResult> DaemonStatus::hold(status::OperationScope scope) {
    const queue::AdminScope target{scope.isp, scope.source};
    const std::error_code ec = co_await sources_.queue.hold(target);
    co_return holds_now(ec);
}

boost::asio::awaitable<status::HoldsResult> DaemonStatus::release(status::OperationScope scope) {
    const queue::AdminScope target{scope.isp, scope.source};
    const std::error_code ec = co_await sources_.queue.release(target);
    co_return holds_now(ec);
}

bool DaemonStatus::unlock(const status::OperationScope& scope) {
    return sources_.queue.unlock(queue::AdminScope{scope.isp, scope.source});
}

boost::asio::awaitable<status::ClearResult> DaemonStatus::clear(status::OperationScope scope) {
    const queue::AdminScope target{scope.isp, scope.source};
    const auto dsn = scope.dsn ? queue::ClearDsn::yes : queue::ClearDsn::no;
    const auto count = co_await sources_.queue.clear(target, dsn);
    co_return status::ClearResult{count.recipients, count.messages};
}

}  // namespace sluice::daemon::app
