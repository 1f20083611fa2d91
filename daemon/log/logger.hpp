// The daemon's log: one line per event to stderr (remote and client text escaped, see
// printable_text.hpp), where systemd's journal or the terminal takes
// it. Under the journal (JOURNAL_STREAM set) each line carries an sd-daemon "<N>" priority
// prefix instead of a timestamp. Thread-safe (the spool committer logs from its own thread).
// Owned by App and passed by reference; there is no global logger.
#pragma once

#include <fmt/format.h>

#include <mutex>
#include <string_view>

namespace sluice::daemon::log {

enum class Severity { debug = 7, info = 6, notice = 5, warning = 4, error = 3 };

class Logger {
  public:
    enum class Destination { terminal, journal };
    explicit Logger(Destination destination, Severity threshold = Severity::info);
    // Journal if JOURNAL_STREAM is set in the environment, else terminal.
    [[nodiscard]] static Destination detect_destination();

    // Writes `line` with control bytes, backslashes and malformed UTF-8 escaped (\xHH, \\).
    void write(Severity severity, std::string_view line);

    template <typename... Args>
    void info(fmt::format_string<Args...> format, Args&&... args) {
        emit(Severity::info, format, std::forward<Args>(args)...);
    }
    template <typename... Args>
    void notice(fmt::format_string<Args...> format, Args&&... args) {
        emit(Severity::notice, format, std::forward<Args>(args)...);
    }
    template <typename... Args>
    void warning(fmt::format_string<Args...> format, Args&&... args) {
        emit(Severity::warning, format, std::forward<Args>(args)...);
    }
    template <typename... Args>
    void error(fmt::format_string<Args...> format, Args&&... args) {
        emit(Severity::error, format, std::forward<Args>(args)...);
    }
    template <typename... Args>
    void debug(fmt::format_string<Args...> format, Args&&... args) {
        emit(Severity::debug, format, std::forward<Args>(args)...);
    }

  private:
    template <typename... Args>
    void emit(Severity severity, fmt::format_string<Args...> format, Args&&... args) {
        if (static_cast<int>(severity) > static_cast<int>(threshold_)) return;
        write(severity, fmt::format(format, std::forward<Args>(args)...));
    }

    Destination destination_;
    Severity threshold_;
    std::mutex mutex_;
};

}  // namespace sluice::daemon::log
