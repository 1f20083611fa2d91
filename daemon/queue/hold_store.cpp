#include "daemon/queue/hold_store.hpp"

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
    if (auto ec = file_.read(text)) return ec;
    out = parse_holds(text);
    return {};
}

}  // namespace sluice::daemon::queue
