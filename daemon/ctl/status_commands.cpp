#include "daemon/ctl/status_commands.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <time.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <string>

#include "daemon/ctl/status_client.hpp"
#include "daemon/status/bearer_token.hpp"
#include "policy/config/load.hpp"

namespace sluice::daemon::ctl {

namespace {
namespace json = boost::json;

constexpr std::string_view kUsage =
    "usage: sluicectl status|queues [OPTIONS]\n"
    "       sluicectl queue DESTINATION [OPTIONS]\n"
    "       sluicectl hold|release|unlock [DESTINATION [SOURCE]] [OPTIONS]\n"
    "       sluicectl clear DESTINATION [SOURCE] [OPTIONS]   sluicectl clear --all [OPTIONS]\n"
    "       sluicectl reload [OPTIONS]\n"
    "  -c, --config FILE   configuration file (default /etc/sluice/sluice.conf): status.listen\n"
    "                      gives the URL, status.token_file the token\n"
    "  --url URL           the status endpoint (http://127.0.0.1:8025)\n"
    "  --token-file FILE   the bearer token for hold, release, clear, unlock and reload\n"
    "  --json              print the endpoint's JSON answer\n"
    "  --all               with clear and no ISP: clear every queue of the node\n"
    "  --dsn               with clear: send each sender a DSN for the removed recipients\n"
    "  --domain DOMAIN     with queues/queue: the queues mail for DOMAIN goes through\n"
    "  --sort KEY          with queues/queue: name (default), waiting (most first) or oldest\n"
    "  --limit N, --offset N  with queues/queue: one page (default the first 1000 queues)\n"
    "  DESTINATION is an ISP (Gmail; default covers every site of the long tail) or one\n"
    "  site (default:mx.example.net); hold/release/unlock without it apply to the whole node\n"
    "  (hold: pause all sending)\n";

struct Options {
    std::string config_path = "/etc/sluice/sluice.conf";
    bool config_given = false;
    std::string url;
    std::string token_file;
    bool json = false;
    bool all = false;
    bool dsn = false;
    std::vector<std::pair<std::string, std::string>> query;  // queues/queue: --domain and the like
    std::vector<std::string> operands;
};

bool parse_options(std::span<const std::string_view> args, Options& out) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        auto value = [&](std::string& into) {
            if (++i == args.size()) return false;
            into = std::string(args[i]);
            return true;
        };
        if (arg == "-c" || arg == "--config") {
            if (!value(out.config_path)) return false;
            out.config_given = true;
        } else if (arg == "--url") {
            if (!value(out.url)) return false;
        } else if (arg == "--token-file") {
            if (!value(out.token_file)) return false;
        } else if (arg == "--json") {
            out.json = true;
        } else if (arg == "--all") {
            out.all = true;
        } else if (arg == "--dsn") {
            out.dsn = true;
        } else if (arg == "--domain" || arg == "--sort" || arg == "--limit" || arg == "--offset") {
            std::string given;
            if (!value(given)) return false;
            out.query.emplace_back(std::string(arg.substr(2)), std::move(given));
        } else if (arg.starts_with("-")) {
            return false;
        } else {
            out.operands.emplace_back(arg);
        }
    }
    return true;
}

std::string percent_encode(std::string_view text) {
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += fmt::format("%{:02X}", c);
        }
    }
    return out;
}

std::string when(const json::value& unix_time) {
    if (!unix_time.is_int64()) return "-";
    const time_t t = unix_time.as_int64();
    tm utc{};
    gmtime_r(&t, &utc);
    char text[32];
    strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &utc);
    return text;
}

std::string number(const json::value& v) {
    if (v.is_int64()) return std::to_string(v.as_int64());
    if (v.is_uint64()) return std::to_string(v.as_uint64());
    if (v.is_double()) return v.as_double() == 0 ? "-" : fmt::format("{:.0f}", v.as_double());
    if (v.is_null()) return "-";
    return json::serialize(v);
}

// A rate per hour; 0 is how the endpoint says "no limit".
std::string rate(const json::value& v) {
    const bool zero = (v.is_int64() && v.as_int64() == 0) || (v.is_double() && v.as_double() == 0);
    return zero ? "unlimited" : number(v);
}

