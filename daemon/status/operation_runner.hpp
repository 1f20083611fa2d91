// Runs one operation (POST /hold, /release, /clear, /unlock, /reload) the request router
// found and the token check allowed: checks its scope, asks the daemon (StatusBackend) to do
// it and answers with operation_reply.hpp. A coroutine on the io thread, without Beast; it
// owns no state. Every outcome, refusals included, is an OperationReply.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "daemon/status/admin_request.hpp"
#include "daemon/status/operation_reply.hpp"
#include "daemon/status/request_route.hpp"
#include "daemon/status/status_backend.hpp"

namespace sluice::daemon::status {

// `operation`: one of the endpoints is_operation() accepts (any other is a 404).
boost::asio::awaitable<OperationReply> run_operation(StatusBackend& backend, Endpoint operation,
                                                     OperationScope scope);

}  // namespace sluice::daemon::status
