#include "policy/mta_sts/mx_requirement.hpp"

#include <gtest/gtest.h>

namespace sluice::policy::mta_sts {
namespace {

StsPolicy policy_with(Mode mode) {
    return StsPolicy{mode, {"*.mx.test"}, std::chrono::hours(1)};
}

TEST(MxRequirement, FollowsModeAndMatch) {
    const auto enforce = policy_with(Mode::enforce);
    const auto testing = policy_with(Mode::testing);
    const auto none = policy_with(Mode::none);
    struct Case {
        const StsPolicy* policy;
        const char* host;
        MxRequirement want;
    };
    const Case cases[] = {
        {nullptr, "a.mx.test", MxRequirement::as_usual},
        {&none, "elsewhere.test", MxRequirement::as_usual},
        {&enforce, "a.mx.test", MxRequirement::verified_tls},
        {&enforce, "elsewhere.test", MxRequirement::skip_host},
        {&testing, "a.mx.test", MxRequirement::as_usual},
        {&testing, "elsewhere.test", MxRequirement::report_mismatch},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(requirement_for(c.policy, c.host), c.want) << c.host;
    }
}

}  // namespace
}  // namespace sluice::policy::mta_sts