std::string text(const json::value& v) {
    if (v.is_string()) return std::string(v.as_string());
    return number(v);
}

void print_status(const json::object& s, std::ostream& out) {
    const auto& config = s.at("config").as_object();
    const auto& spool = s.at("spool").as_object();
    const auto& totals = s.at("totals").as_object();
    const auto& delivery = s.at("delivery").as_object();
    fmt::print(out, "sluiced {} on {}, up {} s\n", text(s.at("version")), text(s.at("hostname")),
               number(s.at("uptime_seconds")));
    fmt::print(
        out, "config generation {}; last reload: {}{}\n", number(config.at("generation")),
        config.at("last_reload").is_null() ? std::string("none") : when(config.at("last_reload")),
        config.at("last_reload_ok").as_bool() ? std::string()
                                              : " FAILED: " + text(config.at("last_reload_error")));
    fmt::print(out, "accepting mail: {}; sending: {}\n", s.at("accepting").as_bool() ? "yes" : "NO",
               s.at("sending_paused").as_bool() ? "PAUSED (node held)" : "yes");
    fmt::print(out, "spool: {} messages, {} bytes ({} on disk), {} bytes free\n",
               number(spool.at("messages")), number(spool.at("bytes")),
               number(spool.at("compressed_bytes")), number(spool.at("free_bytes")));
    fmt::print(out,
               "totals: accepted {}  delivered {}  deferred {}  bounced {}  expired {}  "
               "cleared {}\n",
               number(totals.at("accepted")), number(totals.at("delivered")),
               number(totals.at("deferred")), number(totals.at("bounced")),
               number(totals.at("expired")), number(totals.at("cleared")));
    fmt::print(out, "delivery: {} queues, {} connections, {} ready, {} waiting for retry\n",
               number(delivery.at("queues")), number(delivery.at("connections")),
               number(delivery.at("ready_recipients")), number(delivery.at("waiting_recipients")));
    for (const auto& l : s.at("listeners").as_array()) {
        const auto& listener = l.as_object();
        fmt::print(out, "listener {}: {} port {} {}\n", text(listener.at("name")),
                   text(listener.at("address")), number(listener.at("port")),
                   text(listener.at("state")));
    }
}

std::string lock_or_hold(const json::object& q) {
    std::string what;
    if (!q.at("held").is_null()) what = "held(" + text(q.at("held")) + ")";
    if (q.at("lock").is_object()) {
        const auto& lock = q.at("lock").as_object();
        if (!what.empty()) what += ",";
        what += "lock " + text(lock.at("rule")) + " until " + when(lock.at("until"));
    }
    return what.empty() ? "-" : what;
}

// Says so when a listing is one page of more.
void print_page_note(const json::object& page, std::ostream& out) {
    const auto total = page.at("total").to_number<std::uint64_t>();
    const auto shown = page.at("queues").as_array().size();
    if (total <= shown) return;
    const auto offset = page.at("offset").to_number<std::uint64_t>();
    if (shown == 0) {
        fmt::print(out, "(no queues past {}: there are {})\n", offset, total);
    } else {
        fmt::print(out, "(queues {}-{} of {}: --offset and --limit show others)\n", offset + 1,
                   offset + shown, total);
    }
}

void print_queues(const json::object& page, std::ostream& out) {
    const auto& queues = page.at("queues").as_array();
    fmt::print(out, "{:<32} {:<18} {:>7} {:>7} {:>7} {:>7} {:>9} {:>9} {:>8}  {}\n", "QUEUE",
               "STATE", "READY", "FLIGHT", "DEFER", "CONN", "RATE/H", "DELIVERED", "BOUNCED",
               "LOCK/HOLD");
    for (const auto& item : queues) {
        const auto& q = item.as_object();
        const auto& conn = q.at("connections").as_object();
        fmt::print(out, "{:<32} {:<18} {:>7} {:>7} {:>7} {:>7} {:>9} {:>9} {:>8}  {}\n",
                   text(q.at("name")), text(q.at("state")), number(q.at("queued")),
                   number(q.at("in_flight")), number(q.at("deferred")),
                   number(conn.at("open")) + "/" + number(conn.at("max")),
                   rate(q.at("rate").as_object().at("current_per_hour")),
                   number(q.at("counts").as_object().at("delivered")),
                   number(q.at("counts").as_object().at("bounced")), lock_or_hold(q));
    }
    // Say so when this is one page of more.
    print_page_note(page, out);
}

