// The admin's holds, kept in a small text file in the spool directory so they survive a
// restart and a reload: one line "node" when all sending is paused, one line "hold NAME" per
// held ISP ("Gmail") or queue ("Gmail/192.0.2.10"). Replaced whole (generational_file.hpp), so
// a crash leaves the old or the new set, never a mix. Blocking (run it on the blocking pool);
// errors are errno values.
#pragma once

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <system_error>

#include "daemon/queue/generational_file.hpp"

namespace sluice::daemon::queue {

struct HoldSet {
    bool node = false;
    std::set<std::string> keys;  // ISP names and queue names
    friend bool operator==(const HoldSet&, const HoldSet&) = default;
};

// The file's text for `holds`, and back (unknown lines are ignored, for forward compatibility).
[[nodiscard]] std::string format_holds(const HoldSet& holds);
[[nodiscard]] HoldSet parse_holds(std::string_view text);

class HoldFile {
  public:
    explicit HoldFile(std::filesystem::path path) : file_(std::move(path)) {}

    // The saved holds; a missing file is an empty set.
    [[nodiscard]] std::error_code load(HoldSet& out) const;
    // Saves `holds` unless a save with a higher `generation` was already written.
    [[nodiscard]] std::error_code save(const HoldSet& holds, std::uint64_t generation) {
        return file_.write(format_holds(holds), generation);
    }
    [[nodiscard]] const std::filesystem::path& path() const { return file_.path(); }

  private:
    GenerationalFile file_;
};

}  // namespace sluice::daemon::queue
