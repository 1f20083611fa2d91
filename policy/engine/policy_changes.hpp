// A one-line summary of what a reload changes in the sending policy, for the log: ISPs added
// and removed, for the others which of strategy (limits and rates), retry rule, pool, locks
// and bounce patterns changed, and the sources whose shaping changed their strategy for an
// ISP. Pure.
#pragma once

#include <string>

#include "policy/engine/compiled_policy.hpp"

namespace sluice::policy::engine {

[[nodiscard]] std::string describe_changes(const CompiledPolicy& before,
                                           const CompiledPolicy& after);

// Whether two strategies pace a queue alike: every limit, rate and adaptive setting, the name
// aside.
[[nodiscard]] bool same_limits(const config::Strategy& a, const config::Strategy& b);

}  // namespace sluice::policy::engine
