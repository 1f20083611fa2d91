// The scope of an operation (POST /hold, /release, /clear, /unlock): a JSON object body
// {"isp": "Gmail", "source": "192.0.2.10"} or the same as a query string (isp=Gmail&source=...),
// either one, both empty meaning the whole node. "all": true (all=1) confirms a node-wide clear;
// "dsn": true (dsn=1) asks a clear to send DSNs.
// Unknown fields, non-string values, control characters and a source without an ISP are
// errors. Pure.
#pragma once

#include <string>
#include <string_view>
#include <variant>

namespace sluice::daemon::status {

struct OperationScope {
    std::string isp;     // empty: the whole node
    std::string source;  // empty: every source of the ISP
    bool all = false;    // "all": true was given
    bool dsn = false;    // "dsn": true was given
};

struct ScopeError {
    std::string message;
};

[[nodiscard]] std::variant<OperationScope, ScopeError> parse_scope(std::string_view body,
                                                                   std::string_view query);

}  // namespace sluice::daemon::status
