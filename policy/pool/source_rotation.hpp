// Chooses the source for each message of a pool: round robin, or smooth weighted round robin
// (each source gets its weight's share, interleaved rather than in runs). State per pool name;
// a pool whose sources changed on reload starts over.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "policy/config/policy_model.hpp"

namespace sluice::policy::pool {

class SourceRotation {
  public:
    // `pool` has at least one source.
    const config::Source& next(const config::Pool& pool);

  private:
    struct State {
        std::vector<std::string> names;  // to notice a changed pool
        std::vector<std::int64_t> current;
        std::size_t cursor = 0;
    };
    std::unordered_map<std::string, State> pools_;
};

}  // namespace sluice::policy::pool
