// What outbound TLS shares across connections: the three client contexts (unverified for
// opportunistic and required, system CAs for verified, DANE for TLSA-authenticated peers) and the
// memory of peers whose TLS handshake failed, so opportunistic delivery to them goes in clear for a
// while instead of failing every attempt (Postfix's and Exim's habit). One per process, owned by
// App; used from the io thread only (not thread-safe). Time is passed in.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <unordered_map>

#include "daemon/tls/contexts.hpp"

namespace sluice::daemon::delivery {

class OutboundTls {
  public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::chrono::hours kFailureMemory{1};
    static constexpr std::size_t kMaxRemembered = 10000;

    // Builds the contexts; throws std::runtime_error when OpenSSL cannot (a start-up failure;
    // missing system CAs only make verified delivery fail, they do not stop the daemon).
    OutboundTls();

    // The context for `verification`; null when it could not be built.
    [[nodiscard]] const tls::ContextPtr& context(tls::PeerVerification verification) const;
    [[nodiscard]] const std::string& verified_context_error() const { return verified_error_; }

    // A handshake with `peer` (a numeric address) failed at `now`.
    void remember_failure(const std::string& peer, Clock::time_point now);
    // Whether a failure with `peer` is recent enough to skip STARTTLS.
    [[nodiscard]] bool recently_failed(const std::string& peer, Clock::time_point now) const;

  private:
    tls::ContextPtr unverified_;
    tls::ContextPtr verified_;
    tls::ContextPtr dane_;
    std::string verified_error_;
    std::unordered_map<std::string, Clock::time_point> failed_until_;
};

}  // namespace sluice::daemon::delivery
