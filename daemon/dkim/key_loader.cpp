// load_signer (see key_loader.hpp).
#include "daemon/dkim/key_loader.hpp"

namespace sluice::daemon::dkim {
namespace {

using policy::config::ConfigError;
using policy::config::DkimAlgorithm;
using policy::config::DkimKey;

ConfigError error_at(const DkimKey& key, std::string message) {
    const auto& place = key.private_key_place;
    return {place.file, place.line, place.setting, std::move(message)};
}

// Why `key` does not fit its settings, or "".
std::string mismatch(const DkimKey& settings, const PrivateKey& key) {
    if (settings.algorithm == DkimAlgorithm::rsa_sha256 && key.type() != KeyType::rsa) {
        return settings.private_key + " is not an RSA key, as algorithm = \"rsa-sha256\" says";
    }
    if (settings.algorithm == DkimAlgorithm::ed25519_sha256 && key.type() != KeyType::ed25519) {
        return settings.private_key +
               " is not an Ed25519 key, as algorithm = \"ed25519-sha256\" says";
    }
    if (key.type() == KeyType::rsa && key.bits() < kMinRsaBits) {
        return settings.private_key + " is an RSA key of " + std::to_string(key.bits()) +
               " bits; at least " + std::to_string(kMinRsaBits) + " are required";
    }
    return "";
}

}  // namespace

SignerLoadResult load_signer(const policy::config::Config& config) {
    SignerLoadResult result;
    std::vector<SigningKey> keys;
    for (const DkimKey& settings : config.keys) {
        KeyLoadResult loaded = PrivateKey::load_pem_file(settings.private_key);
        if (!loaded.key) {
            result.errors.push_back(error_at(settings, loaded.error));
            continue;
        }
        if (auto why = mismatch(settings, *loaded.key); !why.empty()) {
            result.errors.push_back(error_at(settings, why));
            continue;
        }
        if (loaded.key->type() == KeyType::rsa && loaded.key->bits() < kRecommendedRsaBits) {
            result.warnings.push_back(
                error_at(settings, settings.private_key + " is an RSA key of " +
                                       std::to_string(loaded.key->bits()) + " bits; " +
                                       std::to_string(kRecommendedRsaBits) + " are recommended")
                    .to_string());
        }
        keys.push_back({settings, std::move(*loaded.key)});
    }
    if (result.errors.empty()) result.signer = std::make_shared<const Signer>(std::move(keys));
    return result;
}

}  // namespace sluice::daemon::dkim
