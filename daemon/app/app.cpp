#include "daemon/app/app.hpp"

#include <signal.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <filesystem>
#include <vector>

#include "daemon/acclog/accounting_log.hpp"
#include "daemon/app/daemon_status.hpp"
#include "daemon/app/security_loader.hpp"
#include "daemon/app/systemd_notifier.hpp"
#include "daemon/app/watchdog.hpp"
#include "daemon/asio/nothrow_awaitable.hpp"
#include "daemon/clock/wall_clock.hpp"
#include "daemon/delivery/outbound_tls.hpp"
#include "daemon/dkim/key_loader.hpp"
#include "daemon/dns/resolver.hpp"
#include "daemon/mta_sts/mta_sts_service.hpp"
#include "daemon/queue/queue_manager.hpp"
#include "daemon/smtp/listener.hpp"
#include "daemon/spool/recovery.hpp"
#include "daemon/status/status_server.hpp"
#include "policy/config/load.hpp"
#include "policy/engine/policy_changes.hpp"

namespace sluice::daemon::app {

namespace asio = boost::asio;
using asio_support::nothrow_awaitable;

// Everything run() builds, torn down in an explicit order: listeners and the spool writer go
// while the io_context still exists, the io_context (and the session frames it holds) goes
// while the registry and services they point to still exist.
struct App::Parts {
    smtp::SessionRegistry registry;
    spool::QueueIdGenerator queue_ids{static_cast<std::uint32_t>(::getpid())};
    spool::RecoveryResult recovered;  // the in-memory index of the spool at start-up
    std::unique_ptr<asio::io_context> io = std::make_unique<asio::io_context>(1);
    // Disk work of the queue manager (spool reads, progress appends, unlinks).
    std::unique_ptr<asio::thread_pool> blocking = std::make_unique<asio::thread_pool>(2);
    std::unique_ptr<spool::SpoolWriter> writer;
    std::unique_ptr<acclog::AccountingLog> accounting;
    std::unique_ptr<dns::Resolver> resolver;
    std::unique_ptr<delivery::OutboundTls> outbound_tls;
    std::unique_ptr<mta_sts::MtaStsService> mta_sts;
    std::unique_ptr<queue::QueueManager> queue;
    std::unique_ptr<smtp::SessionServices> services;
    std::vector<std::unique_ptr<smtp::Listener>> listeners;
    ReloadState reload;
    std::uint64_t accepted = 0;  // messages accepted over SMTP since start
    std::unique_ptr<DaemonStatus> status;
    std::unique_ptr<status::StatusServer> status_server;

