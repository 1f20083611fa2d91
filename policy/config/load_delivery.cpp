// read_dns, read_delivery, read_routes, read_accounting (see load_delivery.hpp). Route domains
// are stored in lower case, so matching (routing/static_routes) compares one spelling.
#include "policy/config/load_delivery.hpp"

#include <string>
#include <string_view>

#include "policy/config/endpoint.hpp"
#include "policy/config/host_name.hpp"
#include "policy/net/domain_pattern.hpp"
#include "policy/text/ascii.hpp"

namespace sluice::policy::config {
namespace {

constexpr Presence kOptional = Presence::optional;
constexpr Presence kRequired = Presence::required;
constexpr std::uint16_t kDnsPort = 53;

// "192.0.2.1" (port 53), "192.0.2.1:5353", "[2001:db8::1]:53" or a bare "2001:db8::1".
std::optional<Endpoint> parse_dns_server(std::string_view text) {
    if (auto endpoint = Endpoint::parse(text)) {
        return endpoint;
    }
    if (auto address = net::IpAddress::parse(text)) {
        return Endpoint{*address, kDnsPort};
    }
    return std::nullopt;
}

// "example.com", "*.example.com" or "*" (net/domain_pattern.hpp).
bool is_domain_pattern(std::string_view text) {
    const net::DomainPattern pattern = net::parse_domain_pattern(text);
    return pattern.kind == net::PatternKind::any || is_host_name(pattern.base);
}

void read_dns_servers(SettingsReader& reader, const Group& dns, std::vector<std::string>& out) {
    for (const ListItem& item : reader.string_list(dns, "servers")) {
        auto server = parse_dns_server(item.value);
        if (!server) {
            reader.report(item.path,
                          "must be a numeric \"address\", \"address:port\" or "
                          "\"[IPv6-address]:port\"");
        } else if (server->port == 0) {
            reader.report(item.path, "port 0 is not a server port");
        } else {
            out.push_back(server->to_string());
        }
    }
}

void read_route(SettingsReader& reader, const Group& group, std::uint16_t default_port,
                Route& route) {
    for (const ListItem& item : reader.string_list(group, "domains")) {
        route.domains.push_back(text::to_lower(item.value));
        if (!is_domain_pattern(item.value)) {
            reader.report(item.path, "must be a domain, \"*.domain\" (its subdomains) or \"*\"");
        }
    }
    if (route.domains.empty()) {
        reader.report(join_path(group.path, "domains"), "at least one domain is required");
    }
    if (reader.read_string(group, "host", route.host, kRequired) &&
        !net::IpAddress::parse(route.host) && !is_host_name(route.host)) {
        reader.report(join_path(group.path, "host"),
                      "must be a host name or a numeric address (without brackets)");
    }
    route.port = default_port;
    reader.read_integer(group, "port", route.port, kOptional, 1);
}

}  // namespace

void read_dns(SettingsReader& reader, const Group& root, DnsSettings& out) {
    auto dns = reader.section(root, "dns",
                              {"servers", "timeout", "tries", "max_cache_ttl", "max_negative_ttl"});
    if (!dns) {
        return;
    }
    read_dns_servers(reader, *dns, out.servers);
    reader.read_duration(*dns, "timeout", out.timeout);
    reader.read_integer(*dns, "tries", out.tries, kOptional, 1, 10);
    reader.read_duration(*dns, "max_cache_ttl", out.max_cache_ttl);
    reader.read_duration(*dns, "max_negative_ttl", out.max_negative_ttl);
}

namespace {

void read_delivery_tls(SettingsReader& reader, const Group& delivery, DeliveryTls& out) {
    std::string mode;
    if (!reader.read_string(delivery, "tls", mode, kOptional)) {
        return;
    }
    if (auto tls = parse_delivery_tls(mode)) {
        out = *tls;
    } else {
        reader.report("delivery.tls",
                      "must be \"none\", \"opportunistic\", \"required\" or \"verified\"");
    }
}

}  // namespace

void read_delivery(SettingsReader& reader, const Group& root, DeliverySettings& out) {
    auto delivery = reader.section(root, "delivery",
                                   {"port",
                                    "source_address",
                                    "helo",
                                    "max_recipients_per_transaction",
                                    "max_connections",
                                    "max_connections_per_destination",
                                    "max_messages_per_connection",
                                    "connect_timeout",
                                    "greeting_timeout",
                                    "command_timeout",
                                    "data_init_timeout",
                                    "data_block_timeout",
                                    "data_done_timeout",
                                    "idle_connection_timeout",
                                    "retry_intervals",
                                    "queue_lifetime",
                                    "delay_warning",
                                    "retry_possibly_delivered",
                                    "tls",
                                    "mta_sts",
                                    "mta_sts_port",
                                    "dane"});
    if (!delivery) {
        return;
    }
    read_delivery_tls(reader, *delivery, out.tls);
    reader.read_bool(*delivery, "dane", out.dane);
    reader.read_integer(*delivery, "port", out.port, kOptional, 1);
    if (reader.read_string(*delivery, "source_address", out.source_address, kOptional) &&
        !net::IpAddress::parse(out.source_address)) {
        reader.report("delivery.source_address", "not a numeric IPv4 or IPv6 address");
    }
    if (reader.read_string(*delivery, "helo", out.helo, kOptional) && !is_helo_name(out.helo)) {
        reader.report("delivery.helo",
                      "must be a host name or an address literal (\"[192.0.2.1]\", "
                      "\"[IPv6:2001:db8::1]\")");
    }
    reader.read_integer(*delivery, "max_recipients_per_transaction",
                        out.max_recipients_per_transaction, kOptional, 1);
    reader.read_integer(*delivery, "max_connections", out.max_connections, kOptional, 1);
    reader.read_integer(*delivery, "max_connections_per_destination",
                        out.max_connections_per_destination, kOptional, 1);
    reader.read_integer(*delivery, "max_messages_per_connection", out.max_messages_per_connection,
                        kOptional, 1);
    for (auto [key, field] : {std::pair{"connect_timeout", &out.connect_timeout},
                              {"greeting_timeout", &out.greeting_timeout},
                              {"command_timeout", &out.command_timeout},
                              {"data_init_timeout", &out.data_init_timeout},
                              {"data_block_timeout", &out.data_block_timeout},
                              {"data_done_timeout", &out.data_done_timeout},
                              {"idle_connection_timeout", &out.idle_connection_timeout},
                              {"queue_lifetime", &out.queue_lifetime}}) {
        reader.read_duration(*delivery, key, *field);
    }
    if (auto intervals = reader.duration_list(*delivery, "retry_intervals")) {
        if (intervals->empty()) {
            reader.report("delivery.retry_intervals", "at least one interval is required");
        } else {
            out.retry_intervals = std::move(*intervals);
        }
    }
    if (Duration warning{}; reader.read_duration(*delivery, "delay_warning", warning)) {
        out.delay_warning = warning;
    }
    reader.read_bool(*delivery, "retry_possibly_delivered", out.retry_possibly_delivered);
    reader.read_bool(*delivery, "mta_sts", out.mta_sts);
    reader.read_integer(*delivery, "mta_sts_port", out.mta_sts_port, kOptional, 1);
}

void read_routes(SettingsReader& reader, const Group& root, std::uint16_t default_port,
                 std::vector<Route>& out) {
    auto groups = reader.group_list(root, "routes", {"domains", "host", "port"}, kOptional);
    if (!groups) {
        return;
    }
    for (const auto& group : *groups) {
        // Kept even when bad, so that indexes match the file (validate_config names them).
        Route& route = out.emplace_back();
        if (group) {
            read_route(reader, *group, default_port, route);
        }
    }
}

void read_accounting(SettingsReader& reader, const Group& root, AccountingSettings& out) {
    auto accounting = reader.section(root, "accounting", {"file", "syslog", "format", "sync"});
    if (!accounting) {
        return;
    }
    reader.read_string(*accounting, "file", out.file, kOptional);
    reader.read_bool(*accounting, "syslog", out.syslog);
    std::string sync;
    if (reader.read_string(*accounting, "sync", sync, kOptional)) {
        if (sync == "none") {
            out.sync = AccountingSync::none;
        } else if (sync == "batch") {
            out.sync = AccountingSync::batch;
        } else {
            reader.report("accounting.sync", "must be \"none\" or \"batch\"");
        }
    }
    std::string format;
    if (!reader.read_string(*accounting, "format", format, kOptional)) {
        return;
    }
    if (format == "json") {
        out.format = AccountingFormat::json;
    } else if (format == "kv") {
        out.format = AccountingFormat::kv;
    } else if (format == "akmta") {
        out.format = AccountingFormat::akmta;
    } else {
        reader.report("accounting.format", "must be \"json\", \"kv\" or \"akmta\"");
    }
}

}  // namespace sluice::policy::config
