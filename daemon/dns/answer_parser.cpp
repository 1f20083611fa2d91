#include "daemon/dns/answer_parser.hpp"

#include <ares.h>
#include <arpa/nameser.h>
#include <resolv.h>

#include <algorithm>
#include <limits>
#include <optional>

#include "daemon/dns/errc.hpp"

namespace sluice::daemon::dns {

namespace {

using std::chrono::seconds;

// RFC 2181 §8: a TTL with the top bit set is read as zero.
std::uint32_t ttl_of(const ns_rr& rr) {
    const std::uint32_t ttl = ns_rr_ttl(rr);
    return ttl > 0x7fffffffu ? 0 : ttl;
}

std::optional<std::string> expand_name(const ns_msg& msg, const unsigned char* at) {
    char name[NS_MAXDNAME];
    if (ns_name_uncompress(ns_msg_base(msg), ns_msg_end(msg), at, name, sizeof name) < 0) {
        return std::nullopt;
    }
    std::string out(name);
    if (out == ".") out.clear();  // the root: a null MX (RFC 7505)
    return out;
}

// One record of the asked type, or nullopt if its RDATA is malformed.
std::optional<Record> decode_record(const ns_msg& msg, const ns_rr& rr, RecordType type) {
    const unsigned char* rdata = ns_rr_rdata(rr);
    const std::size_t length = ns_rr_rdlen(rr);
    Record record;
    switch (type) {
        case RecordType::a:
        case RecordType::aaaa:
            if (length != (type == RecordType::a ? 4u : 16u)) return std::nullopt;
            record.data.assign(reinterpret_cast<const char*>(rdata), length);
            return record;
        case RecordType::mx: {
            if (length < 3) return std::nullopt;
            record.preference = ns_get16(rdata);
            auto host = expand_name(msg, rdata + 2);
            if (!host) return std::nullopt;
            record.data = std::move(*host);
            return record;
        }
        case RecordType::txt:
            // RFC 1035 §3.3.14: one or more <character-string>s, each length-prefixed.
            for (std::size_t at = 0; at < length;) {
                const std::size_t piece = rdata[at];
                if (at + 1 + piece > length) return std::nullopt;
                record.data.append(reinterpret_cast<const char*>(rdata + at + 1), piece);
                at += 1 + piece;
            }
            return record;
        case RecordType::tlsa:
            // RFC 6698 §2.1: three one-octet fields, then the certificate association data.
            if (length < 4) return std::nullopt;
            record.data.assign(reinterpret_cast<const char*>(rdata), length);
            return record;
    }
    return std::nullopt;
}

// RFC 2308 §5: the negative TTL is min(SOA record TTL, SOA MINIMUM); 0 without an SOA.
seconds negative_ttl(ns_msg& msg) {
    for (int i = 0; i < ns_msg_count(msg, ns_s_ns); ++i) {
        ns_rr rr;
        if (ns_parserr(&msg, ns_s_ns, i, &rr) < 0) return seconds{0};
        if (ns_rr_type(rr) != ns_t_soa) continue;
        const unsigned char* at = ns_rr_rdata(rr);
        const unsigned char* end = at + ns_rr_rdlen(rr);
        for (int name = 0; name < 2; ++name) {  // MNAME, RNAME
            const int skipped = dn_skipname(at, end);
            if (skipped < 0) return seconds{0};
            at += skipped;
        }
        if (end - at < 20) return seconds{0};  // SERIAL REFRESH RETRY EXPIRE MINIMUM
        const std::uint32_t minimum = ns_get32(at + 16);
        return seconds{std::min<std::uint32_t>(ttl_of(rr), minimum)};
    }
    return seconds{0};
}

// RFC 6840 §5.7: the resolver sets AD only when it validated every RRset of the answer (or the
// denial of existence) and it was asked with AD set.
bool authenticated(const ns_msg& msg) {
    return ns_msg_getflag(msg, ns_f_ad) != 0;
}

Answer negative(std::error_code error, ns_msg* msg) {
    return {error, {}, msg ? negative_ttl(*msg) : seconds{0}, msg ? authenticated(*msg) : false};
}

}  // namespace

Answer parse_answer(int status, std::span<const unsigned char> message, RecordType type) {
    const std::error_code status_error = errc_from_ares_status(status);
    const bool negative_status = status == ARES_ENOTFOUND || status == ARES_ENODATA;
    if (status_error && !negative_status) return {status_error, {}, seconds{0}};
    ns_msg msg;
    if (message.empty() ||
        ns_initparse(message.data(), static_cast<int>(message.size()), &msg) < 0) {
        // A negative status without a parseable message is still negative, just not cacheable.
        return negative_status ? negative(status_error, nullptr)
                               : Answer{errc::malformed, {}, seconds{0}};
    }
    if (negative_status) return negative(status_error, &msg);

    Answer answer;
    std::uint32_t ttl = std::numeric_limits<std::uint32_t>::max();
    for (int i = 0; i < ns_msg_count(msg, ns_s_an); ++i) {
        ns_rr rr;
        if (ns_parserr(&msg, ns_s_an, i, &rr) < 0) return {errc::malformed, {}, seconds{0}};
        if (ns_rr_class(rr) != ns_c_in) continue;
        if (ns_rr_type(rr) == ns_t_cname) {
            // The recursive server followed the chain; its links bound how long the answer holds.
            ttl = std::min<std::uint32_t>(ttl, ttl_of(rr));
            continue;
        }
        if (ns_rr_type(rr) != static_cast<int>(type)) continue;
        auto record = decode_record(msg, rr, type);
        if (!record) return {errc::malformed, {}, seconds{0}};
        answer.records.push_back(std::move(*record));
        ttl = std::min<std::uint32_t>(ttl, ttl_of(rr));
    }
    if (answer.records.empty()) return negative(errc::no_data, &msg);  // e.g. only a CNAME
    answer.ttl = seconds{ttl};
    answer.secure = authenticated(msg);
    return answer;
}

}  // namespace sluice::daemon::dns
