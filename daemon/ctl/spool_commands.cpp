#include "daemon/ctl/spool_commands.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <time.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "daemon/spool/queue_id.hpp"
#include "daemon/spool/spool_layout.hpp"
#include "daemon/spool/spool_reader.hpp"
#include "policy/config/load.hpp"

namespace sluice::daemon::ctl {

namespace {
namespace spool = daemon::spool;

constexpr std::string_view kUsage =
    "usage: sluicectl spool list [-c FILE]\n"
    "       sluicectl spool show [-c FILE] [--envelope] QUEUE-ID\n"
    "  -c, --config FILE   configuration file (default /etc/sluice/sluice.conf)\n"
    "  list                one line per message, oldest first: queue ID, arrival (UTC),\n"
    "                      size in bytes, sender, recipients\n"
    "  show                write the message content exactly as stored to standard output\n"
    "  --envelope          show the envelope and each recipient's delivery state instead\n";

struct Options {
    std::string config_path = "/etc/sluice/sluice.conf";
    bool envelope = false;
    std::vector<std::string_view> operands;
};

// False on a usage error.
bool parse_options(std::span<const std::string_view> args, Options& out) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view arg = args[i];
        if (arg == "-c" || arg == "--config") {
            if (++i == args.size()) return false;
            out.config_path = std::string(args[i]);
        } else if (arg.starts_with("--config=")) {
            out.config_path = std::string(arg.substr(9));
        } else if (arg == "--envelope") {
            out.envelope = true;
        } else if (arg.starts_with("-") && arg != "-") {
            return false;
        } else {
            out.operands.push_back(arg);
        }
    }
    return true;
}

int usage_error(std::ostream& err) {
    err << kUsage;
    return kExitUsage;
}

// Loads the configuration and returns the spool layout, or writes why not to `err`.
bool load_layout(const Options& options, std::ostream& err, spool::SpoolLayout& out) {
    policy::config::LoadResult loaded = policy::config::load_config_file(options.config_path);
    if (!loaded.config) {
        for (const auto& error : loaded.errors) err << error.to_string() << '\n';
        if (loaded.errors.empty()) err << options.config_path << ": cannot load configuration\n";
        return false;
    }
    out = spool::SpoolLayout(loaded.config->spool.directory);
    return true;
}

std::string iso_utc(std::int64_t unix_us) {
    std::int64_t seconds = unix_us / 1'000'000;
    std::int64_t micros = unix_us % 1'000'000;
    if (micros < 0) {
        micros += 1'000'000;
        --seconds;
    }
    time_t t = static_cast<time_t>(seconds);
    struct tm tm {};
    gmtime_r(&t, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900,
                       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, micros);
}

std::string_view state_name(spool::RecipientState state) {
    switch (state) {
        case spool::RecipientState::pending:
            return "pending";
        case spool::RecipientState::delivered:
            return "delivered";
        case spool::RecipientState::bounced:
            return "bounced";
        case spool::RecipientState::cleared:
            return "cleared";
    }
    return "unknown";
}

std::string_view body_type_name(spool::BodyType type) {
    switch (type) {
        case spool::BodyType::seven_bit:
            return "7BIT";
        case spool::BodyType::eight_bit_mime:
            return "8BITMIME";
        case spool::BodyType::binary_mime:
            return "BINARYMIME";
    }
    return "unknown";
}

struct ListRow {
    std::int64_t arrival = 0;
    std::string line;
};

