// load_config_file / load_config_text: libconfig parses (syntax errors stop here, with file and
// line), SettingsReader maps each section onto the model checking every setting, then
// validate_config checks relations. Every error of the last two steps is collected; the Config
// is handed out only if there were none. The key lists below and in load_delivery.cpp are the
// whole vocabulary: any other key is reported as unknown.
#include "policy/config/load.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <string_view>

#include "policy/config/endpoint.hpp"
#include "policy/config/host_name.hpp"
#include "policy/config/load_delivery.hpp"
#include "policy/config/load_keys.hpp"
#include "policy/config/load_policy.hpp"
#include "policy/config/runaway_string.hpp"
#include "policy/config/settings_reader.hpp"
#include "policy/config/validate.hpp"

namespace sluice::policy::config {
namespace {

constexpr Presence kOptional = Presence::optional;
constexpr Presence kRequired = Presence::required;

void read_listener_security(SettingsReader& reader, const Group& group, Listener& listener) {
    std::string mode;
    if (reader.read_string(group, "tls", mode, kOptional)) {
        if (mode == "none") {
            listener.tls = ListenerTls::none;
        } else if (mode == "starttls") {
            listener.tls = ListenerTls::starttls;
        } else if (mode == "implicit") {
            listener.tls = ListenerTls::implicit;
        } else {
            reader.report(join_path(group.path, "tls"),
                          "must be \"none\", \"starttls\" or \"implicit\"");
        }
    }
    if (reader.read_string(group, "auth", mode, kOptional)) {
        if (mode == "none") {
            listener.auth = ListenerAuth::none;
        } else if (mode == "optional") {
            listener.auth = ListenerAuth::optional;
        } else if (mode == "required") {
            listener.auth = ListenerAuth::required;
        } else {
            reader.report(join_path(group.path, "auth"),
                          "must be \"none\", \"optional\" or \"required\"");
        }
    }
}

void read_listeners(SettingsReader& reader, const Group& smtp, std::vector<Listener>& out) {
    auto groups =
        reader.group_list(smtp, "listen", {"address", "port", "name", "tls", "auth"}, kOptional);
    if (!groups) {
        return;
    }
    if (groups->empty()) {
        reader.report("smtp.listen", "at least one listener is required");
    }
    for (const auto& group : *groups) {
        // An element with errors is still kept, so later indexes match the file; any error
        // discards the whole Config anyway.
        Listener& listener = out.emplace_back();
        if (!group) {
            continue;
        }
        std::optional<net::IpAddress> address;
        if (reader.read_string(*group, "address", listener.address, kRequired)) {
            address = net::IpAddress::parse(listener.address);
            if (!address) {
                reader.report(join_path(group->path, "address"),
                              "not a numeric IPv4 or IPv6 address");
            }
        }
        const bool have_port = reader.read_integer(*group, "port", listener.port, kRequired, 0);
        if (!reader.read_string(*group, "name", listener.name, kOptional) && address && have_port) {
            listener.name = Endpoint{*address, listener.port}.to_string();
        }
        read_listener_security(reader, *group, listener);
    }
}

void read_networks(SettingsReader& reader, const Group& group, const char* key,
                   std::vector<net::Cidr>& out) {
    for (const ListItem& item : reader.string_list(group, key)) {
        auto cidr = net::Cidr::parse(item.value);
        if (!cidr) {
            reader.report(item.path, "not a network in CIDR notation (address/prefix-length)");
            continue;
        }
        // "10.1.2.3/8" is almost always a typo for a host or for the network; say which we'd use.
        auto written = net::IpAddress::parse(item.value.substr(0, item.value.find('/')));
        if (written && *written != cidr->network) {
            reader.report(item.path, "has host bits set; the network is " + cidr->to_string());
            continue;
        }
        out.push_back(*cidr);
    }
}

void read_bare_line_endings(SettingsReader& reader, const Group& smtp, BareLineEndings& out) {
    std::string mode;
    if (!reader.read_string(smtp, "bare_line_endings", mode, kOptional)) {
        return;
    }
    if (mode == "normalize") {
        out = BareLineEndings::normalize;
    } else if (mode == "reject") {
        out = BareLineEndings::reject;
    } else {
        reader.report("smtp.bare_line_endings", "must be \"normalize\" or \"reject\"");
    }
}

void read_smtp(SettingsReader& reader, const Group& root, SmtpSettings& out) {
    auto smtp = reader.section(
        root, "smtp",
        {"listen", "relay_networks", "max_message_size", "max_recipients", "max_connections",
         "max_connections_per_ip", "max_errors", "max_line_length", "idle_timeout", "data_timeout",
         "min_data_rate", "shutdown_timeout", "bare_line_endings", "tls_certificate", "tls_key",
         "auth_users_file", "auth_max_failures", "auth_failure_delay"});
    if (!smtp) {
        return;
    }
    read_listeners(reader, *smtp, out.listen);
    read_networks(reader, *smtp, "relay_networks", out.relay_networks);
    reader.read_size(*smtp, "max_message_size", out.max_message_size, 1024);
    reader.read_integer(*smtp, "max_recipients", out.max_recipients, kOptional, 1);
    reader.read_integer(*smtp, "max_connections", out.max_connections, kOptional, 1);
    reader.read_integer(*smtp, "max_connections_per_ip", out.max_connections_per_ip, kOptional, 1);
    reader.read_integer(*smtp, "max_errors", out.max_errors, kOptional, 1);
    reader.read_integer(*smtp, "max_line_length", out.max_line_length, kOptional, 512, 65536);
    reader.read_duration(*smtp, "idle_timeout", out.idle_timeout);
    reader.read_duration(*smtp, "data_timeout", out.data_timeout);
    reader.read_integer(*smtp, "min_data_rate", out.min_data_rate, kOptional, 0, 1'000'000'000);
    reader.read_duration(*smtp, "shutdown_timeout", out.shutdown_timeout);
    read_bare_line_endings(reader, *smtp, out.bare_line_endings);
    reader.read_string(*smtp, "tls_certificate", out.tls_certificate, kOptional);
    reader.read_string(*smtp, "tls_key", out.tls_key, kOptional);
    reader.read_string(*smtp, "auth_users_file", out.auth_users_file, kOptional);
    reader.read_integer(*smtp, "auth_max_failures", out.auth_max_failures, kOptional, 1, 100);
    reader.read_duration(*smtp, "auth_failure_delay", out.auth_failure_delay);
}

void read_spool(SettingsReader& reader, const Group& root, SpoolSettings& out) {
    auto spool =
        reader.section(root, "spool", {"directory", "compression_level", "min_free_space"});
    if (!spool) {
        return;
    }
    reader.read_string(*spool, "directory", out.directory, kRequired);
    reader.read_integer(*spool, "compression_level", out.compression_level, kOptional, 1, 19);
    reader.read_size(*spool, "min_free_space", out.min_free_space, 0);
}

void read_status(SettingsReader& reader, const Group& root, StatusSettings& out) {
    auto status = reader.section(root, "status", {"listen", "token_file", "allow"});
    if (!status) {
        return;
    }
    if (reader.read_string(*status, "listen", out.listen, kOptional) &&
        !Endpoint::parse(out.listen)) {
        reader.report(
            "status.listen",
            "must be \"address:port\" with a numeric address (IPv6 as \"[address]:port\")");
    }
    reader.read_string(*status, "token_file", out.token_file, kOptional);
    if (status->setting->exists("allow")) {
        out.allow.emplace();
        read_networks(reader, *status, "allow", *out.allow);
    }
}

// Maps and checks a parsed tree.
LoadResult build(const libconfig::Config& parsed, const SourceFiles& files) {
    SettingsReader reader(files);
    Config config;
    config.source_file = files.main_file;
    const Group root = reader.root(
        parsed, {"hostname", "smtp", "spool", "status", "dns", "delivery", "routes", "accounting",
                 // the sending policy (load_policy.cpp)
                 "pools", "strategies", "warmups", "retry_rules", "lock_rules", "bounce_patterns",
                 "isps", "defaults", "pool_header",
                 // DKIM signing keys (load_keys.cpp)
                 "keys"});
    if (reader.read_string(root, "hostname", config.hostname, kRequired) &&
        !is_host_name(config.hostname)) {
        reader.report("hostname", "not a valid host name (letters, digits, hyphens and dots)");
    }
    read_smtp(reader, root, config.smtp);
    read_spool(reader, root, config.spool);
    read_status(reader, root, config.status);
    read_dns(reader, root, config.dns);
    read_delivery(reader, root, config.delivery);
    read_routes(reader, root, config.delivery.port, config.routes);
    read_accounting(reader, root, config.accounting);
    read_policy(reader, root, config.policy);
    read_keys(reader, root, config.keys);

    LoadResult result;
    result.errors = reader.take_errors();
    for (ConfigError& error : validate_config(config, reader.locations())) {
        result.errors.push_back(std::move(error));
    }
    if (result.errors.empty()) {
        result.config = std::make_shared<const Config>(std::move(config));
    }
    return result;
}

LoadResult failure(ConfigError error) {
    LoadResult result;
    result.errors.push_back(std::move(error));
    return result;
}

// The whole of a file that libconfig has just parsed, to look at it again after a syntax
// error; nullopt if it cannot be read now. (This file is policy/'s one file reader.)
std::optional<std::string> read_text(const std::string& path) {
    const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                               &std::fclose);
    if (!file) {
        return std::nullopt;
    }
    std::string text;
    char buffer[8192];
    while (const std::size_t n = std::fread(buffer, 1, sizeof buffer, file.get())) {
        text.append(buffer, n);
    }
    if (std::ferror(file.get())) {
        return std::nullopt;
    }
    return text;
}

struct LocatedString {
    std::string file;
    RunawayString string;
};

// The runaway string behind a syntax error on `error_line` of `file`: in its text, or at the end
// of a file it @includes before that line and before its own runaway string (libconfig carries
// a string left open at an included file's end on into the including file).
std::optional<LocatedString> locate_runaway(const std::string& file, const std::string& text,
                                            int error_line, const SourceFiles& files, int depth) {
    std::optional<LocatedString> found;
    if (const auto runaway = find_runaway_string(text, error_line)) {
        found = LocatedString{file, *runaway};
    }
    constexpr int kMaxIncludeDepth = 10;  // libconfig's own limit
    for (const IncludeDirective& include : include_directives(text)) {
        if (depth >= kMaxIncludeDepth || include.line > error_line ||
            (found && found->string.open_line < include.line)) {
            break;
        }
        const std::string path = files.resolve(include.path.c_str());
        const auto included = read_text(path);
        if (!included) {
            continue;
        }
        // Past the last line: only a string still open at the file's end qualifies.
        if (auto inner = locate_runaway(path, *included, std::numeric_limits<int>::max(), files,
                                        depth + 1)) {
            return inner;
        }
    }
    return found;
}

// libconfig names the line where it noticed the error. When a string's closing quote is
// missing that is wherever the string (which may span lines) finally ran into trouble, so the
// line where it opened is named instead. `main_text` is the main file's text if in memory.
ConfigError syntax_error(const libconfig::ParseException& e, const SourceFiles& files,
                         const std::string* main_text) {
    const std::string file = files.resolve(e.getFile());
    ConfigError error{file, e.getLine(), "", e.getError()};
    std::optional<std::string> read;
    const std::string* text = main_text;
    if (!text || file != files.main_file) {
        read = read_text(file);
        text = read ? &*read : nullptr;
    }
    if (!text) {
        return error;
    }
    if (const auto located = locate_runaway(file, *text, error.line, files, 0)) {
        const RunawayString* runaway = &located->string;
        error.file = located->file;
        error.line = runaway->open_line;
        error.message = runaway->close_line == 0
                            ? "unterminated string: the '\"' opened here is never closed"
                            : "unterminated string: the '\"' opened here is closed only on line " +
                                  std::to_string(runaway->close_line);
    }
    return error;
}

// @include paths are resolved against the directory of the main file. (libconfig 1.5 then
// prefixes every @include path with it, so an absolute @include path cannot be opened.)
SourceFiles prepare(libconfig::Config& parsed, const std::string& name) {
    const std::size_t slash = name.rfind('/');
    SourceFiles files{name, ""};
    if (slash != std::string::npos) {
        files.include_dir = slash == 0 ? "/" : name.substr(0, slash);
        parsed.setIncludeDir(files.include_dir.c_str());
    }
    return files;
}

// Control characters (a config string may hold "\n", and messages quote values) are written as
// \xNN, so one error is always one line on a terminal or in the journal.
void append_printable(std::string& out, const std::string& text) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (const char c : text) {
        const auto octet = static_cast<unsigned char>(c);
        if (octet < 0x20 || octet == 0x7f) {
            out += "\\x";
            out += kHex[octet >> 4];
            out += kHex[octet & 0xf];
        } else {
            out += c;
        }
    }
}
}  // namespace

