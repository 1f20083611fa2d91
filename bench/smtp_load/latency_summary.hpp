#pragma once
// Percentiles of a set of latency samples (milliseconds). Pure: no I/O, no clock.
#include <vector>

namespace sluice::bench {

struct LatencySummary {
    double p50_ms = 0;
    double p90_ms = 0;
    double p99_ms = 0;
    double max_ms = 0;
};

// Nearest-rank percentiles; all zero for an empty set. Sorts the samples in place.
[[nodiscard]] LatencySummary summarize_latencies(std::vector<double>& samples_ms);

}  // namespace sluice::bench
