// A small state file of the spool directory that is replaced whole (the admin's holds, the
// warm-up counts): written to a temporary file, fsync'd, renamed over the old one and the
// directory fsync'd, so a crash leaves the old or the new text, never a mix. Writers on several
// threads are serialized, and a write older (by generation) than the last one written is
// dropped, so the file never goes back to a state already replaced. Blocking; errors are errno
// values.
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <system_error>

namespace sluice::daemon::queue {

class GenerationalFile {
  public:
    explicit GenerationalFile(std::filesystem::path path) : path_(std::move(path)) {}

    // The file's text; a missing file is empty text.
    [[nodiscard]] std::error_code read(std::string& text) const;
    // Replaces the file with `text` unless a write with a higher `generation` was done already.
    [[nodiscard]] std::error_code write(const std::string& text, std::uint64_t generation);
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
    std::mutex mutex_;
    std::uint64_t written_ = 0;
};

}  // namespace sluice::daemon::queue
