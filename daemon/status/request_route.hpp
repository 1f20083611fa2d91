// Which endpoint a request is for: method and target in, an Endpoint (with the ISP of
// /queues/{isp} percent-decoded and the query string) or a 404/405 with its message out.
// Pure; no Beast types so it can be tested as a table.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <variant>

namespace sluice::daemon::status {

enum class Endpoint {
    dashboard,
    status,
    queues,
    queue,
    metrics,
    health,
    hold,
    release,
    clear,
    unlock,
    reload
};

struct RoutedRequest {
    Endpoint endpoint;
    std::string isp;    // Endpoint::queue only
    std::string query;  // after '?', undecoded
};

struct RouteError {
    unsigned status;  // 404 or 405
    std::string message;
    std::string allow;  // for 405: the Allow header
};

// `method` as sent ("GET", "POST", ...). HEAD is treated like GET.
[[nodiscard]] std::variant<RoutedRequest, RouteError> route_request(std::string_view method,
                                                                    std::string_view target);

// POST operations need the bearer token; the rest are reads.
[[nodiscard]] bool is_operation(Endpoint endpoint);

// %XX and '+' decoded; nullopt-like failure as false when an escape is malformed.
[[nodiscard]] bool percent_decode(std::string_view in, std::string& out);

// Calls `each(key, value)` for every "key=value" of a query string, both percent-decoded (a
// key without '=' has an empty value), in order; false when an escape is malformed.
[[nodiscard]] bool for_each_query_parameter(
    std::string_view query,
    const std::function<void(const std::string& key, const std::string& value)>& each);

}  // namespace sluice::daemon::status
