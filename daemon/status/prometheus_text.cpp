#include "daemon/status/prometheus_text.hpp"

#include <fmt/format.h>

#include <functional>

namespace sluice::daemon::status {

namespace {
// One metric family: HELP and TYPE once, then its samples.
class Family {
  public:
    Family(std::string& out, std::string_view name, std::string_view type, std::string_view help)
        : out_(out), name_(name) {
        fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, help, name,
                       type);
    }
    void sample(double value, std::string_view labels = {}) {
        if (labels.empty()) {
            fmt::format_to(std::back_inserter(out_), "{} {}\n", name_, value);
        } else {
            fmt::format_to(std::back_inserter(out_), "{}{{{}}} {}\n", name_, labels, value);
        }
    }

  private:
    std::string& out_;
    std::string_view name_;
};

std::string queue_labels(const QueueView& q) {
    return fmt::format("isp=\"{}\",source=\"{}\"", escape_label_value(q.isp),
                       escape_label_value(q.source));
}

void per_queue(std::string& out, const std::vector<QueueView>& queues, std::string_view name,
               std::string_view type, std::string_view help,
               const std::function<double(const QueueView&)>& value) {
    Family family(out, name, type, help);
    for (const auto& q : queues) family.sample(value(q), queue_labels(q));
}
// Per warming source its day, and per ISP today's count and cap ("*", every other ISP, has no
// count of its own and is left out of the count).
void warmup_families(std::string& out, const std::vector<WarmupView>& warmups) {
    if (warmups.empty()) return;
    {
        Family family(out, "sluice_warmup_day", "gauge",
                      "The warm-up day of a source (1 on its start date).");
        for (const auto& w : warmups) {
            family.sample(double(w.day),
                          fmt::format("source=\"{}\"", escape_label_value(w.source)));
        }
    }
    auto by_isp = [&](std::string_view name, std::string_view help, bool caps) {
        Family family(out, name, "gauge", help);
        for (const auto& w : warmups) {
            for (const auto& isp : w.isps) {
                if (caps ? !isp.daily_cap.has_value() : isp.isp == "*") continue;
                family.sample(caps ? double(*isp.daily_cap) : double(isp.taken),
                              fmt::format("source=\"{}\",isp=\"{}\"", escape_label_value(w.source),
                                          escape_label_value(isp.isp)));
            }
        }
    };
    by_isp("sluice_warmup_taken_recipients",
           "Recipients a warming source sent an ISP today (accepted or in flight).", false);
    by_isp("sluice_warmup_daily_cap", "Today's warm-up cap of a source for an ISP.", true);
}
}  // namespace

