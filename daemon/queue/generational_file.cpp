#include "daemon/queue/generational_file.hpp"

#include <fcntl.h>  // AT_FDCWD

#include "daemon/spool/file_io.hpp"

namespace sluice::daemon::queue {

std::error_code GenerationalFile::read(std::string& text) const {
    text.clear();
    const auto ec = spool::read_whole_file(AT_FDCWD, path_.c_str(), text);
    if (ec == std::errc::no_such_file_or_directory) return {};
    return ec;
}

std::error_code GenerationalFile::write(const std::string& text, std::uint64_t generation) {
    std::lock_guard lock(mutex_);
    if (generation < written_) return {};  // a newer text is already on disk
    const std::filesystem::path temp = path_.string() + ".tmp";
    if (auto ec = spool::replace_file_durably(path_, temp, text)) return ec;
    written_ = generation;
    return {};
}

}  // namespace sluice::daemon::queue
