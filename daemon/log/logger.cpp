#include "daemon/log/logger.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <string>

#include "daemon/log/printable_text.hpp"

namespace sluice::daemon::log {

namespace {
std::string_view severity_name(Severity severity) {
    switch (severity) {
        case Severity::debug:
            return "debug";
        case Severity::info:
            return "info";
        case Severity::notice:
            return "notice";
        case Severity::warning:
            return "warning";
        case Severity::error:
            return "error";
    }
    return "info";
}

std::string terminal_timestamp() {
    auto now = std::chrono::system_clock::now();
    auto seconds = std::chrono::system_clock::to_time_t(now);
    auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &tm);
    return fmt::format("{}.{:03}Z", buffer, millis.count());
}
}  // namespace

Logger::Logger(Destination destination, Severity threshold)
    : destination_(destination), threshold_(threshold) {}

Logger::Destination Logger::detect_destination() {
    return std::getenv("JOURNAL_STREAM") != nullptr ? Destination::journal : Destination::terminal;
}

void Logger::write(Severity severity, std::string_view raw) {
    // Lines quote remote replies and client input: no control byte or broken UTF-8 may reach a
    // terminal or the journal.
    const std::string line = printable_text(raw);
    std::string out;
    if (destination_ == Destination::journal) {
        out = fmt::format("<{}>{}\n", static_cast<int>(severity), line);
    } else {
        out = fmt::format("{} sluiced[{}]: {}: {}\n", terminal_timestamp(), ::getpid(),
                          severity_name(severity), line);
    }
    std::lock_guard lock(mutex_);
    // One write() per line so lines from several threads never interleave.
    std::size_t done = 0;
    while (done < out.size()) {
        ssize_t n = ::write(STDERR_FILENO, out.data() + done, out.size() - done);
        if (n <= 0) return;  // nowhere left to report a logging failure
        done += static_cast<std::size_t>(n);
    }
}

}  // namespace sluice::daemon::log
