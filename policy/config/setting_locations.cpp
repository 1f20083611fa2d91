// SettingLocations and the dotted-path helpers (see setting_locations.hpp).
#include "policy/config/setting_locations.hpp"

namespace sluice::policy::config {

std::string SourceFiles::resolve(const char* reported) const {
    if (reported == nullptr || reported == main_file) {
        return main_file;
    }
    if (include_dir.empty() || reported[0] == '/') {
        return reported;
    }
    return include_dir == "/" ? "/" + std::string(reported) : include_dir + "/" + reported;
}

void SettingLocations::record(std::string path, const char* reported_file, int line) {
    places_.insert_or_assign(std::move(path), Place{files_.resolve(reported_file), line});
}

ConfigError SettingLocations::error(std::string_view path, std::string message) const {
    ConfigError result{files_.main_file, 0, std::string(path), std::move(message)};
    for (std::string_view probe = path; !probe.empty();) {
        if (auto it = places_.find(probe); it != places_.end()) {
            result.file = it->second.file;
            result.line = it->second.line;
            break;
        }
        const std::size_t dot = probe.rfind('.');
        probe = dot == probe.npos ? std::string_view{} : probe.substr(0, dot);
    }
    return result;
}

std::string join_path(std::string_view parent, std::string_view key) {
    return parent.empty() ? std::string(key) : std::string(parent) + "." + std::string(key);
}

std::string element_path(std::string_view parent, int index) {
    return std::string(parent) + ".[" + std::to_string(index) + "]";
}

}  // namespace sluice::policy::config
