// The MTA-STS policies Sluice has fetched, kept on disk (one small file per domain in
// SPOOL/mta-sts/) so a restart keeps them: without that, a restart would be the moment an
// attacker could downgrade a domain (RFC 8461 §10.2). A file is "id ID\nfetched_at UNIX\n\n"
// then the policy text as served. Saved as temp + fsync + rename + fsync of the directory, so a
// crash leaves the old or the new file. Blocking: run it on the blocking pool (or at start-up).
// No state of its own; errors are errno values, and an unreadable file is skipped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace sluice::daemon::mta_sts {

struct StoredPolicy {
    std::string domain;  // lower case host name: also the file name
    std::string id;
    std::int64_t fetched_at = 0;
    std::string text;  // the policy file as fetched
};

[[nodiscard]] std::string format_stored_policy(const StoredPolicy& policy);
[[nodiscard]] std::optional<StoredPolicy> parse_stored_policy(std::string domain,
                                                              std::string_view text);

// At most `max_count` policies from `directory` (missing: none).
[[nodiscard]] std::vector<StoredPolicy> load_stored_policies(const std::filesystem::path& directory,
                                                             std::size_t max_count);
// Creates `directory` if needed.
[[nodiscard]] std::error_code save_stored_policy(const std::filesystem::path& directory,
                                                 const StoredPolicy& policy);
[[nodiscard]] std::error_code remove_stored_policy(const std::filesystem::path& directory,
                                                   const std::string& domain);

}  // namespace sluice::daemon::mta_sts
