// PrivateKey (see private_key.hpp): OpenSSL 3 EVP calls only.
#include "daemon/dkim/private_key.hpp"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "common/assert.hpp"
#include "daemon/codec/base64.hpp"
#include "daemon/dkim/openssl_encoding.hpp"

namespace sluice::daemon::dkim {
namespace {

struct MdCtxFree {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
struct BioFree {
    void operator()(BIO* bio) const { BIO_free(bio); }
};

// The most recent OpenSSL error as text, and the error queue cleared.
std::string openssl_error() {
    const unsigned long code = ERR_peek_last_error();
    ERR_clear_error();
    if (code == 0) return "unknown OpenSSL error";
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    return text;
}

// Refuses encrypted keys instead of prompting on a terminal the daemon does not have.
int no_passphrase(char*, int, int, void*) {
    return -1;
}

}  // namespace

PrivateKey::PrivateKey(EVP_PKEY* key) : key_(key, EVP_PKEY_free) {
    const int id = EVP_PKEY_get_base_id(key);
    SLUICE_ASSERT(id == EVP_PKEY_RSA || id == EVP_PKEY_ED25519, "DKIM key must be RSA or Ed25519");
    type_ = id == EVP_PKEY_RSA ? KeyType::rsa : KeyType::ed25519;
}

KeyLoadResult PrivateKey::load_pem_file(const std::string& path) {
    errno = 0;
    std::unique_ptr<BIO, BioFree> bio(BIO_new_file(path.c_str(), "r"));
    if (!bio) {
        const int cause = errno;
        ERR_clear_error();
        return {std::nullopt,
                "cannot read " + path + ": " + (cause != 0 ? std::strerror(cause) : "cannot open")};
    }
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr);
    if (key == nullptr) {
        return {std::nullopt,
                path + " holds no usable unencrypted PEM private key (" + openssl_error() + ")"};
    }
    const int id = EVP_PKEY_get_base_id(key);
    if (id != EVP_PKEY_RSA && id != EVP_PKEY_ED25519) {
        EVP_PKEY_free(key);
        return {std::nullopt, path + " is neither an RSA nor an Ed25519 private key"};
    }
    return {PrivateKey(key), ""};
}

int PrivateKey::bits() const {
    return EVP_PKEY_get_bits(key_.get());
}

std::string_view PrivateKey::algorithm() const {
    return type_ == KeyType::rsa ? "rsa-sha256" : "ed25519-sha256";
}

std::string_view PrivateKey::dns_key_type() const {
    return type_ == KeyType::rsa ? "rsa" : "ed25519";
}

std::optional<std::string> PrivateKey::sign(std::string_view data) const {
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    if (!ctx) return std::nullopt;
    // Ed25519 hashes internally with SHA-512 and takes no digest; RFC 8463 signs SHA-256(data).
    std::string digest;
    const EVP_MD* md = EVP_sha256();
    if (type_ == KeyType::ed25519) {
        digest = sha256(data);
        data = digest;
        md = nullptr;
    }
    std::size_t length = 0;
    const auto* input = reinterpret_cast<const unsigned char*>(data.data());
    if (EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key_.get()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &length, input, data.size()) != 1) {
        ERR_clear_error();
        return std::nullopt;
    }
    std::string signature(length, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                       input, data.size()) != 1) {
        ERR_clear_error();
        return std::nullopt;
    }
    signature.resize(length);
    return signature;
}

std::string PrivateKey::public_key_base64() const {
    if (type_ == KeyType::ed25519) {
        unsigned char raw[32];
        std::size_t length = sizeof raw;
        SLUICE_ASSERT(EVP_PKEY_get_raw_public_key(key_.get(), raw, &length) == 1,
                      "an Ed25519 key has a raw public key");
        return codec::encode_base64({reinterpret_cast<const char*>(raw), length});
    }
    unsigned char* der = nullptr;
    const int length = i2d_PUBKEY(key_.get(), &der);
    SLUICE_ASSERT(length > 0, "an RSA key has a DER public key");
    std::string encoded = codec::encode_base64(
        {reinterpret_cast<const char*>(der), static_cast<std::size_t>(length)});
    OPENSSL_free(der);
    return encoded;
}

std::string PrivateKey::write_pem_file(const std::string& path) const {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return "cannot create " + path + ": " + std::strerror(errno);
    std::FILE* file = ::fdopen(fd, "w");
    if (file == nullptr) {
        ::close(fd);
        return "cannot write " + path + ": " + std::strerror(errno);
    }
    const bool written =
        PEM_write_PKCS8PrivateKey(file, key_.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
    const bool flushed = std::fflush(file) == 0 && ::fsync(::fileno(file)) == 0;
    const bool closed = std::fclose(file) == 0;
    if (!written) return "cannot write " + path + ": " + openssl_error();
    if (!flushed || !closed) return "cannot write " + path + ": " + std::strerror(errno);
    return "";
}

PrivateKey generate_private_key(KeyType type, int bits) {
    EVP_PKEY* key = type == KeyType::rsa
                        ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits))
                        : EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    if (key == nullptr) throw std::runtime_error("key generation failed: " + openssl_error());
    return PrivateKey(key);
}

}  // namespace sluice::daemon::dkim
