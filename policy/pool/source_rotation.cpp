// SourceRotation (see source_rotation.hpp). Weighted selection is nginx's smooth weighted round
// robin: each pick adds every weight to its source's counter, takes the largest counter and
// subtracts the total from it, so weights 5:1:1 give a a b a c a a rather than a a a a a b c.
#include "policy/pool/source_rotation.hpp"

#include "common/assert.hpp"

namespace sluice::policy::pool {
namespace {

std::vector<std::string> signature(const config::Pool& pool) {
    std::vector<std::string> names;
    names.reserve(pool.sources.size());
    for (const config::Source& source : pool.sources) {
        names.push_back(source.name + "/" + std::to_string(source.weight));
    }
    return names;
}

}  // namespace

const config::Source& SourceRotation::next(const config::Pool& pool) {
    SLUICE_ASSERT(!pool.sources.empty(), "a pool has at least one source");
    State& state = pools_[pool.name];
    std::vector<std::string> names = signature(pool);
    if (state.names != names) {
        state = State{std::move(names), std::vector<std::int64_t>(pool.sources.size(), 0), 0};
    }
    if (pool.selection == config::SourceSelection::round_robin) {
        return pool.sources[state.cursor++ % pool.sources.size()];
    }
    std::int64_t total = 0;
    std::size_t best = 0;
    for (std::size_t i = 0; i < pool.sources.size(); ++i) {
        const auto weight = static_cast<std::int64_t>(pool.sources[i].weight);
        state.current[i] += weight;
        total += weight;
        if (state.current[i] > state.current[best]) {
            best = i;
        }
    }
    state.current[best] -= total;
    return pool.sources[best];
}

}  // namespace sluice::policy::pool
