// The DKIM signer (RFC 6376, relaxed/relaxed, RSA-SHA256 and Ed25519-SHA256): chooses the keys
// that apply to a message (its From domain, the pool it leaves through) and prepends one
// DKIM-Signature field per key. It never uses l= and over-signs (header_selection.hpp). Built
// with the keys of one configuration and immutable afterwards: a reload builds a new Signer
// (key_loader.hpp) and swaps it with the Config, so any thread may sign with a snapshot.
// Signing never fails the delivery: a key that cannot sign is reported and left out.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/dkim/private_key.hpp"
#include "policy/config/model.hpp"

namespace sluice::daemon::dkim {

struct SigningKey {
    policy::config::DkimKey settings;
    PrivateKey key;
};

struct SignResult {
    std::string content;                // the signature fields, then the message as given
    std::size_t signatures = 0;         // how many were added
    std::vector<std::string> failures;  // "d=… s=…: why" per key that applied but did not sign
};

class Signer {
  public:
    Signer() = default;
    explicit Signer(std::vector<SigningKey> keys) : keys_(std::move(keys)) {}

    // Signs `content` (the message exactly as it will be sent, before dot-stuffing) with every
    // key for its From domain whose pools include `pool` (or that has none); `signing_time` is
    // the t= tag, seconds since the epoch. Without a matching key the content comes back as is.
    [[nodiscard]] SignResult sign(std::string_view content, std::string_view pool,
                                  std::int64_t signing_time) const;

    [[nodiscard]] const std::vector<SigningKey>& keys() const { return keys_; }

  private:
    std::vector<SigningKey> keys_;
};

// True if mail From `domain` (lower case) through `pool` is signed with `key`: the same domain,
// or a subdomain when the key says subdomains = true; and the pool listed, or no pools listed.
[[nodiscard]] bool key_applies(const policy::config::DkimKey& key, std::string_view domain,
                               std::string_view pool);

}  // namespace sluice::daemon::dkim
