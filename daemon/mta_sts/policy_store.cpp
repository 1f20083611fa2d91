#include "daemon/mta_sts/policy_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <functional>
#include <thread>

#include "daemon/spool/file_io.hpp"
#include "policy/config/host_name.hpp"

namespace sluice::daemon::mta_sts {

namespace {
std::error_code last_error() {
    return {errno, std::system_category()};
}

std::optional<std::string_view> take_line(std::string_view& text, std::string_view prefix) {
    const auto end = text.find('\n');
    if (end == std::string_view::npos || !text.starts_with(prefix)) return std::nullopt;
    const auto value = text.substr(prefix.size(), end - prefix.size());
    text.remove_prefix(end + 1);
    return value;
}
}  // namespace

std::string format_stored_policy(const StoredPolicy& policy) {
    return "id " + policy.id + "\nfetched_at " + std::to_string(policy.fetched_at) + "\n\n" +
           policy.text;
}

std::optional<StoredPolicy> parse_stored_policy(std::string domain, std::string_view text) {
    StoredPolicy policy;
    policy.domain = std::move(domain);
    const auto id = take_line(text, "id ");
    const auto fetched_at = take_line(text, "fetched_at ");
    const auto blank = take_line(text, "");
    if (!id || !fetched_at || !blank || !blank->empty()) return std::nullopt;
    const auto [end, ec] = std::from_chars(
        fetched_at->data(), fetched_at->data() + fetched_at->size(), policy.fetched_at);
    if (ec != std::errc() || end != fetched_at->data() + fetched_at->size()) return std::nullopt;
    policy.id = std::string(*id);
    policy.text = std::string(text);
    return policy;
}

std::vector<StoredPolicy> load_stored_policies(const std::filesystem::path& directory,
                                               std::size_t max_count) {
    std::vector<StoredPolicy> policies;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(directory, ec)) {
        if (policies.size() >= max_count) break;
        const std::string name = entry.path().filename().string();
        if (!policy::config::is_host_name(name)) continue;  // temporary files, strays
        std::string text;
        if (spool::read_whole_file(AT_FDCWD, entry.path().c_str(), text)) continue;
        if (auto policy = parse_stored_policy(name, text)) policies.push_back(std::move(*policy));
    }
    return policies;
}

std::error_code save_stored_policy(const std::filesystem::path& directory,
                                   const StoredPolicy& policy) {
    // The domain names the file: never anything that could leave the directory.
    if (!policy::config::is_host_name(policy.domain)) {
        return std::make_error_code(std::errc::invalid_argument);
    }
    std::error_code ec;
    std::filesystem::create_directories(directory, ec);
    if (ec) return ec;
    const auto path = directory / policy.domain;
    // Saves may run on several pool threads at once: each thread has its own temporary file.
    const auto thread = std::hash<std::thread::id>{}(std::this_thread::get_id());
    const auto temp = directory / (".tmp." + policy.domain + "." + std::to_string(thread));
    return spool::replace_file_durably(path, temp, format_stored_policy(policy));
}

std::error_code remove_stored_policy(const std::filesystem::path& directory,
                                     const std::string& domain) {
    if (!policy::config::is_host_name(domain)) {
        return std::make_error_code(std::errc::invalid_argument);
    }
    const auto path = directory / domain;
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return last_error();
    return {};
}

}  // namespace sluice::daemon::mta_sts