int list_messages(const spool::SpoolLayout& layout, std::ostream& out, std::ostream& err) {
    std::error_code ec;
    std::vector<std::string> names;
    for (std::filesystem::directory_iterator it(layout.queue_dir(), ec), end; !ec && it != end;
         it.increment(ec)) {
        std::string name = it->path().filename().string();
        if (spool::is_valid_queue_id(name)) names.push_back(std::move(name));
    }
    if (ec) {
        err << "sluicectl: " << layout.queue_dir().string() << ": " << ec.message() << '\n';
        return kExitFailed;
    }
    int status = kExitOk;
    spool::SpoolDecoder decoder;
    std::vector<ListRow> rows;
    for (const std::string& name : names) {
        spool::SpooledMessage message;
        if (auto read_ec = spool::read_spool_file(layout.message_path(name), decoder, message)) {
            if (read_ec == std::errc::no_such_file_or_directory) continue;  // delivered meanwhile
            err << "sluicectl: queue/" << name << ": " << read_ec.message() << '\n';
            status = kExitFailed;
            continue;
        }
        const spool::Envelope& e = message.envelope;
        std::string recipients;
        for (const spool::Recipient& r : e.recipients) {
            if (!recipients.empty()) recipients += ',';
            recipients += r.address;
        }
        rows.push_back(
            {e.arrival_unix_us,
             fmt::format("{}\t{}\t{}\t<{}>\t{}\n", e.queue_id, iso_utc(e.arrival_unix_us),
                         message.content.size(), e.sender, recipients)});
    }
    std::stable_sort(rows.begin(), rows.end(),
                     [](const ListRow& a, const ListRow& b) { return a.arrival < b.arrival; });
    for (const ListRow& row : rows) out << row.line;
    return status;
}

void print_envelope(const spool::SpooledMessage& message, std::ostream& out) {
    const spool::Envelope& e = message.envelope;
    fmt::print(out,
               "queue_id: {}\narrival: {}\nclient_address: {}\nclient_name: {}\nhelo: {}\n"
               "protocol: {}\nlistener: {}\nsender: <{}>\nmail_params: {}\nbody_type: {}\n"
               "smtputf8: {}\nsize: {}\n",
               e.queue_id, iso_utc(e.arrival_unix_us), e.client_address, e.client_name, e.helo,
               e.protocol, e.listener, e.sender, e.mail_params, body_type_name(e.body_type),
               e.smtputf8 ? "yes" : "no", message.content.size());
    for (std::size_t i = 0; i < e.recipients.size(); ++i) {
        const spool::RecipientProgress& p = message.progress[i];
        fmt::print(out, "recipient: <{}>{}{} state={} attempts={}", e.recipients[i].address,
                   e.recipients[i].params.empty() ? "" : " ", e.recipients[i].params,
                   state_name(p.state), p.attempts);
        if (p.state == spool::RecipientState::pending && p.next_attempt_unix != 0) {
            fmt::print(out, " next_attempt={}", iso_utc(p.next_attempt_unix * 1'000'000));
        }
        if (p.delay_warned) out << " delay_warned=yes";
        out << '\n';
    }
}

int show_message(const spool::SpoolLayout& layout, std::string_view queue_id, bool envelope,
                 std::ostream& out, std::ostream& err) {
    spool::SpooledMessage message;
    if (auto ec = spool::read_spool_file(layout.message_path(queue_id), message)) {
        if (ec == std::errc::no_such_file_or_directory) {
            err << "sluicectl: no message " << queue_id << " in the spool\n";
        } else {
            err << "sluicectl: queue/" << queue_id << ": " << ec.message() << '\n';
        }
        return kExitFailed;
    }
    if (envelope) {
        print_envelope(message, out);
    } else {
        out.write(message.content.data(), static_cast<std::streamsize>(message.content.size()));
    }
    out.flush();
    if (!out) {
        err << "sluicectl: cannot write to standard output\n";
        return kExitFailed;
    }
    return kExitOk;
}

int run_spool(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
    if (args.empty()) return usage_error(err);
    std::string_view verb = args[0];
    Options options;
    if (!parse_options(args.subspan(1), options)) return usage_error(err);
    bool list = verb == "list" && options.operands.empty() && !options.envelope;
    bool show = verb == "show" && options.operands.size() == 1;
    if (!list && !show) return usage_error(err);
    // Checked before any path is built: refuses "../../etc/passwd" and the like.
    if (show && !spool::is_valid_queue_id(options.operands[0])) {
        err << "sluicectl: not a queue ID: " << options.operands[0] << '\n';
        return kExitFailed;
    }
    spool::SpoolLayout layout{""};
    if (!load_layout(options, err, layout)) return kExitFailed;
    return list ? list_messages(layout, out, err)
                : show_message(layout, options.operands[0], options.envelope, out, err);
}
}  // namespace

CommandGroup spool_command_group() {
    return {"spool", "list spooled messages, show one message's content or envelope", kUsage,
            run_spool};
}

}  // namespace sluice::daemon::ctl