std::string escape_label_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '"') {
            out += "\\\"";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

std::string prometheus_text(const StatusView& s, const std::vector<QueueView>& queues) {
    std::string out;
    auto gauge = [&](std::string_view name, std::string_view help, double value) {
        Family(out, name, "gauge", help).sample(value);
    };
    auto counter = [&](std::string_view name, std::string_view help, double value) {
        Family(out, name, "counter", help).sample(value);
    };
    {
        Family info(out, "sluice_build_info", "gauge", "Version of the running sluiced.");
        info.sample(1, fmt::format("version=\"{}\"", escape_label_value(s.version)));
    }
    gauge("sluice_start_time_seconds", "Unix time sluiced started.", double(s.started_unix));
    gauge("sluice_config_generation", "Configuration generation (1 at start, +1 per reload).",
          double(s.config_generation));
    gauge("sluice_config_last_reload_successful", "Whether the last reload succeeded.",
          s.last_reload_ok ? 1 : 0);
    gauge("sluice_spool_messages", "Messages in the spool.", double(s.spool_messages));
    gauge("sluice_spool_bytes", "Uncompressed bytes in the spool (approximate).",
          double(s.spool_content_bytes));
    gauge("sluice_spool_compressed_bytes", "Bytes on disk in the spool (approximate).",
          double(s.spool_file_bytes));
    if (s.free_bytes) {
        gauge("sluice_spool_free_bytes", "Free bytes on the spool filesystem.",
              double(*s.free_bytes));
    }
    gauge("sluice_accepting", "Whether SMTP mail is being accepted.", s.accepting ? 1 : 0);
    gauge("sluice_sending_paused", "Whether an admin paused all sending.", s.node_held ? 1 : 0);
    counter("sluice_messages_accepted_total", "Messages accepted over SMTP.",
            double(s.totals.accepted));
    gauge("sluice_smtp_sessions", "Open inbound SMTP sessions.", double(s.smtp_sessions));
    counter("sluice_accounting_write_failures_total",
            "Accounting records that could not be written to the accounting file.",
            double(s.accounting.write_failures));
    counter("sluice_accounting_sync_failures_total",
            "Failed fdatasync calls on the accounting file (accounting.sync = batch).",
            double(s.accounting.sync_failures));
    counter("sluice_accounting_syncs_total", "fdatasync calls on the accounting file.",
            double(s.accounting.syncs));
    gauge("sluice_recipients_past_lifetime",
          "Recipients accepted, not final, not in flight and past their lifetime (always 0 "
          "unless expiry is broken).",
          double(s.past_lifetime_recipients));
    gauge("sluice_delivery_connections", "Open outbound connections.",
          double(s.active_connections));
    gauge("sluice_waiting_recipients", "Recipients waiting for a retry.",
          double(s.waiting_recipients));

    per_queue(out, queues, "sluice_queue_ready_recipients", "gauge",
              "Recipients ready to be sent now.",
              [](const QueueView& q) { return double(q.queued); });
    per_queue(out, queues, "sluice_queue_in_flight_recipients", "gauge",
              "Recipients in transactions now.",
              [](const QueueView& q) { return double(q.in_flight); });
    per_queue(out, queues, "sluice_queue_deferred_recipients", "gauge",
              "Recipients waiting for their next attempt.",
              [](const QueueView& q) { return double(q.deferred); });
    per_queue(out, queues, "sluice_queue_connections", "gauge", "Open connections.",
              [](const QueueView& q) { return double(q.connections); });
    per_queue(out, queues, "sluice_queue_max_connections", "gauge",
              "The strategy's connection limit.",
              [](const QueueView& q) { return double(q.max_connections); });
    per_queue(out, queues, "sluice_queue_rate_allowed_per_hour", "gauge",
              "The strategy's message rate (0 = unlimited).",
              [](const QueueView& q) { return q.allowed_per_hour; });
    per_queue(out, queues, "sluice_queue_rate_current_per_hour", "gauge",
              "The message rate in force now (adaptive speed; 0 = unlimited).",
              [](const QueueView& q) { return q.current_per_hour; });
    per_queue(out, queues, "sluice_queue_held", "gauge", "Whether an admin holds the queue.",
              [](const QueueView& q) { return q.held.empty() ? 0.0 : 1.0; });
    per_queue(out, queues, "sluice_queue_locked", "gauge", "Whether a lock rule holds the queue.",
              [](const QueueView& q) { return q.lock ? 1.0 : 0.0; });
    {
        Family family(out, "sluice_queue_recipients_total", "counter",
                      "Recipient outcomes by queue since start.");
        for (const auto& q : queues) {
            const auto labels = queue_labels(q);
            const std::pair<const char*, std::uint64_t> outcomes[] = {
                {"delivered", q.counts.delivered},
                {"deferred", q.counts.deferred},
                {"bounced", q.counts.bounced},
                {"expired", q.counts.expired},
                {"cleared", q.counts.cleared}};
            for (const auto& [outcome, count] : outcomes) {
                family.sample(double(count), fmt::format("{},outcome=\"{}\"", labels, outcome));
            }
        }
    }
    per_queue(out, queues, "sluice_queue_connections_total", "counter",
              "Connections opened since start.",
              [](const QueueView& q) { return double(q.counts.connections); });
    per_queue(out, queues, "sluice_queue_throttled_total", "counter",
              "Replies that slowed adaptive speed down.",
              [](const QueueView& q) { return double(q.counts.throttled); });
    warmup_families(out, s.warmups);
    return out;
}

}  // namespace sluice::daemon::status