// The effective strategy and what shaped it.
void print_strategy(const json::object& s, std::ostream& out) {
    std::string shaped;
    for (const auto& layer : s.at("shaped_by").as_array()) {
        shaped += shaped.empty() ? "; shaped by " : ", then ";
        shaped += text(layer);
    }
    fmt::print(out, "  strategy: {}{}\n", text(s.at("name")), shaped);
    fmt::print(out,
               "    max_connections {}, messages_per_connection {}, message_rate/h {}, "
               "isp_message_rate/h {}, connect_rate/h {}{}\n",
               number(s.at("max_connections")), number(s.at("messages_per_connection")),
               rate(s.at("message_rate_per_hour")), rate(s.at("isp_message_rate_per_hour")),
               rate(s.at("connect_rate_per_hour")), s.at("adaptive").as_bool() ? ", adaptive" : "");
}

void print_queue_details(const json::object& page, std::ostream& out) {
    for (const auto& item : page.at("queues").as_array()) {
        const auto& q = item.as_object();
        const auto& counts = q.at("counts").as_object();
        const auto& rates = q.at("rate").as_object();
        fmt::print(out, "{}\n  state: {} ({})\n", text(q.at("name")), text(q.at("state")),
                   text(q.at("why")));
        fmt::print(out, "  ready {}, in flight {}, deferred {}, next attempt {}\n",
                   number(q.at("queued")), number(q.at("in_flight")), number(q.at("deferred")),
                   when(q.at("next_attempt")));
        fmt::print(out, "  rate/h now {} of {}; connections {} of {}\n",
                   rate(rates.at("current_per_hour")), rate(rates.at("allowed_per_hour")),
                   number(q.at("connections").as_object().at("open")),
                   number(q.at("connections").as_object().at("max")));
        fmt::print(out, "  delivered {}, deferred {}, bounced {}, expired {}, cleared {}\n",
                   number(counts.at("delivered")), number(counts.at("deferred")),
                   number(counts.at("bounced")), number(counts.at("expired")),
                   number(counts.at("cleared")));
        fmt::print(out, "  lock/hold: {}\n", lock_or_hold(q));
        if (const auto* strategy = q.if_contains("strategy"); strategy && strategy->is_object()) {
            print_strategy(strategy->as_object(), out);
        }
        for (const auto& reply : q.at("last_replies").as_array()) {
            fmt::print(out, "  reply: {}\n", text(reply));
        }
    }
    print_page_note(page, out);
}

