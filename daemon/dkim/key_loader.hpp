// Builds the Signer of one configuration: reads every key file of config.keys with OpenSSL and
// checks it (RSA of at least 1024 bits, a warning under 2048; the type named by `algorithm`, if
// any). Called at start-up, by --check-config and on every reload, so that a reload with a key
// that does not load keeps the running configuration. Errors name the file and line of the
// private_key setting. No state of its own.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "daemon/dkim/signer.hpp"
#include "policy/config/load.hpp"

namespace sluice::daemon::dkim {

inline constexpr int kMinRsaBits = 1024;  // RFC 8301 §3.2: verifiers refuse less
inline constexpr int kRecommendedRsaBits = 2048;

struct SignerLoadResult {
    std::shared_ptr<const Signer> signer;  // set if and only if errors is empty
    std::vector<policy::config::ConfigError> errors;
    std::vector<std::string> warnings;  // "file:line: setting: why"
};

[[nodiscard]] SignerLoadResult load_signer(const policy::config::Config& config);

}  // namespace sluice::daemon::dkim