std::string ConfigError::to_string() const {
    std::string text;
    append_printable(text, file);
    if (line > 0) {
        text += ":" + std::to_string(line);
    }
    for (const std::string* part : {&setting, &message}) {
        if (!part->empty()) {
            if (!text.empty()) text += ": ";
            append_printable(text, *part);
        }
    }
    return text;
}

LoadResult load_config_file(const std::string& path) {
    libconfig::Config parsed;
    const SourceFiles files = prepare(parsed, path);
    errno = 0;
    try {
        parsed.readFile(path.c_str());
    } catch (const libconfig::FileIOException&) {
        const int cause = errno;  // left by libconfig's fopen; it is 0 for a directory
        return failure({path, 0, "",
                        cause != 0 ? std::string("cannot read file: ") + std::strerror(cause)
                                   : "cannot read file (is it a directory?)"});
    } catch (const libconfig::ParseException& e) {
        return failure(syntax_error(e, files, nullptr));
    }
    return build(parsed, files);
}

LoadResult load_config_text(const std::string& text, const std::string& name) {
    libconfig::Config parsed;  // @include is relative to the directory part of `name`, if any
    const SourceFiles files = prepare(parsed, name);
    try {
        parsed.readString(text);
    } catch (const libconfig::ParseException& e) {
        return failure(syntax_error(e, files, &text));
    }
    return build(parsed, files);
}

}  // namespace sluice::policy::config
