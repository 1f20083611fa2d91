#include "daemon/spool/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "daemon/spool/spool_layout.hpp"

namespace sluice::daemon::spool {

namespace {
std::error_code last_error() {
    return {errno, std::system_category()};
}
}  // namespace

std::error_code read_whole_file(int dir_fd, const char* path, std::string& out) {
    out.clear();
    int fd = ::openat(dir_fd, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return last_error();
    struct stat info {};
    std::error_code ec;
    if (::fstat(fd, &info) != 0) ec = last_error();
    // Size from fstat first; keep reading until EOF in case the file grew (a progress append).
    std::size_t size = ec ? 0 : static_cast<std::size_t>(info.st_size);
    out.resize(size + 1);
    std::size_t used = 0;
    while (!ec) {
        if (used == out.size()) out.resize(out.size() * 2);
        ssize_t n = ::read(fd, out.data() + used, out.size() - used);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) ec = last_error();
        if (n <= 0) break;
        used += static_cast<std::size_t>(n);
    }
    ::close(fd);
    out.resize(ec ? 0 : used);
    return ec;
}

std::error_code write_fully(int fd, std::string_view bytes, off_t offset) {
    while (!bytes.empty()) {
        ssize_t n = offset < 0 ? ::write(fd, bytes.data(), bytes.size())
                               : ::pwrite(fd, bytes.data(), bytes.size(), offset);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return last_error();
        if (n == 0) return std::make_error_code(std::errc::io_error);
        bytes.remove_prefix(static_cast<std::size_t>(n));
        if (offset >= 0) offset += n;
    }
    return {};
}

std::error_code replace_file_durably(const std::filesystem::path& path,
                                     const std::filesystem::path& temp, std::string_view bytes) {
    const int fd = ::open(temp.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0) return last_error();
    auto ec = write_fully(fd, bytes);
    if (!ec && ::fsync(fd) != 0) ec = last_error();
    ::close(fd);
    if (!ec && ::rename(temp.c_str(), path.c_str()) != 0) ec = last_error();
    if (!ec) ec = sync_directory(path.has_parent_path() ? path.parent_path() : ".");
    if (ec) ::unlink(temp.c_str());
    return ec;
}

}  // namespace sluice::daemon::spool
