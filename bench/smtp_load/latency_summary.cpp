#include "bench/smtp_load/latency_summary.hpp"

#include <algorithm>
#include <cmath>

namespace sluice::bench {

namespace {

// Nearest rank: the smallest sample with at least `fraction` of the samples at or below it.
double nearest_rank(const std::vector<double>& sorted, double fraction) {
    const auto rank =
        static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(sorted.size())));
    return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace

LatencySummary summarize_latencies(std::vector<double>& samples_ms) {
    if (samples_ms.empty()) return {};
    std::sort(samples_ms.begin(), samples_ms.end());
    return {nearest_rank(samples_ms, 0.50), nearest_rank(samples_ms, 0.90),
            nearest_rank(samples_ms, 0.99), samples_ms.back()};
}

}  // namespace sluice::bench
