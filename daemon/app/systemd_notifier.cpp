#include "daemon/app/systemd_notifier.hpp"

#include <fmt/format.h>
#include <systemd/sd-daemon.h>
#include <time.h>

namespace sluice::daemon::app {

namespace {
void send(const std::string& state) {
    (void)sd_notify(0, state.c_str());
}

// RELOADING=1 carries the monotonic time (systemd >= 253 wants it; older ones ignore it).
unsigned long long monotonic_usec() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<unsigned long long>(ts.tv_sec) * 1000000ULL + ts.tv_nsec / 1000;
}
}  // namespace

void notify_ready(std::string_view status) {
    send(fmt::format("READY=1\nSTATUS={}", status));
}
void notify_reloading() {
    send(fmt::format("RELOADING=1\nMONOTONIC_USEC={}", monotonic_usec()));
}
void notify_stopping(std::string_view status) {
    send(fmt::format("STOPPING=1\nSTATUS={}", status));
}
void notify_status(std::string_view status) {
    send(fmt::format("STATUS={}", status));
}

}  // namespace sluice::daemon::app
