// Tells systemd (Type=notify) where the daemon stands: READY, RELOADING, STOPPING and a STATUS
// line. Without NOTIFY_SOCKET (not under systemd) every call does nothing. No state.
#pragma once

#include <string_view>

namespace sluice::daemon::app {

void notify_ready(std::string_view status);
void notify_reloading();
void notify_stopping(std::string_view status);
void notify_status(std::string_view status);

}  // namespace sluice::daemon::app
