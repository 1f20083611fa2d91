// SLUICE_ASSERT: loud invariant checks for states that only a programming error can reach
// (Postfix's "sanity check" habit). Never use it for anything a peer, an admin or the disk can
// cause: those are error values. A failed assertion prints where and why, then aborts.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace sluice::detail {
[[noreturn]] inline void assertion_failed(const char* expr, const char* why, const char* file,
                                          int line) {
    std::fprintf(stderr, "sluice: assertion failed at %s:%d: %s (%s)\n", file, line, expr, why);
    std::abort();
}
}  // namespace sluice::detail

#define SLUICE_ASSERT(cond, why) \
    ((cond) ? (void)0 : ::sluice::detail::assertion_failed(#cond, why, __FILE__, __LINE__))
