// The daemon's side of the status endpoint (status::StatusBackend): builds the status and
// queue snapshots from the queue manager, spool writer, session registry and listeners, and
// runs the operations (hold, release, clear, unlock on the queue manager; reload through the
// same function SIGHUP uses), returning what happened as typed results: status codes and JSON
// are status/'s. It also holds the operations token, read from status.token_file at start-up
// and on each reload. io thread only; App owns it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "daemon/acclog/accounting_log.hpp"
#include "daemon/log/logger.hpp"
#include "daemon/queue/queue_manager.hpp"
#include "daemon/smtp/listener.hpp"
#include "daemon/smtp/session_registry.hpp"
#include "daemon/spool/spool_writer.hpp"
#include "daemon/status/status_backend.hpp"

namespace sluice::daemon::app {

// The outcome of the latest reload, as /status shows it.
struct ReloadState {
    std::uint64_t generation = 1;
    std::int64_t last_unix = 0;  // 0: none yet
    bool ok = true;
    std::string error;
};

struct StatusSources {
    std::function<std::shared_ptr<const policy::config::Config>()> config;
    queue::QueueManager& queue;
    spool::SpoolWriter& spool;
    smtp::SessionRegistry& registry;
    const std::vector<std::unique_ptr<smtp::Listener>>& listeners;
    const std::uint64_t& accepted;  // messages accepted over SMTP since start
    const ReloadState& reload;
    std::function<void()> reload_now;  // what SIGHUP does
    std::string version;
    std::int64_t started_unix = 0;
    log::Logger& logger;
    const acclog::AccountingLog& accounting;  // its failure counters
};

class DaemonStatus final : public status::StatusBackend {
  public:
    explicit DaemonStatus(StatusSources sources);

    // Reads status.token_file again (start-up and reload); a failure is logged and disables
    // operations until the file is fixed.
    void refresh_token();

    status::StatusView status() override;
    status::QueuePage queues(const status::QueueQuery& query) override;
    std::vector<status::QueueView> metric_queues() override;
    std::vector<policy::net::Cidr> read_networks() override;
    std::string token() override { return token_; }

    // A hold left from an ISP a reload removed is known too, so it can be released.
    bool knows_isp(const std::string& isp) override;
    status::ReloadResult reload() override;
    boost::asio::awaitable<status::HoldsResult> hold(status::OperationScope scope) override;
    boost::asio::awaitable<status::HoldsResult> release(status::OperationScope scope) override;
    bool unlock(const status::OperationScope& scope) override;
    boost::asio::awaitable<status::ClearResult> clear(status::OperationScope scope) override;

  private:
    [[nodiscard]] status::HoldsResult holds_now(std::error_code save_error) const;
    [[nodiscard]] status::QueueView view_of(const queue::DestinationQueue& queue,
                                            queue::WallTime wall) const;
    StatusSources sources_;
    std::string token_;
};

}  // namespace sluice::daemon::app
