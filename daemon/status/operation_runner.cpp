// run_operation (contract: operation_runner.hpp): the order of the checks is the endpoint's
// documented behaviour, so it lives here once, not in each backend.
#include "daemon/status/operation_runner.hpp"

namespace sluice::daemon::status {

boost::asio::awaitable<OperationReply> run_operation(StatusBackend& backend, Endpoint operation,
                                                     OperationScope scope) {
    // Reload has no scope: it is checked before the ISP is.
    if (operation == Endpoint::reload) co_return reload_reply(backend.reload());
    if (!scope.isp.empty() && !backend.knows_isp(scope.isp)) {
        co_return unknown_isp_reply(scope.isp);
    }
    switch (operation) {
        case Endpoint::hold: {
            const HoldsResult holds = co_await backend.hold(scope);
            co_return holds_reply(scope, holds);
        }
        case Endpoint::release: {
            const HoldsResult holds = co_await backend.release(scope);
            co_return holds_reply(scope, holds);
        }
        case Endpoint::unlock:
            co_return unlock_reply(scope, backend.unlock(scope));
        case Endpoint::clear: {
            if (auto refused = refuse_clear(scope)) co_return std::move(*refused);
            const ClearResult cleared = co_await backend.clear(scope);
            co_return clear_reply(scope, cleared);
        }
        default:
            co_return no_such_operation_reply();
    }
}

}  // namespace sluice::daemon::status
