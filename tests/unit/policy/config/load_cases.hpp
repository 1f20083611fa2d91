// Shared by the loader's table tests: a case is {name, config text, want errors}; run() loads
// each text as "t.conf" and compares every error's to_string(), in order.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "policy/config/load.hpp"

namespace sluice::policy::config::testing {

inline std::string joined(const std::vector<ConfigError>& errors) {
    std::string text;
    for (const auto& error : errors) {
        text += error.to_string() + "\n";
    }
    return text.empty() ? "(no errors)\n" : text;
}

inline std::string joined(const std::vector<std::string>& lines) {
    std::string text;
    for (const auto& line : lines) {
        text += line + "\n";
    }
    return text.empty() ? "(no errors)\n" : text;
}

struct Case {
    std::string name;
    std::string text;
    std::vector<std::string> want;  // each error's to_string(), in order
};

inline void run(const std::vector<Case>& cases) {
    for (const auto& c : cases) {
        LoadResult result = load_config_text(c.text, "t.conf");
        EXPECT_EQ(joined(result.errors), joined(c.want))
            << c.name << ": got the errors above, want the ones below\n--- config:\n"
            << c.text;
        EXPECT_EQ(result.config != nullptr, result.errors.empty()) << c.name;
    }
}

}  // namespace sluice::policy::config::testing
