// Signer (see signer.hpp). The message is split, its body canonicalized and hashed, and its
// signed fields canonicalized once; only the DKIM-Signature field itself differs per key.
#include "daemon/dkim/signer.hpp"

#include <algorithm>

#include "daemon/codec/base64.hpp"
#include "daemon/dkim/from_domain.hpp"
#include "daemon/dkim/header_selection.hpp"
#include "daemon/dkim/message_header.hpp"
#include "daemon/dkim/openssl_encoding.hpp"
#include "daemon/dkim/relaxed_canonicalizer.hpp"
#include "daemon/dkim/signature_header.hpp"
#include "policy/net/domain_pattern.hpp"

namespace sluice::daemon::dkim {
namespace {

// What every signature of one message shares.
struct MessageDigest {
    std::string h_tag;              // "From:From:To:..."
    std::string body_hash;          // bh=, base64
    std::string canonical_headers;  // the selected fields, relaxed, in h= order
};

MessageDigest digest_message(const MessageParts& parts) {
    MessageDigest digest;
    const HeaderSelection selection = select_headers(parts.fields);
    for (std::string_view name : selection.names) {
        if (!digest.h_tag.empty()) digest.h_tag += ':';
        digest.h_tag += name;
    }
    for (std::string_view field : selection.fields) {
        digest.canonical_headers += canonicalize_header_relaxed(field);
    }
    digest.body_hash = codec::encode_base64(sha256(canonicalize_body_relaxed(parts.body)));
    return digest;
}

// One DKIM-Signature field (without its final CRLF), or nullopt if the key failed to sign.
std::optional<std::string> signature_field(const MessageDigest& digest, const SigningKey& key,
                                           std::int64_t signing_time) {
    SignatureHeader header;
    header.add_tag("v", "1", ValueBreaks::never);
    header.add_tag("a", key.key.algorithm(), ValueBreaks::never);
    header.add_tag("c", "relaxed/relaxed", ValueBreaks::never);
    header.add_tag("d", key.settings.domain, ValueBreaks::never);
    header.add_tag("s", key.settings.selector, ValueBreaks::never);
    header.add_tag("t", std::to_string(signing_time), ValueBreaks::never);
    header.add_tag("h", digest.h_tag, ValueBreaks::before_colon);
    header.add_tag("bh", digest.body_hash, ValueBreaks::anywhere);
    header.add_empty_signature_tag();
    // RFC 6376 §3.7: the signed fields, then this field with b= empty, relaxed, without CRLF.
    std::string data = digest.canonical_headers + canonicalize_header_relaxed(header.text());
    data.resize(data.size() - 2);
    auto signature = key.key.sign(data);
    if (!signature) return std::nullopt;
    header.add_signature_value(codec::encode_base64(*signature));
    return header.text();
}

}  // namespace

bool key_applies(const policy::config::DkimKey& key, std::string_view domain,
                 std::string_view pool) {
    const bool domain_matches =
        domain == key.domain ||
        (key.subdomains && policy::net::is_subdomain_of(domain, key.domain));
    const bool pool_matches =
        key.pools.empty() || std::find(key.pools.begin(), key.pools.end(), pool) != key.pools.end();
    return domain_matches && pool_matches;
}

SignResult Signer::sign(std::string_view content, std::string_view pool,
                        std::int64_t signing_time) const {
    SignResult result;
    if (keys_.empty()) {
        result.content = content;
        return result;
    }
    const MessageParts parts = split_message(content);
    const auto domain = from_domain(parts.fields);
    std::string fields;
    if (domain) {
        std::optional<MessageDigest> digest;  // computed only when some key applies
        for (const SigningKey& key : keys_) {
            if (!key_applies(key.settings, *domain, pool)) continue;
            if (!digest) digest = digest_message(parts);
            if (auto field = signature_field(*digest, key, signing_time)) {
                fields += *field;
                fields += "\r\n";
                ++result.signatures;
            } else {
                result.failures.push_back("d=" + key.settings.domain + " s=" +
                                          key.settings.selector + ": OpenSSL could not sign");
            }
        }
    }
    result.content.reserve(fields.size() + content.size());
    result.content = std::move(fields);
    result.content += content;
    return result;
}

}  // namespace sluice::daemon::dkim
