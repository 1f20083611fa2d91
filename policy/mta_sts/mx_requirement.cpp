#include "policy/mta_sts/mx_requirement.hpp"

namespace sluice::policy::mta_sts {

MxRequirement requirement_for(const StsPolicy* policy, std::string_view mx_host) {
    if (!policy || policy->mode == Mode::none) return MxRequirement::as_usual;
    const bool matches = mx_matches(*policy, mx_host);
    if (policy->mode == Mode::enforce) {
        return matches ? MxRequirement::verified_tls : MxRequirement::skip_host;
    }
    return matches ? MxRequirement::as_usual : MxRequirement::report_mismatch;
}

}  // namespace sluice::policy::mta_sts
