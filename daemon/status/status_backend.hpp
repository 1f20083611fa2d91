// What the status endpoint needs from the daemon, as an interface so status/ does not depend on
// the App: snapshots to show and operations to run. Implemented by app/daemon_status.cpp.
// Every call happens on the io thread; snapshots are cheap (no disk, no locks).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "daemon/status/admin_request.hpp"
#include "daemon/status/request_route.hpp"
#include "daemon/status/status_view.hpp"
#include "policy/net/cidr.hpp"

namespace sluice::daemon::status {

struct OperationResult {
    unsigned status = 200;
    std::string body;  // JSON
};

class StatusBackend {
  public:
    virtual ~StatusBackend() = default;
    [[nodiscard]] virtual StatusView status() = 0;
    // Every queue, or those of `isp` ("" = all).
    [[nodiscard]] virtual std::vector<QueueView> queues(const std::string& isp) = 0;
    // The networks allowed to read, and the operations token ("" = operations disabled).
    [[nodiscard]] virtual std::vector<policy::net::Cidr> read_networks() = 0;
    [[nodiscard]] virtual std::string token() = 0;
    // hold, release, clear, unlock or reload.
    virtual boost::asio::awaitable<OperationResult> operate(Endpoint operation,
                                                            OperationScope scope) = 0;
};

}  // namespace sluice::daemon::status
