// Builds the sessions' key material (SessionSecurity) from a config: the server TLS context from
// smtp.tls_certificate / smtp.tls_key when a listener uses TLS, and the AUTH user table from
// smtp.auth_users_file when a listener offers AUTH. Runs at start (a failure stops the daemon) and
// on SIGHUP (a failure keeps the running config and material). Reads files; io thread only.
#pragma once

#include <memory>
#include <string>

#include "daemon/smtp/session_security.hpp"
#include "policy/config/model.hpp"

namespace sluice::daemon::app {

// The material `config` names; null and `error` set when a file cannot be used.
[[nodiscard]] std::shared_ptr<const smtp::SessionSecurity> load_session_security(
    const policy::config::Config& config, std::string& error);

}  // namespace sluice::daemon::app
