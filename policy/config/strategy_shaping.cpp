#include "policy/config/strategy_shaping.hpp"

namespace sluice::policy::config {

namespace {
bool applies(const Shaping& entry, std::string_view isp) {
    return entry.isp.empty() || entry.isp == isp;
}

// Applies `entry` to `out`; returns what it changed, in words.
std::string apply(const Shaping& entry, ShapedStrategy& out,
                  const std::function<const Strategy*(std::string_view)>& strategy_named) {
    std::string changed;
    auto note = [&](std::string_view what) {
        if (!changed.empty()) changed += ", ";
        changed += what;
    };
    if (!entry.strategy.empty()) {
        if (const auto* named = strategy_named(entry.strategy)) {
            out.strategy = *named;
            note("strategy " + entry.strategy);
        }
    }
    auto& s = out.strategy;
    if (entry.max_connections) {
        s.max_connections = *entry.max_connections;
        note("max_connections");
    }
    if (entry.messages_per_connection) {
        s.messages_per_connection = *entry.messages_per_connection;
        note("messages_per_connection");
    }
    if (entry.message_rate) {
        s.message_rate = entry.message_rate;
        note("message_rate");
    }
    if (entry.connect_rate) {
        s.connect_rate = entry.connect_rate;
        note("connect_rate");
    }
    return changed;
}

// The entries of `list` for every ISP, then those for `isp`.
void apply_level(const std::vector<Shaping>& list, const std::string& owner, std::string_view isp,
                 ShapedStrategy& out,
                 const std::function<const Strategy*(std::string_view)>& strategy_named) {
    for (const bool specific : {false, true}) {
        for (const auto& entry : list) {
            if (entry.isp.empty() == specific || !applies(entry, isp)) continue;
            auto changed = apply(entry, out, strategy_named);
            if (changed.empty()) continue;
            out.layers.push_back(owner + (specific ? " for " + entry.isp : std::string()) + ": " +
                                 changed);
        }
    }
}
}  // namespace

bool shapes(const Pool& pool, const Source& source, std::string_view isp) {
    for (const auto* list : {&pool.shaping, &source.shaping}) {
        for (const auto& entry : *list) {
            if (applies(entry, isp)) return true;
        }
    }
    return false;
}

ShapedStrategy shape_strategy(
    const Strategy& isp_strategy, std::string_view isp, const Pool& pool, const Source& source,
    const std::function<const Strategy*(std::string_view)>& strategy_named) {
    ShapedStrategy out{isp_strategy, {}};
    apply_level(pool.shaping, "pool " + pool.name, isp, out, strategy_named);
    apply_level(source.shaping, "source " + source.name, isp, out, strategy_named);
    out.strategy.isp_message_rate = isp_strategy.isp_message_rate;  // ISP-wide, never per source
    return out;
}

}  // namespace sluice::policy::config
