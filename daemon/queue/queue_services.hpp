// What the queue manager and its delivery workers are given by App: config and policy
// snapshots, the spool, DNS, accounting, the blocking pool, logging, DKIM, TLS and MTA-STS.
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "daemon/acclog/accounting_log.hpp"
#include "daemon/delivery/outbound_tls.hpp"
#include "daemon/dns/resolver.hpp"
#include "daemon/log/logger.hpp"
#include "daemon/spool/queue_id.hpp"
#include "daemon/spool/spool_writer.hpp"
#include "policy/config/model.hpp"
#include "policy/engine/compiled_policy.hpp"

namespace sluice::daemon::mta_sts {
class MtaStsService;
}

namespace sluice::daemon::queue {

struct QueueServices {
    std::function<std::shared_ptr<const policy::config::Config>()> config;
    std::function<std::shared_ptr<const policy::engine::CompiledPolicy>()> policy;
    std::filesystem::path queue_dir;
    spool::SpoolWriter& spool;
    spool::QueueIdGenerator& queue_ids;
    dns::Resolver& resolver;
    acclog::AccountingLog& accounting;
    boost::asio::thread_pool& blocking;
    log::Logger& logger;
    // The content to send for a message leaving through `pool` ("" until pools exist): the
    // spooled content with its DKIM-Signature fields prepended (App wires dkim::Signer here).
    // Called on the blocking pool, so it must be thread-safe.
    std::function<std::string(std::string_view content, std::string_view pool)> dkim_sign;
    delivery::OutboundTls* outbound_tls = nullptr;  // TLS contexts and failure memory (App's)
    // Where the admin's holds are kept (hold_store.hpp); loaded by start().
    std::filesystem::path holds_file;
    // Where today's warm-up counts are kept (warmup_ledger.hpp); loaded by start().
    std::filesystem::path warmup_file;
    // MTA-STS policies (App's); null: MTA-STS is never applied.
    mta_sts::MtaStsService* mta_sts = nullptr;
};

}  // namespace sluice::daemon::queue
