// What the status endpoint needs from the daemon, as an interface so status/ does not depend on
// the App: snapshots to show, and the operations to run with their typed results (the endpoint
// turns those into status codes and JSON, operation_reply.hpp). Implemented by
// app/daemon_status.cpp. Every call happens on the io thread; snapshots are cheap (no disk, no
// locks). Nothing here throws for an expected failure: it is in the result.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "daemon/status/admin_request.hpp"
#include "daemon/status/operation_reply.hpp"
#include "daemon/status/queue_query.hpp"
#include "daemon/status/status_view.hpp"
#include "policy/net/cidr.hpp"

namespace sluice::daemon::status {

class StatusBackend {
  public:
    virtual ~StatusBackend() = default;
    [[nodiscard]] virtual StatusView status() = 0;
    // The page of queues `query` selects, sorted (queue_query.hpp's page_of).
    [[nodiscard]] virtual QueuePage queues(const QueueQuery& query) = 0;
    // The queues as /metrics shows them: a queue per ISP entry and source, and the long tail's
    // site queues rolled up per ISP and source (their counters including reclaimed queues'),
    // so the series stay few and counters never go back.
    [[nodiscard]] virtual std::vector<QueueView> metric_queues() = 0;
    // The networks allowed to read, and the operations token ("" = operations disabled).
    [[nodiscard]] virtual std::vector<policy::net::Cidr> read_networks() = 0;
    [[nodiscard]] virtual std::string token() = 0;

    // Operations. An ISP in a scope is one knows_isp() accepts.
    [[nodiscard]] virtual bool knows_isp(const std::string& isp) = 0;
    // What SIGHUP does; the outcome of that reload.
    [[nodiscard]] virtual ReloadResult reload() = 0;
    virtual boost::asio::awaitable<HoldsResult> hold(OperationScope scope) = 0;
    virtual boost::asio::awaitable<HoldsResult> release(OperationScope scope) = 0;
    // Whether any lock was lifted.
    [[nodiscard]] virtual bool unlock(const OperationScope& scope) = 0;
    // scope.dsn: tell the senders.
    virtual boost::asio::awaitable<ClearResult> clear(OperationScope scope) = 0;
};

}  // namespace sluice::daemon::status
