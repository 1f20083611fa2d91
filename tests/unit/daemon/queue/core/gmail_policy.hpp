// A compiled policy with one ISP, "Gmail" (domain gmail.test), using the first of `strategies`
// and every lock rule given, as the default rules (the long tail's sites) do too, for the registry
// and admission tests; and a strategy builder.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "policy/config/model.hpp"
#include "policy/engine/compiled_policy.hpp"

namespace sluice::daemon::queue::queue_test {

inline std::shared_ptr<const policy::engine::CompiledPolicy> compile(
    const std::vector<policy::config::Strategy>& strategies,
    const std::vector<policy::config::LockRule>& locks = {}) {
    policy::config::Config config;
    config.hostname = "mx.test";
    auto& p = config.policy;
    p.strategies = strategies;
    p.lock_rules = locks;
    policy::config::Isp isp;
    isp.name = "Gmail";
    isp.domains = {"gmail.test"};
    isp.strategy = strategies.front().name;
    for (const auto& lock : locks) isp.locks.push_back(lock.name);
    p.isps.push_back(isp);
    p.defaults.strategy = isp.strategy;
    p.defaults.locks = isp.locks;
    return policy::engine::CompiledPolicy::build(config);
}

// Strategy "s": `connections` at most, optional message rates for the queue and the ISP.
inline policy::config::Strategy strategy(std::uint32_t connections,
                                         std::optional<policy::config::Rate> rate = {},
                                         std::optional<policy::config::Rate> isp_rate = {}) {
    policy::config::Strategy s;
    s.name = "s";
    s.max_connections = connections;
    s.message_rate = rate;
    s.isp_message_rate = isp_rate;
    return s;
}

}  // namespace sluice::daemon::queue::queue_test
