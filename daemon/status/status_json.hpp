// JSON bodies of the status endpoint (Boost.JSON, compiled once in sluice_acclog): GET /status,
// GET /queues (a page of queues), errors ({"error": ...}) and operation results. Pure.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/status/queue_query.hpp"
#include "daemon/status/status_view.hpp"

namespace sluice::daemon::status {

[[nodiscard]] boost::json::value to_json(const StatusView& status);
[[nodiscard]] boost::json::value to_json(const QueueView& queue);
[[nodiscard]] boost::json::value to_json(const QueuePage& page);

// {"error": message} as text.
[[nodiscard]] std::string error_body(std::string_view message);
// Serialized JSON followed by a newline (friendlier to curl in a terminal).
[[nodiscard]] std::string to_body(const boost::json::value& value);

}  // namespace sluice::daemon::status
