// A DKIM signing key held in OpenSSL: RSA (rsa-sha256, RFC 6376 §3.3.1) or Ed25519
// (ed25519-sha256, RFC 8463). It loads a PEM file, signs the RFC 6376 §3.7 header hash input,
// and gives the p= value of the DNS key record. Immutable once built and shared by copies, so
// one loaded key may sign from any thread. Expected failures (a file that is missing,
// unreadable, encrypted or of another type; an OpenSSL error while signing) are values.
#pragma once

#include <openssl/types.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::daemon::dkim {

enum class KeyType { rsa, ed25519 };

struct KeyLoadResult;

class PrivateKey {
  public:
    // Takes ownership of `key`, which must be an RSA or Ed25519 private key.
    explicit PrivateKey(EVP_PKEY* key);

    // Reads a PEM private key (PKCS#8 or traditional RSA). Encrypted keys are refused rather
    // than prompting for a passphrase.
    [[nodiscard]] static KeyLoadResult load_pem_file(const std::string& path);

    [[nodiscard]] KeyType type() const { return type_; }
    [[nodiscard]] int bits() const;
    // The a= tag value: "rsa-sha256" or "ed25519-sha256".
    [[nodiscard]] std::string_view algorithm() const;
    // The k= tag of the DNS record: "rsa" or "ed25519".
    [[nodiscard]] std::string_view dns_key_type() const;

    // The raw signature of `data` (RSA: PKCS#1 v1.5 over SHA-256(data); Ed25519: PureEdDSA
    // over SHA-256(data), RFC 8463 §3); nullopt if OpenSSL fails.
    [[nodiscard]] std::optional<std::string> sign(std::string_view data) const;

    // The public key as the DNS record's p= wants it: base64 of the DER SubjectPublicKeyInfo for
    // RSA, base64 of the 32 raw bytes for Ed25519 (RFC 8463 §4).
    [[nodiscard]] std::string public_key_base64() const;

    // Writes the key as PKCS#8 PEM to a new file with mode 0600 (never over an existing file).
    // Returns an error text, empty on success.
    [[nodiscard]] std::string write_pem_file(const std::string& path) const;

  private:
    std::shared_ptr<EVP_PKEY> key_;
    KeyType type_;
};

struct KeyLoadResult {
    std::optional<PrivateKey> key;  // set if and only if error is empty
    std::string error;              // why the file gave no usable key
};

// A new key: RSA of `bits` bits or Ed25519 (bits ignored). Throws std::runtime_error when
// OpenSSL cannot generate it (a tool-time failure, not a delivery-time one).
[[nodiscard]] PrivateKey generate_private_key(KeyType type, int bits);

}  // namespace sluice::daemon::dkim
