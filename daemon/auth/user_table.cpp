#include "daemon/auth/user_table.hpp"

#include <crypt.h>
#include <openssl/crypto.h>

#include <fstream>
#include <sstream>

namespace sluice::daemon::auth {

namespace {

// A valid SHA-512-crypt hash of a random password: what an unknown user is checked against.
constexpr const char* kDecoyHash =
    "$6$Q8pFEeFmuNuPOgk4$8M/1aZi0CgTgT.0g8rT7YbD6j0bH0pPoSPJ4a1wIrwqzq6MQCu0q9EaDugq9aHdnhHHk"
    "ZWy1dK1vX3AGbqqFb0";

bool is_supported_hash(std::string_view hash) {
    return hash.starts_with("$6$") || hash.starts_with("$y$");
}

// crypt_r with its large state on the heap; "*" (never a valid hash) on failure.
std::string hash_with(std::string_view password, const std::string& setting) {
    auto data = std::make_unique<crypt_data>();
    const std::string key(password);
    const char* out = ::crypt_r(key.c_str(), setting.c_str(), data.get());
    if (out == nullptr || out[0] == '*') return "*";
    return out;
}

}  // namespace

std::shared_ptr<const UserTable> UserTable::parse(std::string_view text, std::string& error) {
    auto table = std::make_shared<UserTable>();
    std::size_t line_number = 0;
    while (!text.empty()) {
        ++line_number;
        const std::size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty() || line.front() == '#') continue;
        const std::size_t colon = line.find(':');
        const std::string where = "line " + std::to_string(line_number) + ": ";
        if (colon == std::string_view::npos || colon == 0) {
            error = where + "expected \"user:hash\"";
            return nullptr;
        }
        const std::string_view hash = line.substr(colon + 1);
        if (!is_supported_hash(hash)) {
            error = where +
                    "the hash must be SHA-512-crypt (\"$6$...\", openssl passwd -6) or "
                    "yescrypt (\"$y$...\")";
            return nullptr;
        }
        auto [it, inserted] = table->hashes_.emplace(line.substr(0, colon), hash);
        if (!inserted) {
            error = where + "user \"" + it->first + "\" appears twice";
            return nullptr;
        }
    }
    return table;
}

std::shared_ptr<const UserTable> UserTable::load(const std::string& path, std::string& error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = "cannot read the users file " + path;
        return nullptr;
    }
    std::ostringstream text;
    text << in.rdbuf();
    auto table = parse(text.str(), error);
    if (!table) error = path + ": " + error;
    return table;
}

bool UserTable::verify(std::string_view user, std::string_view password) const {
    const auto found = hashes_.find(user);
    const std::string expected = found == hashes_.end() ? kDecoyHash : found->second;
    const std::string got = hash_with(password, expected);
    const bool same = got.size() == expected.size() &&
                      CRYPTO_memcmp(got.data(), expected.data(), got.size()) == 0;
    return same && found != hashes_.end();
}

}  // namespace sluice::daemon::auth
