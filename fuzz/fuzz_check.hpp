// FUZZ_CHECK: an invariant a fuzz target asserts about the code under test. Unlike
// SLUICE_ASSERT it lives only in fuzz targets, and it aborts so libFuzzer records the input
// that broke the invariant as a crash. Also a small helper that cuts the fuzz input into pieces
// at data-driven offsets, for the "splitting the stream never changes the result" checks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#define FUZZ_CHECK(cond)                                                                     \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            std::fprintf(stderr, "fuzz invariant failed at %s:%d: %s\n", __FILE__, __LINE__, \
                         #cond);                                                             \
            std::abort();                                                                    \
        }                                                                                    \
    } while (0)

namespace sluice::fuzz {

// Splits `input` into consecutive pieces whose sizes come from `seed` bytes (1..16 each,
// cycling), so every split point is reachable and the split is reproducible.
inline std::vector<std::string_view> split_by(std::string_view input, std::string_view seed) {
    std::vector<std::string_view> pieces;
    std::size_t i = 0;
    while (!input.empty()) {
        std::size_t n =
            seed.empty() ? 1 : (static_cast<unsigned char>(seed[i++ % seed.size()]) % 16) + 1;
        n = n < input.size() ? n : input.size();
        pieces.push_back(input.substr(0, n));
        input.remove_prefix(n);
    }
    return pieces;
}

inline std::string_view as_view(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

}  // namespace sluice::fuzz
