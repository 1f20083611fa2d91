#include "daemon/queue/hold_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "daemon/spool/file_io.hpp"

namespace sluice::daemon::queue {

namespace {
std::error_code last_error() {
    return {errno, std::system_category()};
}

std::error_code sync_directory(const std::filesystem::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return last_error();
    const int result = ::fsync(fd);
    const auto ec = result == 0 ? std::error_code() : last_error();
    ::close(fd);
    return ec;
}
}  // namespace

std::string format_holds(const HoldSet& holds) {
    std::string text = "# sluiced admin holds; written by the daemon\n";
    if (holds.node) text += "node\n";
    for (const auto& key : holds.keys) text += "hold " + key + "\n";
    return text;
}

HoldSet parse_holds(std::string_view text) {
    HoldSet holds;
    while (!text.empty()) {
        const auto end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        if (line == "node") {
            holds.node = true;
        } else if (line.starts_with("hold ") && line.size() > 5) {
            holds.keys.emplace(line.substr(5));
        }
    }
    return holds;
}

std::error_code HoldFile::load(HoldSet& out) const {
    std::string text;
    if (auto ec = spool::read_whole_file(AT_FDCWD, path_.c_str(), text)) {
        if (ec == std::errc::no_such_file_or_directory) {
            out = {};
            return {};
        }
        return ec;
    }
    out = parse_holds(text);
    return {};
}

std::error_code HoldFile::save(const HoldSet& holds, std::uint64_t generation) {
    std::lock_guard lock(mutex_);
    if (generation < written_) return {};  // a newer set is already on disk
    const auto temp = path_.string() + ".tmp";
    const int fd = ::open(temp.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0) return last_error();
    auto ec = spool::write_fully(fd, format_holds(holds));
    if (!ec && ::fsync(fd) != 0) ec = last_error();
    ::close(fd);
    if (!ec && ::rename(temp.c_str(), path_.c_str()) != 0) ec = last_error();
    if (!ec) ec = sync_directory(path_.parent_path());
    if (ec) {
        ::unlink(temp.c_str());
        return ec;
    }
    written_ = generation;
    return {};
}

}  // namespace sluice::daemon::queue
