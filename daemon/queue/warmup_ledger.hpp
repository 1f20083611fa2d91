// The warm-up counts of the current day, kept in a small file in the spool directory so that a
// restart (kill -9, power loss) does not hand a warming source a fresh budget: one JSON object
// per line, {"source", "isp", "date", "taken"}. Replaced whole like the holds file
// (generational_file.hpp) before a connection sends what it reserved, so the saved count is
// never below what was sent. Blocking (run it on the blocking pool); errors are errno values.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "daemon/queue/core/warmup_budgets.hpp"
#include "daemon/queue/generational_file.hpp"

namespace sluice::daemon::queue {

// The file's text for `counts`, and back (a line that is not a count is skipped).
[[nodiscard]] std::string format_warmup_counts(const std::vector<WarmupCount>& counts);
[[nodiscard]] std::vector<WarmupCount> parse_warmup_counts(std::string_view text);

class WarmupLedger {
  public:
    explicit WarmupLedger(std::filesystem::path path) : file_(std::move(path)) {}

    // The saved counts; a missing file is none.
    [[nodiscard]] std::error_code load(std::vector<WarmupCount>& out) const;
    // Saves `counts` unless a save with a higher `generation` was already written.
    [[nodiscard]] std::error_code save(const std::vector<WarmupCount>& counts,
                                       std::uint64_t generation) {
        return file_.write(format_warmup_counts(counts), generation);
    }
    [[nodiscard]] const std::filesystem::path& path() const { return file_.path(); }

  private:
    GenerationalFile file_;
};

}  // namespace sluice::daemon::queue
