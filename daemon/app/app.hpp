// App wires the daemon together and owns its parts: the io_context, the spool writer, the
// session registry, the listeners and the signal handling (SIGTERM/SIGINT: stop accepting,
// let open transactions finish within smtp.shutdown_timeout; SIGHUP: reload the config).
// It decides nothing itself. Start-up failures (spool unusable, a listener that cannot bind)
// are reported by run() returning a non-zero exit status after logging why.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "daemon/dkim/signer.hpp"
#include "daemon/log/logger.hpp"
#include "policy/config/model.hpp"
#include "policy/engine/compiled_policy.hpp"

namespace sluice::daemon::app {

class App {
  public:
    // `signer` holds the DKIM keys of `config` (dkim::load_signer); a reload replaces both.
    App(std::string config_path, std::shared_ptr<const policy::config::Config> config,
        std::shared_ptr<const dkim::Signer> signer, log::Logger& logger);
    ~App();

    // Runs until stopped by a signal; returns the process exit status.
    [[nodiscard]] int run();

  private:
    struct Parts;
    std::string config_path_;
    std::shared_ptr<const policy::config::Config> config_;
    std::shared_ptr<const policy::engine::CompiledPolicy> policy_;  // built from config_
    // Atomic: delivery signs on the blocking pool while SIGHUP swaps keys on the io thread.
    std::atomic<std::shared_ptr<const dkim::Signer>> signer_;
    log::Logger& logger_;
};

}  // namespace sluice::daemon::app
