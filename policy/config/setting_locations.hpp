// SettingLocations: where each setting of a loaded file was written (file and line), keyed by
// dotted path ("smtp.listen.[0].port"), so that errors found after reading still point at the
// source. A path that was never written resolves to its nearest written parent, then to the
// main file with no line. Filled by SettingsReader, read by validate_config; owned by one load.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "policy/config/load.hpp"

namespace sluice::policy::config {

// The files of one load. libconfig names the main file as it was given and an included file as
// its @include path, which is relative to the include directory (the main file's directory).
struct SourceFiles {
    std::string main_file;
    std::string include_dir;  // empty when the main file has no directory part

    // A file name libconfig reported (null: the main file), usable from the working directory.
    [[nodiscard]] std::string resolve(const char* reported) const;
};

class SettingLocations {
  public:
    explicit SettingLocations(SourceFiles files) : files_(std::move(files)) {}

    // Notes that the setting at `path` was written in `reported_file` (as libconfig names it).
    void record(std::string path, const char* reported_file, int line);

    // An error about the setting at `path`, located at it or at its nearest recorded parent.
    [[nodiscard]] ConfigError error(std::string_view path, std::string message) const;

  private:
    struct Place {
        std::string file;
        int line = 0;
    };
    SourceFiles files_;
    std::map<std::string, Place, std::less<>> places_;
};

// "parent.key", or "key" at the root.
[[nodiscard]] std::string join_path(std::string_view parent, std::string_view key);
// "parent.[index]": an element of a list or array.
[[nodiscard]] std::string element_path(std::string_view parent, int index);

}  // namespace sluice::policy::config
