// The daemon's DNS: MX, A/AAAA, TXT and TLSA lookups as coroutines over one c-ares channel
// (cares_channel.hpp) with a TTL cache of positive and negative answers (ttl_cache.hpp).
// Identical lookups in flight are coalesced: one query, every waiter gets its answer. Lives on
// one io_context thread and owns its channel and cache; not thread-safe. Failures are values
// (Lookup::error, dns::errc); only the constructor throws, at start-up. A lookup cannot be
// cancelled alone: it ends within timeout x (2^tries - 1) per server, or at cancel_all().
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "daemon/dns/errc.hpp"

namespace sluice::daemon::dns {

struct ResolverSettings {
    // "127.0.0.1:5353", "[::1]:53", "127.0.0.1"; empty: the nameservers of /etc/resolv.conf
    // (never its search domains).
    std::vector<std::string> servers;
    std::chrono::milliseconds timeout{5000};  // per try; c-ares doubles it each round
    unsigned tries = 2;
    std::chrono::seconds max_cache_ttl{3600};
    std::chrono::seconds max_negative_ttl{300};
};

struct MxRecord {
    std::uint16_t preference = 0;
    std::string host;  // "" for the null MX "." (RFC 7505)

    friend bool operator==(const MxRecord&, const MxRecord&) = default;
};

// RFC 6698 §2.1: one TLSA record. Fields as published; judging them is the caller's (dane/).
struct TlsaRecord {
    std::uint8_t usage = 0;          // 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE
    std::uint8_t selector = 0;       // 0 whole certificate, 1 SubjectPublicKeyInfo
    std::uint8_t matching_type = 0;  // 0 exact, 1 SHA-256, 2 SHA-512
    std::string data;                // the certificate association data (raw bytes)

    friend bool operator==(const TlsaRecord&, const TlsaRecord&) = default;
};

template <typename T>
struct Lookup {
    std::error_code error;  // set => value is empty
    T value;
    std::chrono::seconds ttl{0};  // how long the answer (or the negative answer) holds
    // The resolver validated the answer or the denial with DNSSEC (AD bit). For addresses:
    // every answer that gave addresses (or both denials) was validated.
    bool secure = false;
};

class Resolver {
  public:
    // Throws std::runtime_error if c-ares cannot start or a server is not "ip[:port]".
    Resolver(boost::asio::any_io_executor executor, ResolverSettings settings);
    ~Resolver();  // like cancel_all()
    Resolver(const Resolver&) = delete;
    Resolver& operator=(const Resolver&) = delete;

    // The MX records of `domain`, in the order received (callers sort by preference).
    boost::asio::awaitable<Lookup<std::vector<MxRecord>>> lookup_mx(std::string domain);
    // A then AAAA (IPv4 addresses first), both queried concurrently. An answer for either is a
    // success; otherwise nxdomain if either says so, no_data if both do, else the failure.
    boost::asio::awaitable<Lookup<std::vector<boost::asio::ip::address>>> lookup_addresses(
        std::string host);
    // Each TXT record's strings concatenated (RFC 7208 §3.3), one string per record.
    boost::asio::awaitable<Lookup<std::vector<std::string>>> lookup_txt(std::string name);
    // The TLSA records at `name` ("_25._tcp.mx.example.com", RFC 6698 §3).
    boost::asio::awaitable<Lookup<std::vector<TlsaRecord>>> lookup_tlsa(std::string name);

    // Pending lookups complete with errc::shutting_down, and so does every later one.
    void cancel_all();

  private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::daemon::dns
