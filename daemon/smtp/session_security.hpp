// The key material sessions use, as one snapshot: the server TLS context (certificate and key)
// and, for SMTP AUTH, the user table. App builds it at start and on SIGHUP from the config; a
// session takes the current snapshot when it starts and keeps it for its life.
#pragma once

#include <memory>

#include "daemon/auth/user_table.hpp"
#include "daemon/tls/contexts.hpp"

namespace sluice::daemon::smtp {

struct SessionSecurity {
    tls::ContextPtr server_tls;                    // null when no certificate is configured
    std::shared_ptr<const auth::UserTable> users;  // null when no listener offers AUTH
};

}  // namespace sluice::daemon::smtp
