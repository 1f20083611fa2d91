#include "daemon/spool/spool_layout.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace sluice::daemon::spool {

namespace {
std::error_code last_error() {
    return {errno, std::system_category()};
}

// mkdir -p with mode 0700 for every directory it creates, fsyncing the parent of each.
std::error_code make_directories(const std::filesystem::path& directory) {
    struct stat info {};
    if (::stat(directory.c_str(), &info) == 0) {
        return S_ISDIR(info.st_mode) ? std::error_code{}
                                     : std::make_error_code(std::errc::not_a_directory);
    }
    if (errno != ENOENT) return last_error();
    std::filesystem::path parent = directory.parent_path();
    if (!parent.empty() && parent != directory) {
        if (auto ec = make_directories(parent)) return ec;
    }
    if (::mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST) return last_error();
    return sync_directory(parent.empty() ? std::filesystem::path(".") : parent);
}
}  // namespace

SpoolLayout::SpoolLayout(std::filesystem::path root)
    : root_(std::move(root)), queue_dir_(root_ / "queue"), corrupt_dir_(root_ / "corrupt") {}

std::filesystem::path SpoolLayout::message_path(std::string_view queue_id) const {
    return queue_dir_ / queue_id;
}

std::error_code create_spool_layout(const SpoolLayout& layout) {
    if (auto ec = make_directories(layout.queue_dir())) return ec;
    return make_directories(layout.corrupt_dir());
}

std::error_code sync_directory(const std::filesystem::path& directory) {
    int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return last_error();
    std::error_code ec;
    if (::fsync(fd) != 0) ec = last_error();
    ::close(fd);
    return ec;
}

}  // namespace sluice::daemon::spool
