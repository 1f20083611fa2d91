// sha256 (see openssl_encoding.hpp).
#include "daemon/dkim/openssl_encoding.hpp"

#include <openssl/evp.h>

#include <new>

namespace sluice::daemon::dkim {

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
