// The strategy one destination queue (an ISP, or a site of the default rules, x a source) runs
// under. Precedence, lowest first: the defaults (defaults.strategy), the ISP's strategy, the
// pool's shaping, the source's shaping; within the pool's or the source's list an entry for the
// ISP comes after (beats) an entry for every ISP. An entry that names a strategy replaces
// everything below it; its single keys then override that strategy's. isp_message_rate always
// stays the ISP's own: it is one limit shared by all the ISP's queues. Pure.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/config/policy_model.hpp"

namespace sluice::policy::config {

struct ShapedStrategy {
    Strategy strategy;
    // What made it, in order ("pool bulk: message_rate", "source new1 for Gmail: strategy
    // slow"); empty when it is the ISP's strategy unchanged.
    std::vector<std::string> layers;
};

// `strategy_named` resolves a strategy name (validation made sure it exists; null otherwise and
// the entry's name is ignored).
[[nodiscard]] ShapedStrategy shape_strategy(
    const Strategy& isp_strategy, std::string_view isp, const Pool& pool, const Source& source,
    const std::function<const Strategy*(std::string_view)>& strategy_named);

// Whether any entry of the pool or the source applies to `isp`: without one the ISP's strategy
// is used as it is.
[[nodiscard]] bool shapes(const Pool& pool, const Source& source, std::string_view isp);

}  // namespace sluice::policy::config
