// The resolver's internal form of one DNS answer: the records of one (name, type) query with
// their smallest TTL, or the error (nxdomain, no_data, ...) with the negative TTL from the SOA
// (RFC 2308 §5), and whether the resolver vouched for it (the AD bit, RFC 4035 §3.2.3). Plain
// values shared by answer_parser, ttl_cache and resolver; no I/O.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

namespace sluice::daemon::dns {

enum class RecordType : std::uint16_t { a = 1, mx = 15, txt = 16, aaaa = 28, tlsa = 52 };

struct Record {
    std::uint16_t preference = 0;  // MX only
    // A: 4 raw bytes; AAAA: 16 raw bytes; MX: the exchange host ("" for the root "."); TXT: the
    // character-strings of one record concatenated (RFC 7208 §3.3); TLSA: the raw RDATA (usage,
    // selector, matching type, association data; RFC 6698 §2.1).
    std::string data;

    friend bool operator==(const Record&, const Record&) = default;
};

struct Answer {
    std::error_code error;        // empty when records holds at least one record
    std::vector<Record> records;  // only records of the asked type
    std::chrono::seconds ttl{0};  // min TTL of the records used; negative: SOA TTL/MINIMUM, or 0
    // The AD bit of the response: the configured resolver validated the answer (or the denial)
    // with DNSSEC. Only as trustworthy as the path to that resolver (a local one).
    bool secure = false;
};

// The key of a query: a normalized name (see normalize_name) and a type.
struct QueryKey {
    std::string name;
    RecordType type = RecordType::a;

    friend auto operator<=>(const QueryKey&, const QueryKey&) = default;
};

}  // namespace sluice::daemon::dns
