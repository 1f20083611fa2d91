#include "daemon/queue/hold_store.hpp"

#include <fcntl.h>  // AT_FDCWD

#include "daemon/spool/file_io.hpp"

namespace sluice::daemon::queue {

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
    const std::filesystem::path temp = path_.string() + ".tmp";
    if (auto ec = spool::replace_file_durably(path_, temp, format_holds(holds))) return ec;
    written_ = generation;
    return {};
}

}  // namespace sluice::daemon::queue
