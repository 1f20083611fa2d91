// base64_encode and sha256 (see openssl_encoding.hpp).
#include "daemon/dkim/openssl_encoding.hpp"

#include <openssl/evp.h>

#include <new>

namespace sluice::daemon::dkim {

std::string base64_encode(std::string_view bytes) {
    // 4 output characters per 3 input bytes, plus the NUL EVP_EncodeBlock writes.
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                        reinterpret_cast<const unsigned char*>(bytes.data()),
                                        static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(written));
    return out;
}

std::string sha256(std::string_view data) {
    std::string digest(EVP_MAX_MD_SIZE, '\0');
    unsigned int length = 0;
    if (EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(digest.data()),
                   &length, EVP_sha256(), nullptr) != 1) {
        throw std::bad_alloc();
    }
    digest.resize(length);
    return digest;
}

}  // namespace sluice::daemon::dkim
