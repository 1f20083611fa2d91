// A one-line summary of what a reload changes in the sending policy, for the log: ISPs added
// and removed, and for the others which of strategy (limits and rates), retry rule, pool, locks
// and bounce patterns changed. Pure.
#pragma once

#include <string>

#include "policy/engine/compiled_policy.hpp"

namespace sluice::policy::engine {

[[nodiscard]] std::string describe_changes(const CompiledPolicy& before,
                                           const CompiledPolicy& after);

}  // namespace sluice::policy::engine
