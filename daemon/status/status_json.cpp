#include "daemon/status/status_json.hpp"

#include <boost/json/serialize.hpp>
#include <cmath>

namespace sluice::daemon::status {

namespace json = boost::json;

namespace {
json::value optional_time(const std::optional<std::int64_t>& unix) {
    return unix ? json::value(*unix) : json::value(nullptr);
}

json::object counts_json(const QueueCounts& c) {
    return {{"delivered", c.delivered}, {"deferred", c.deferred}, {"bounced", c.bounced},
            {"expired", c.expired},     {"cleared", c.cleared},   {"connections", c.connections},
            {"throttled", c.throttled}};
}
}  // namespace

json::value to_json(const QueueView& q) {
    json::object out;
    out["name"] = q.name;
    out["destination"] = q.destination;
    out["isp"] = q.isp;
    out["site"] = q.site.empty() ? json::value(nullptr) : json::value(q.site);
    out["source"] = q.source;
    out["pool"] = q.pool;
    out["queued"] = q.queued;
    out["in_flight"] = q.in_flight;
    out["deferred"] = q.deferred;
    out["held"] = q.held.empty() ? json::value(nullptr) : json::value(q.held);
    if (q.lock) {
        out["lock"] = json::object{{"rule", q.lock->rule},
                                   {"reply", q.lock->reply},
                                   {"scope", q.lock->scope},
                                   {"until", q.lock->until_unix}};
    } else {
        out["lock"] = nullptr;
    }
    // Whole messages per hour read better than 1.2E3; 0 means unlimited.
    out["rate"] = json::object{{"allowed_per_hour", std::llround(q.allowed_per_hour)},
                               {"current_per_hour", std::llround(q.current_per_hour)}};
    out["connections"] = json::object{{"open", q.connections}, {"max", q.max_connections}};
    const auto& st = q.strategy;
    json::array shaped_by;
    for (const auto& layer : st.shaped_by) shaped_by.emplace_back(layer);
    out["strategy"] =
        json::object{{"name", st.name},
                     {"shaped_by", std::move(shaped_by)},
                     {"max_connections", st.max_connections},
                     {"messages_per_connection", st.messages_per_connection},
                     {"message_rate_per_hour", std::llround(st.message_rate_per_hour)},
                     {"isp_message_rate_per_hour", std::llround(st.isp_message_rate_per_hour)},
                     {"connect_rate_per_hour", std::llround(st.connect_rate_per_hour)},
                     {"adaptive", st.adaptive}};
    out["counts"] = counts_json(q.counts);
    json::array replies;
    for (const auto& reply : q.last_replies) replies.emplace_back(reply);
    out["last_replies"] = std::move(replies);
    out["next_attempt"] = optional_time(q.next_attempt_unix);
    out["oldest_arrival"] = optional_time(q.oldest_arrival_unix);
    out["state"] = q.state;
    out["why"] = q.detail;
    return out;
}

json::value to_json(const QueuePage& page) {
    json::array out;
    out.reserve(page.queues.size());
    for (const auto& queue : page.queues) out.push_back(to_json(queue));
    return json::object{{"queues", std::move(out)},
                        {"total", page.total},
                        {"offset", page.offset},
                        {"limit", page.limit}};
}

namespace {
// A count that may be unlimited: null then.
json::value count_or_null(const std::optional<std::uint64_t>& count) {
    if (!count) return nullptr;
    return *count;
}

json::object warmup_json(const WarmupView& w) {
    json::array isps;
    for (const auto& isp : w.isps) {
        isps.push_back(json::object{{"isp", isp.isp},
                                    {"daily_cap", count_or_null(isp.daily_cap)},
                                    {"taken", isp.taken},
                                    {"left", count_or_null(isp.left)},
                                    {"message_rate_per_hour", isp.message_rate_per_hour}});
    }
    return json::object{{"source", w.source},
                        {"pool", w.pool},
                        {"schedule", w.schedule},
                        {"time_zone", w.time_zone},
                        {"date", w.date},
                        {"day", w.day},
                        {"warm_from_day", w.warm_from_day},
                        {"warm", w.warm},
                        {"over_cap", w.over_cap},
                        {"isps", std::move(isps)}};
}
}  // namespace

json::value to_json(const StatusView& s) {
    json::object out;
    out["version"] = s.version;
    out["hostname"] = s.hostname;
    out["time"] = s.now_unix;
    out["started"] = s.started_unix;
    out["uptime_seconds"] = s.now_unix - s.started_unix;
    out["config"] = json::object{
        {"generation", s.config_generation},
        {"last_reload",
         s.last_reload_unix ? json::value(s.last_reload_unix) : json::value(nullptr)},
        {"last_reload_ok", s.last_reload_ok},
        {"last_reload_error",
         s.last_reload_error.empty() ? json::value(nullptr) : json::value(s.last_reload_error)}};
    out["spool"] = json::object{
        {"messages", s.spool_messages},
        {"bytes", s.spool_content_bytes},
        {"compressed_bytes", s.spool_file_bytes},
        {"free_bytes", s.free_bytes ? json::value(*s.free_bytes) : json::value(nullptr)},
        {"min_free_bytes", s.min_free_bytes}};
    out["accepting"] = s.accepting;
    out["sending_paused"] = s.node_held;
    const auto& t = s.totals;
    out["totals"] =
        json::object{{"accepted", t.accepted}, {"delivered", t.delivered}, {"bounced", t.bounced},
                     {"deferred", t.deferred}, {"expired", t.expired},     {"cleared", t.cleared}};
    out["delivery"] = json::object{{"connections", s.active_connections},
                                   {"queues", s.queues},
                                   {"ready_recipients", s.ready_recipients},
                                   {"waiting_recipients", s.waiting_recipients},
                                   {"past_lifetime_recipients", s.past_lifetime_recipients}};
    out["smtp_sessions"] = s.smtp_sessions;
    out["accounting"] = json::object{{"write_failures", s.accounting.write_failures},
                                     {"sync_failures", s.accounting.sync_failures},
                                     {"syncs", s.accounting.syncs}};
    json::array listeners;
    for (const auto& l : s.listeners) {
        listeners.push_back(json::object{{"name", l.name},
                                         {"address", l.address},
                                         {"port", l.port},
                                         {"state", l.listening ? "listening" : "stopped"}});
    }
    out["listeners"] = std::move(listeners);
    json::array warmups;
    for (const auto& w : s.warmups) warmups.push_back(warmup_json(w));
    out["warmups"] = std::move(warmups);
    return out;
}

std::string error_body(std::string_view message) {
    return to_body(json::object{{"error", message}});
}

std::string to_body(const json::value& value) {
    return json::serialize(value) + "\n";
}

}  // namespace sluice::daemon::status
