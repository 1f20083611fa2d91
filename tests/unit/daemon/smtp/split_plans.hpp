// Ways to cut a stream of `length` octets into reads, for parser tests in the Beast
// "parsegrind" style: whole, cut once at every offset, byte by byte (with empty pieces at both
// ends) and, for short streams, cut twice at every pair of offsets. A plan lists the offsets.
#pragma once

#include <cstddef>
#include <vector>

namespace sluice::daemon::smtp {

inline constexpr std::size_t kMaxLengthForPairsOfCuts = 24;

inline std::vector<std::vector<std::size_t>> split_plans(std::size_t length) {
    std::vector<std::vector<std::size_t>> plans = {{}};
    std::vector<std::size_t> every;
    for (std::size_t cut = 0; cut <= length; ++cut) {
        plans.push_back({cut});
        every.push_back(cut);
    }
    plans.push_back(every);
    if (length <= kMaxLengthForPairsOfCuts) {
        for (std::size_t a = 0; a <= length; ++a) {
            for (std::size_t b = a; b <= length; ++b) plans.push_back({a, b});
        }
    }
    return plans;
}

}  // namespace sluice::daemon::smtp
