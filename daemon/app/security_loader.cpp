#include "daemon/app/security_loader.hpp"

#include <algorithm>

namespace sluice::daemon::app {

namespace {
bool any_listener_uses_tls(const policy::config::SmtpSettings& smtp) {
    return std::any_of(smtp.listen.begin(), smtp.listen.end(), [](const auto& listener) {
        return listener.tls != policy::config::ListenerTls::none;
    });
}

bool any_listener_uses_auth(const policy::config::SmtpSettings& smtp) {
    return std::any_of(smtp.listen.begin(), smtp.listen.end(), [](const auto& listener) {
        return listener.auth != policy::config::ListenerAuth::none;
    });
}
}  // namespace

std::shared_ptr<const smtp::SessionSecurity> load_session_security(
    const policy::config::Config& config, std::string& error) {
    auto security = std::make_shared<smtp::SessionSecurity>();
    const auto& smtp = config.smtp;
    // Files are read only when a listener needs them (validation made sure they are named).
    if (any_listener_uses_tls(smtp)) {
        security->server_tls = tls::make_server_context(smtp.tls_certificate, smtp.tls_key, error);
        if (!security->server_tls) return nullptr;
    }
    if (any_listener_uses_auth(smtp)) {
        security->users = auth::UserTable::load(smtp.auth_users_file, error);
        if (!security->users) return nullptr;
    }
    return security;
}

}  // namespace sluice::daemon::app