    // Nothing here is resumed once io has stopped: coroutine frames still suspended are only
    // destroyed (with io or with the resolver holding their handlers).
    ~Parts() {
        status_server.reset();
        listeners.clear();
        // Disk work finishes before what it writes into goes (the queue's holds and warm-up
        // files); its completions are never resumed.
        blocking->join();
        queue.reset();
        mta_sts.reset();
        resolver.reset();
        writer.reset();  // likewise for batches in flight
        io.reset();
    }
};

namespace {

dns::ResolverSettings resolver_settings(const policy::config::Config& config) {
    dns::ResolverSettings settings;
    settings.servers = config.dns.servers;
    settings.timeout = config.dns.timeout;
    settings.tries = config.dns.tries;
    settings.max_cache_ttl =
        std::chrono::duration_cast<std::chrono::seconds>(config.dns.max_cache_ttl);
    settings.max_negative_ttl =
        std::chrono::duration_cast<std::chrono::seconds>(config.dns.max_negative_ttl);
    return settings;
}

// SIGHUP and POST /reload: build and validate a new snapshot, its sending policy, its DKIM keys
// and the sessions' key material (certificate, users); keep the running ones if any is broken.
// New sessions get the new certificate; open ones keep theirs. `state` gets the outcome
// (generation, time, the first error); returns whether the new ones took over.
bool reload(const std::string& path, std::shared_ptr<const policy::config::Config>& current,
            std::shared_ptr<const policy::engine::CompiledPolicy>& current_policy,
            std::atomic<std::shared_ptr<const dkim::Signer>>& signer,
            std::shared_ptr<const smtp::SessionSecurity>& security, ReloadState& state,
            acclog::AccountingLog& accounting, log::Logger& logger) {
    std::uint64_t& generation = state.generation;
    state.last_unix = clock::now_unix();
    state.error.clear();
    notify_reloading();
    // Reopened first, so logrotate's "kill -HUP" works even when the new config is broken.
    if (auto ec = accounting.reopen()) {
        logger.error("cannot reopen the accounting log: {}", ec.message());
    }
    auto result = policy::config::load_config_file(path);
    std::shared_ptr<const policy::engine::CompiledPolicy> fresh_policy;
    if (result.config) {
        try {
            fresh_policy = policy::engine::CompiledPolicy::build(*result.config);
        } catch (const std::exception& e) {
            result.config.reset();
            state.error = path + ": " + e.what();
            logger.error("reload failed, keeping the running configuration: {}: {}", path,
                         e.what());
        }
    }
    auto keys = result.config ? dkim::load_signer(*result.config) : dkim::SignerLoadResult{};
    std::string security_error;
    std::shared_ptr<const smtp::SessionSecurity> fresh_security;
    if (result.config && keys.signer) {
        fresh_security = load_session_security(*result.config, security_error);
    }
    bool applied = false;
    if (result.config && keys.signer && !fresh_security) {
        state.error = security_error;
        logger.error("reload failed, keeping the running configuration: {}", security_error);
    } else if (!result.config || !keys.signer) {
        for (const auto* errors : {&result.errors, &keys.errors}) {
            for (const auto& error : *errors) {
                if (state.error.empty()) state.error = error.to_string();
                logger.error("reload failed, keeping the running configuration: {}",
                             error.to_string());
            }
        }
    } else {
        const auto& fresh = *result.config;
        if (fresh.spool.directory != current->spool.directory) {
            logger.warning("reload: spool.directory changes take effect after a restart");
        }
        if (fresh.smtp.listen.size() != current->smtp.listen.size()) {
            logger.warning("reload: listener changes take effect after a restart");
        }
        for (const auto& warning : keys.warnings) logger.warning("{}", warning);
        logger.notice("reload: {}",
                      policy::engine::describe_changes(*current_policy, *fresh_policy));
        current = result.config;
        current_policy = fresh_policy;
        signer.store(keys.signer);
        security = std::move(fresh_security);
        ++generation;
        applied = true;
        logger.notice("reloaded configuration from {} (generation {}, {} DKIM keys)", path,
                      generation, keys.signer->keys().size());
    }
    if (!applied && state.error.empty()) state.error = "the configuration could not be loaded";
    state.ok = applied;
    notify_ready("accepting mail");
    return applied;
}

}  // namespace

App::App(std::string config_path, std::shared_ptr<const policy::config::Config> config,
         std::shared_ptr<const dkim::Signer> signer, log::Logger& logger)
    : config_path_(std::move(config_path)),
      config_(std::move(config)),
      signer_(std::move(signer)),
      logger_(logger) {}

App::~App() = default;

int App::run() {
    ::signal(SIGPIPE, SIG_IGN);
    const std::filesystem::path root = config_->spool.directory;
    Parts parts;
    if (auto ec = spool::recover_spool(root, logger_, parts.recovered)) {
        logger_.error("spool {}: {}", root.string(), ec.message());
        return 1;
    }
    parts.writer =
        std::make_unique<spool::SpoolWriter>(root, config_->spool.compression_level, logger_);
    const auto& found = parts.recovered.totals;
    parts.writer->usage().seed({found.messages, found.content_bytes, found.file_bytes});
    auto executor = parts.io->get_executor();
    auto current_config = [this] { return config_; };
    auto current_policy = [this] { return policy_; };
    // DKIM at delivery time (on the blocking pool), with the keys running at that moment.
    auto dkim_sign = [this](std::string_view content, std::string_view pool) {
        const auto signer = signer_.load();  // a reload may swap it; this snapshot stays alive
        auto signed_message = signer->sign(content, pool, clock::now_unix());
        for (const auto& failure : signed_message.failures) {
            logger_.error("DKIM signing failed: {}", failure);
        }
        return std::move(signed_message.content);
    };
    std::string security_error;
    std::shared_ptr<const smtp::SessionSecurity> security =
        load_session_security(*config_, security_error);
    if (!security) {
        logger_.error("cannot start: {}", security_error);
        return 1;
    }
    try {
        policy_ = policy::engine::CompiledPolicy::build(*config_);
        parts.accounting = std::make_unique<acclog::AccountingLog>(config_->accounting, logger_);
        parts.resolver = std::make_unique<dns::Resolver>(executor, resolver_settings(*config_));
        parts.outbound_tls = std::make_unique<delivery::OutboundTls>();
        const auto& verified = parts.outbound_tls->context(tls::PeerVerification::system_cas);
        parts.mta_sts = std::make_unique<mta_sts::MtaStsService>(
            executor, *parts.resolver, verified, root / "mta-sts", *parts.blocking, logger_);
        if (const auto loaded = parts.mta_sts->load()) {
            logger_.info("MTA-STS: {} cached policies loaded from {}", loaded,
                         (root / "mta-sts").string());
        }
    } catch (const std::exception& e) {
        logger_.error("cannot start: {}", e.what());
        return 1;
    }
    parts.queue = std::make_unique<queue::QueueManager>(
        executor, queue::QueueServices{.config = current_config,
                                       .policy = current_policy,
                                       .queue_dir = root / "queue",
                                       .spool = *parts.writer,
                                       .queue_ids = parts.queue_ids,
                                       .resolver = *parts.resolver,
                                       .accounting = *parts.accounting,
                                       .blocking = *parts.blocking,
                                       .logger = logger_,
                                       .dkim_sign = dkim_sign,
                                       .outbound_tls = parts.outbound_tls.get(),
                                       .holds_file = root / "holds",
                                       .warmup_file = root / "warmup",
                                       .mta_sts = parts.mta_sts.get()});
    parts.services = std::make_unique<smtp::SessionServices>(smtp::SessionServices{
        .spool = *parts.writer,
        .queue_ids = parts.queue_ids,
        .registry = parts.registry,
        .logger = logger_,
        .message_spooled =
            [queue = parts.queue.get(), &accepted = parts.accepted](
                const spool::Envelope& envelope, const std::string& header_pool) {
                ++accepted;
                queue->message_spooled(envelope, header_pool);
            },
        .security = [&security] { return security; }});

    for (const auto& settings : config_->smtp.listen) {
        auto listener =
            std::make_unique<smtp::Listener>(executor, settings, current_config, *parts.services);
        if (auto ec = listener->open()) {
            logger_.error("cannot listen on {}:{}: {}", settings.address, settings.port,
                          ec.message());
            return 1;
        }
        const auto endpoint = listener->local_endpoint();
        logger_.notice("listening on {} port {} ({})", endpoint.address().to_string(),
                       endpoint.port(), settings.name);
        parts.listeners.push_back(std::move(listener));
    }
    // One reload, whoever asks (SIGHUP or POST /reload); on the io thread.
    auto reload_now = [this, &parts, &security] {
        if (reload(config_path_, config_, policy_, signer_, security, parts.reload,
                   *parts.accounting, logger_)) {
            parts.queue->reconfigure();
            parts.status->refresh_token();
        }
    };
    parts.status = std::make_unique<DaemonStatus>(StatusSources{.config = current_config,
                                                                .queue = *parts.queue,
                                                                .spool = *parts.writer,
                                                                .registry = parts.registry,
                                                                .listeners = parts.listeners,
                                                                .accepted = parts.accepted,
                                                                .reload = parts.reload,
                                                                .reload_now = reload_now,
                                                                .version = SLUICE_VERSION,
                                                                .started_unix = clock::now_unix(),
                                                                .logger = logger_,
                                                                .accounting = *parts.accounting});
    parts.status->refresh_token();
    parts.status_server = std::make_unique<status::StatusServer>(executor, *parts.status, logger_);
    if (auto ec = parts.status_server->open(config_->status.listen)) {
        logger_.error("cannot open the status endpoint on {}: {}", config_->status.listen,
                      ec.message());
        return 1;
    }
    {
        const auto endpoint = parts.status_server->local_endpoint();
        logger_.notice("status endpoint on {} port {}", endpoint.address().to_string(),
                       endpoint.port());
    }
    for (auto& listener : parts.listeners) listener->start();
    parts.status_server->start();

    asio::signal_set signals(*parts.io, SIGTERM, SIGINT, SIGHUP);
    asio::co_spawn(
        executor,
        [&]() -> asio::awaitable<void> {
            for (;;) {
                auto [ec, signal_number] = co_await signals.async_wait(nothrow_awaitable);
                if (ec) co_return;
                if (signal_number == SIGHUP) {
                    reload_now();
                    continue;
                }
                break;
            }
            logger_.notice("stopping: no new connections, finishing open transactions");
            notify_stopping("stopping");
            for (auto& listener : parts.listeners) listener->stop();
            parts.status_server->stop();
            parts.queue->stop();
            parts.registry.request_stop_all();
            // Open transactions get the grace period, then whatever is left is closed.
            const auto deadline = std::chrono::steady_clock::now() + config_->smtp.shutdown_timeout;
            asio::steady_timer tick(executor);
            // Delivery workers stop taking new messages and finish the transaction they are in,
            // so a clean stop does not repeat deliveries the way a crash may.
            while ((parts.registry.open_sessions() > 0 || parts.queue->active_connections() > 0) &&
                   std::chrono::steady_clock::now() < deadline) {
                tick.expires_after(std::chrono::milliseconds(20));
                co_await tick.async_wait(nothrow_awaitable);
            }
            if (parts.registry.open_sessions() > 0) {
                logger_.warning("closing {} sessions still open after the grace period",
                                parts.registry.open_sessions());
                parts.registry.force_close_all();
                tick.expires_after(std::chrono::milliseconds(200));
                co_await tick.async_wait(nothrow_awaitable);
            }
            signals.cancel();
            parts.io->stop();
        },
        asio::detached);

    const auto status =
        fmt::format("accepting mail; {} messages in the spool", parts.recovered.messages.size());
    parts.queue->start(std::move(parts.recovered));
    logger_.notice("sluiced started: {}", status);
    notify_ready(status);
    if (const auto period = start_watchdog(executor); period.count() > 0) {
        logger_.notice("systemd watchdog: WATCHDOG=1 every {} ms", period.count() / 1000);
    }
    parts.io->run();
    logger_.notice("sluiced stopped");
    return 0;
}

}  // namespace sluice::daemon::app
