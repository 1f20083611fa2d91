// When message content (DATA or one BDAT chunk) must have arrived, so that a client cannot hold
// a session forever by trickling a byte just before each data_timeout (Postfix's
// smtpd_min_data_rate answers the same attack). The content starts with `timeout` of credit; each
// byte received earns 1/min_rate seconds more, never more than `timeout` ahead of now. A client
// slower than min_rate on average runs out; a silent one still times out after `timeout`. With
// min_rate 0 the deadline is simply `timeout` after the last read (RFC 5321 §4.5.3.2.7 alone).
// Pure: time is passed in.
#pragma once

#include <chrono>
#include <cstdint>

namespace sluice::daemon::smtp {

class ContentDeadline {
  public:
    using Clock = std::chrono::steady_clock;

    ContentDeadline(Clock::time_point start, std::chrono::milliseconds timeout,
                    std::uint64_t min_rate);

    // `bytes` more content arrived at `now`.
    void received(std::uint64_t bytes, Clock::time_point now);
    [[nodiscard]] Clock::time_point deadline() const { return deadline_; }

  private:
    std::chrono::milliseconds timeout_;
    std::uint64_t min_rate_;  // bytes per second; 0 = no rate rule
    Clock::time_point deadline_;
};

}  // namespace sluice::daemon::smtp