int run(std::string_view command, std::span<const std::string_view> args, std::ostream& out,
        std::ostream& err) {
    Options options;
    if (!parse_options(args, options)) {
        err << kUsage;
        return kExitUsage;
    }
    const bool operation = command != "status" && command != "queues" && command != "queue";
    const std::size_t max_operands = command == "queue"                 ? 1
                                     : operation && command != "reload" ? 2
                                                                        : 0;
    if (options.operands.size() > max_operands ||
        (command == "queue" && options.operands.empty())) {
        err << kUsage;
        return kExitUsage;
    }
    if (command == "clear" && options.operands.empty() && !options.all) {
        err << "sluicectl clear: name an ISP, or give --all to clear every queue\n";
        return kExitUsage;
    }
    std::shared_ptr<const policy::config::Config> config;
    if (options.url.empty() || (operation && options.token_file.empty())) {
        auto loaded = policy::config::load_config_file(options.config_path);
        if (loaded.config) {
            config = loaded.config;
        } else if (options.config_given) {
            for (const auto& e : loaded.errors) err << "sluicectl: " << e.to_string() << '\n';
            return kExitFailed;
        }
    }
    const std::string url_text = !options.url.empty() ? options.url
                                 : config             ? config->status.listen
                                                      : "127.0.0.1:8025";
    const auto url =
        options.url.empty() ? StatusUrl::from_listen(url_text) : StatusUrl::parse(url_text);
    if (!url) {
        err << "sluicectl: not a status URL (http://ADDRESS:PORT): " << url_text << '\n';
        return kExitUsage;
    }
    std::string token;
    if (operation) {
        const std::string file = !options.token_file.empty() ? options.token_file
                                 : config                    ? config->status.token_file
                                                             : std::string();
        if (file.empty()) {
            err << "sluicectl: " << command
                << " needs the status token: give --token-file or set status.token_file\n";
            return kExitFailed;
        }
        if (auto ec = status::read_token_file(file, token)) {
            err << "sluicectl: cannot read the token file " << file << ": " << ec.message() << '\n';
            return kExitFailed;
        }
    }
    std::string target = "/" + std::string(command);
    std::string body;
    if (command == "queue") target = "/queues/" + percent_encode(options.operands[0]);
    if (!options.query.empty() && (command == "queue" || command == "queues")) {
        char separator = '?';
        for (const auto& [key, value] : options.query) {
            target += separator + key + "=" + percent_encode(value);
            separator = '&';
        }
    } else if (!options.query.empty()) {
        err << kUsage;
        return kExitUsage;
    }
    if (command == "queue") {
        // the target is complete
    } else if (operation && command != "reload") {
        json::object scope;
        if (!options.operands.empty()) scope["isp"] = options.operands[0];
        if (options.operands.size() > 1) scope["source"] = options.operands[1];
        if (options.all) scope["all"] = true;
        if (options.dsn) scope["dsn"] = true;
        body = json::serialize(scope);
    }
    std::string error;
    const auto answer = http_request(*url, operation ? "POST" : "GET", target, body, token, error);
    if (!answer) {
        err << "sluicectl: " << error << '\n';
        return kExitFailed;
    }
    boost::system::error_code ec;
    const json::value parsed = json::parse(answer->body, ec);
    if (ec) {
        err << "sluicectl: sluiced answered " << answer->status << " with something not JSON\n";
        return kExitFailed;
    }
    if (answer->status >= 400) {
        const auto* object = parsed.if_object();
        const auto* message = object ? object->if_contains("error") : nullptr;
        err << "sluicectl: " << command << " failed (HTTP " << answer->status
            << "): " << (message ? text(*message) : answer->body) << '\n';
        if (answer->status == 401 || answer->status == 403) {
            err << "sluicectl: check the token file (--token-file or status.token_file)\n";
        }
        if (options.json) out << answer->body;
        return kExitFailed;
    }
    if (options.json) {
        out << answer->body;
        return kExitOk;
    }
    const auto& object = parsed.as_object();
    if (command == "status") {
        print_status(object, out);
    } else if (command == "queues") {
        print_queues(object, out);
    } else if (command == "queue") {
        print_queue_details(object, out);
    } else {
        out << command << ": " << answer->body;
    }
    return kExitOk;
}

// CommandGroup takes a plain function; a captureless lambda per command names it.
template <const char* Name>
int run_named(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
    return run(Name, args, out, err);
}
constexpr char kStatus[] = "status", kQueues[] = "queues", kQueue[] = "queue", kHold[] = "hold",
               kRelease[] = "release", kClear[] = "clear", kUnlock[] = "unlock",
               kReload[] = "reload";
}  // namespace

std::vector<CommandGroup> status_command_groups() {
    return {
        {"status", "the daemon's status (version, totals, spool, listeners)", kUsage,
         run_named<kStatus>},
        {"queues", "every destination queue: state and why, counts, rates", kUsage,
         run_named<kQueues>},
        {"queue", "one destination's queues in detail, with their last replies", kUsage,
         run_named<kQueue>},
        {"hold", "stop sending to an ISP or queue (or all sending)", kUsage, run_named<kHold>},
        {"release", "resume sending held by hold", kUsage, run_named<kRelease>},
        {"clear", "remove an ISP's or queue's queued mail (logged admin-cleared)", kUsage,
         run_named<kClear>},
        {"unlock", "lift the locks of an ISP or queue (or all)", kUsage, run_named<kUnlock>},
        {"reload", "reload the configuration (like SIGHUP)", kUsage, run_named<kReload>},
    };
}

}  // namespace sluice::daemon::ctl
