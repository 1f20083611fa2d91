// Loading a configuration: libconfig++ parses the file (with @include), the result is mapped
// onto the model and validated whole. Nothing partial escapes: either a complete, valid Config
// or the list of every error found, each naming file, line and setting.
// This is the only place in policy/ that reads a file.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "policy/config/model.hpp"

namespace sluice::policy::config {

struct ConfigError {
    std::string file;
    int line = 0;         // 0 when unknown
    std::string setting;  // dotted path, e.g. "smtp.listen.[0].port"; empty for syntax errors
    std::string message;

    // "file:line: setting: message" (parts that are unknown are left out).
    [[nodiscard]] std::string to_string() const;
};

struct LoadResult {
    std::shared_ptr<const Config> config;  // set if and only if errors is empty
    std::vector<ConfigError> errors;
};

// Reads, parses and validates the file at `path`.
[[nodiscard]] LoadResult load_config_file(const std::string& path);

// Same, from text already in memory; `name` is used as the file name in errors.
[[nodiscard]] LoadResult load_config_text(const std::string& text, const std::string& name);

}  // namespace sluice::policy::config
