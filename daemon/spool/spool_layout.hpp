// Where things live under the spool root: "queue/<id>" holds one file per accepted message and
// "queue/<id>.tmp" the files of a batch being committed (same directory, so one directory fsync
// makes every rename of a batch durable); "corrupt/<id>" holds files recovery could not decode,
// kept for an admin. Paths only, plus create_spool_layout; the writer, reader and recovery own
// the files.
#pragma once

#include <filesystem>
#include <string_view>
#include <system_error>

namespace sluice::daemon::spool {

inline constexpr std::string_view kTempSuffix = ".tmp";

class SpoolLayout {
  public:
    explicit SpoolLayout(std::filesystem::path root);

    [[nodiscard]] const std::filesystem::path& root() const { return root_; }
    [[nodiscard]] const std::filesystem::path& queue_dir() const { return queue_dir_; }
    [[nodiscard]] const std::filesystem::path& corrupt_dir() const { return corrupt_dir_; }
    // `queue_id` must satisfy is_valid_queue_id.
    [[nodiscard]] std::filesystem::path message_path(std::string_view queue_id) const;

  private:
    std::filesystem::path root_;
    std::filesystem::path queue_dir_;
    std::filesystem::path corrupt_dir_;
};

// Creates the root, queue/ and corrupt/ as needed (mode 0700; existing ones are left as they
// are) and fsyncs each parent whose entries changed. Errors are the failing system call's errno.
[[nodiscard]] std::error_code create_spool_layout(const SpoolLayout& layout);

// fsync of a directory (makes renames, creations and removals in it durable).
[[nodiscard]] std::error_code sync_directory(const std::filesystem::path& directory);

}  // namespace sluice::daemon::spool
