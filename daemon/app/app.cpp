#include "daemon/app/app.hpp"

#include <signal.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <filesystem>
#include <vector>

#include "daemon/app/systemd_notifier.hpp"
#include "daemon/smtp/listener.hpp"
#include "daemon/spool/recovery.hpp"
#include "policy/config/load.hpp"

namespace sluice::daemon::app {

namespace asio = boost::asio;
constexpr auto nothrow_awaitable = asio::as_tuple(asio::use_awaitable);

// Everything run() builds, torn down in an explicit order: listeners and the spool writer go
// while the io_context still exists, the io_context (and the session frames it holds) goes
// while the registry and services they point to still exist.
struct App::Parts {
    smtp::SessionRegistry registry;
    spool::QueueIdGenerator queue_ids{static_cast<std::uint32_t>(::getpid())};
    spool::RecoveryResult recovered;  // the in-memory index of the spool at start-up
    std::unique_ptr<asio::io_context> io = std::make_unique<asio::io_context>(1);
    std::unique_ptr<spool::SpoolWriter> writer;
    std::unique_ptr<smtp::SessionServices> services;
    std::vector<std::unique_ptr<smtp::Listener>> listeners;
    std::uint64_t config_generation = 1;

    ~Parts() {
        listeners.clear();
        writer.reset();  // finishes batches in flight; their completions are never resumed
        io.reset();
    }
};

namespace {

// SIGHUP: build and validate a new snapshot; keep the running one if it is broken.
void reload(const std::string& path, std::shared_ptr<const policy::config::Config>& current,
            std::uint64_t& generation, log::Logger& logger) {
    notify_reloading();
    auto result = policy::config::load_config_file(path);
    if (!result.config) {
        for (const auto& error : result.errors) {
            logger.error("reload failed, keeping the running configuration: {}",
                         error.to_string());
        }
    } else {
        const auto& fresh = *result.config;
        if (fresh.spool.directory != current->spool.directory) {
            logger.warning("reload: spool.directory changes take effect after a restart");
        }
        if (fresh.smtp.listen.size() != current->smtp.listen.size()) {
            logger.warning("reload: listener changes take effect after a restart");
        }
        current = result.config;
        ++generation;
        logger.notice("reloaded configuration from {} (generation {})", path, generation);
    }
    notify_ready("accepting mail");
}

}  // namespace

App::App(std::string config_path, std::shared_ptr<const policy::config::Config> config,
         log::Logger& logger)
    : config_path_(std::move(config_path)), config_(std::move(config)), logger_(logger) {}

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
    parts.services = std::make_unique<smtp::SessionServices>(
        smtp::SessionServices{*parts.writer, parts.queue_ids, parts.registry, logger_});

    auto executor = parts.io->get_executor();
    for (const auto& settings : config_->smtp.listen) {
        auto listener = std::make_unique<smtp::Listener>(
            executor, settings, [this] { return config_; }, *parts.services);
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
    for (auto& listener : parts.listeners) listener->start();

    asio::signal_set signals(*parts.io, SIGTERM, SIGINT, SIGHUP);
    asio::co_spawn(executor, [&]() -> asio::awaitable<void> {
        for (;;) {
            auto [ec, signal_number] = co_await signals.async_wait(nothrow_awaitable);
            if (ec) co_return;
            if (signal_number == SIGHUP) {
                reload(config_path_, config_, parts.config_generation, logger_);
                continue;
            }
            break;
        }
        logger_.notice("stopping: no new connections, finishing open transactions");
        notify_stopping("stopping");
        for (auto& listener : parts.listeners) listener->stop();
        parts.registry.request_stop_all();
        // Open transactions get the grace period, then whatever is left is closed.
        const auto deadline = std::chrono::steady_clock::now() + config_->smtp.shutdown_timeout;
        asio::steady_timer tick(executor);
        while (parts.registry.open_sessions() > 0 && std::chrono::steady_clock::now() < deadline) {
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
    }, asio::detached);

    const auto status = fmt::format("accepting mail; {} messages in the spool",
                                    parts.recovered.messages.size());
    logger_.notice("sluiced started: {}", status);
    notify_ready(status);
    parts.io->run();
    logger_.notice("sluiced stopped");
    return 0;
}

}  // namespace sluice::daemon::app
