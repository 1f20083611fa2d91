// Fetches a domain's MTA-STS policy text over HTTPS (RFC 8461 §3.3): GET
// https://mta-sts.<domain>/.well-known/mta-sts.txt, the host resolved through Sluice's own
// Resolver (never the system's), the certificate verified against the system CAs
// (SSL_CERT_FILE is honoured) for that host name, with SNI. Redirects are not followed; the
// status must be 200 and the Content-Type text/plain; the body is capped at 64 KiB. Beast stays
// inside the .cpp. Runs on the caller's executor; failures are values (FetchResult::error).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <string>

#include "daemon/dns/resolver.hpp"
#include "daemon/tls/contexts.hpp"

namespace sluice::daemon::mta_sts {

struct FetchResult {
    std::string error;  // empty: body is the policy text
    std::string body;
};

constexpr std::size_t kMaxPolicySize = 64 * 1024;  // RFC 8461 §3.3

// `verified_context` must verify peers (PeerVerification::system_cas); `timeout` bounds the
// whole fetch, every address tried (connect, handshake, request and response) together.
boost::asio::awaitable<FetchResult> fetch_policy_text(boost::asio::any_io_executor executor,
                                                      dns::Resolver& resolver,
                                                      tls::ContextPtr verified_context,
                                                      std::string domain, std::uint16_t port,
                                                      std::chrono::milliseconds timeout);

}  // namespace sluice::daemon::mta_sts
