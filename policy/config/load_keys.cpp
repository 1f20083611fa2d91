// read_keys (see load_keys.hpp). Domains and selectors are stored in lower case: DNS names
// compare without case, and From domains are matched in lower case.
#include "policy/config/load_keys.hpp"

#include "policy/config/host_name.hpp"
#include "policy/text/ascii.hpp"

namespace sluice::policy::config {
namespace {

constexpr Presence kOptional = Presence::optional;
constexpr Presence kRequired = Presence::required;

void read_algorithm(SettingsReader& reader, const Group& group, DkimAlgorithm& out) {
    std::string algorithm;
    if (!reader.read_string(group, "algorithm", algorithm, kOptional)) return;
    if (algorithm == "rsa-sha256") {
        out = DkimAlgorithm::rsa_sha256;
    } else if (algorithm == "ed25519-sha256") {
        out = DkimAlgorithm::ed25519_sha256;
    } else {
        reader.report(join_path(group.path, "algorithm"),
                      "must be \"rsa-sha256\" or \"ed25519-sha256\" (or left out: from the key)");
    }
}

void read_key(SettingsReader& reader, const Group& group, DkimKey& key) {
    if (reader.read_string(group, "domain", key.domain, kRequired)) {
        text::lower_in_place(key.domain);
        if (!is_host_name(key.domain)) {
            reader.report(join_path(group.path, "domain"), "not a valid domain name");
        }
    }
    if (reader.read_string(group, "selector", key.selector, kRequired)) {
        text::lower_in_place(key.selector);
        if (!is_host_name(key.selector)) {
            reader.report(join_path(group.path, "selector"),
                          "not a valid selector (letters, digits, hyphens and dots)");
        }
    }
    const std::string key_path = join_path(group.path, "private_key");
    if (reader.read_string(group, "private_key", key.private_key, kRequired)) {
        const ConfigError place = reader.locations().error(key_path, "");
        key.private_key_place = {place.file, place.line, key_path};
    }
    read_algorithm(reader, group, key.algorithm);
    reader.read_bool(group, "subdomains", key.subdomains);
    for (const ListItem& item : reader.string_list(group, "pools")) {
        key.pools.push_back(item.value);
    }
}

}  // namespace

void read_keys(SettingsReader& reader, const Group& root, std::vector<DkimKey>& out) {
    auto groups = reader.group_list(
        root, "keys", {"domain", "selector", "private_key", "algorithm", "subdomains", "pools"},
        kOptional);
    if (!groups) return;
    for (const auto& group : *groups) {
        DkimKey& key = out.emplace_back();  // kept even when bad, so indexes match the file
        if (group) read_key(reader, *group, key);
    }
}

}  // namespace sluice::policy::config
