#include "daemon/status/bearer_token.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <fstream>
#include <iterator>

#include "policy/text/ascii.hpp"

namespace sluice::daemon::status {

namespace {
std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}
}  // namespace

TokenCheck check_bearer_token(std::string_view authorization, std::string_view expected) {
    authorization = trim(authorization);
    constexpr std::string_view kScheme = "Bearer";
    if (authorization.size() <= kScheme.size() ||
        !policy::text::istarts_with(authorization, kScheme) ||
        authorization[kScheme.size()] != ' ') {
        return TokenCheck::missing;
    }
    const auto given = trim(authorization.substr(kScheme.size() + 1));
    if (given.empty()) return TokenCheck::missing;
    unsigned char given_hash[SHA256_DIGEST_LENGTH];
    unsigned char expected_hash[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(given.data()), given.size(), given_hash);
    SHA256(reinterpret_cast<const unsigned char*>(expected.data()), expected.size(), expected_hash);
    const bool same = CRYPTO_memcmp(given_hash, expected_hash, sizeof given_hash) == 0;
    return same && !expected.empty() ? TokenCheck::ok : TokenCheck::wrong;
}

std::error_code read_token_file(const std::string& path, std::string& token) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {errno ? errno : ENOENT, std::system_category()};
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    token = std::string(trim(text));
    if (token.empty()) return std::make_error_code(std::errc::invalid_argument);
    return {};
}

}  // namespace sluice::daemon::status
