// Applies header policies (config::HeaderPolicy) to a message's content: every field named in a
// policy's `remove` goes, then each policy's `add` fields are put at the top of the header, in
// the order given (pool first, then ISP). Pure text work on CRLF content; DKIM signs afterwards.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "policy/config/policy_model.hpp"

namespace sluice::policy::engine {

[[nodiscard]] std::string apply_header_policies(
    std::string_view content, std::initializer_list<const config::HeaderPolicy*> policies);

}  // namespace sluice::policy::engine
