#include "daemon/delivery/outbound_tls.hpp"

#include <stdexcept>

namespace sluice::daemon::delivery {

OutboundTls::OutboundTls() {
    std::string error;
    unverified_ = tls::make_client_context(tls::PeerVerification::none, error);
    if (!unverified_) throw std::runtime_error("cannot set up outbound TLS: " + error);
    verified_ = tls::make_client_context(tls::PeerVerification::system_cas, verified_error_);
    dane_ = tls::make_client_context(tls::PeerVerification::dane, error);
    if (!dane_) throw std::runtime_error("cannot set up DANE for outbound TLS: " + error);
}

const tls::ContextPtr& OutboundTls::context(tls::PeerVerification verification) const {
    switch (verification) {
        case tls::PeerVerification::system_cas:
            return verified_;
        case tls::PeerVerification::dane:
            return dane_;
        case tls::PeerVerification::none:
            break;
    }
    return unverified_;
}

void OutboundTls::remember_failure(const std::string& peer, Clock::time_point now) {
    if (failed_until_.size() >= kMaxRemembered) {
        std::erase_if(failed_until_, [now](const auto& entry) { return entry.second <= now; });
    }
    if (failed_until_.size() >= kMaxRemembered) return;  // bounded: forget nothing, add nothing
    failed_until_[peer] = now + kFailureMemory;
}

bool OutboundTls::recently_failed(const std::string& peer, Clock::time_point now) const {
    const auto found = failed_until_.find(peer);
    return found != failed_until_.end() && found->second > now;
}

}  // namespace sluice::daemon::delivery
