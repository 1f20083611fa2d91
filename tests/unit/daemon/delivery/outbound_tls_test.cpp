#include "daemon/delivery/outbound_tls.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sluice::daemon::delivery {
namespace {

using namespace std::chrono_literals;
using Clock = OutboundTls::Clock;

TEST(OutboundTls, BuildsBothContexts) {
    OutboundTls tls;
    EXPECT_TRUE(tls.context(tls::PeerVerification::none));
    // Debian's ca-certificates may be absent on a build machine; then the error says why.
    EXPECT_TRUE(tls.context(tls::PeerVerification::system_cas) ||
                !tls.verified_context_error().empty());
}

TEST(OutboundTls, RemembersFailuresForAnHour) {
    OutboundTls tls;
    const Clock::time_point t0{};
    EXPECT_FALSE(tls.recently_failed("192.0.2.1", t0));
    tls.remember_failure("192.0.2.1", t0);
    struct Case {
        const char* peer;
        Clock::duration later;
        bool want;
    };
    for (const auto& c : {Case{"192.0.2.1", 0s, true}, Case{"192.0.2.1", 59min, true},
                          Case{"192.0.2.1", 60min, false}, Case{"192.0.2.2", 1s, false}}) {
        EXPECT_EQ(tls.recently_failed(c.peer, t0 + c.later), c.want)
            << c.peer << " after "
            << std::chrono::duration_cast<std::chrono::seconds>(c.later).count() << "s: got "
            << !c.want << ", want " << c.want;
    }
}

TEST(OutboundTls, MemoryIsBounded) {
    OutboundTls tls;
    const Clock::time_point t0{};
    for (std::size_t i = 0; i < OutboundTls::kMaxRemembered + 10; ++i) {
        tls.remember_failure("peer-" + std::to_string(i), t0);
    }
    EXPECT_TRUE(tls.recently_failed("peer-0", t0));
    EXPECT_FALSE(tls.recently_failed("peer-" + std::to_string(OutboundTls::kMaxRemembered), t0));
    // Once the old entries expired, new ones fit again.
    tls.remember_failure("late", t0 + 2h);
    EXPECT_TRUE(tls.recently_failed("late", t0 + 2h));
}

}  // namespace
}  // namespace sluice::daemon::delivery
