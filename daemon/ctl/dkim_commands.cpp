#include "daemon/ctl/dkim_commands.hpp"

#include <charconv>
#include <exception>
#include <optional>
#include <string>

#include "daemon/dkim/dns_record.hpp"
#include "daemon/dkim/key_loader.hpp"
#include "daemon/dkim/private_key.hpp"
#include "policy/config/host_name.hpp"

namespace sluice::daemon::ctl {

namespace {

constexpr std::string_view kUsage =
    "usage: sluicectl dkim-keygen --type rsa|ed25519 [--bits N] --domain DOMAIN\n"
    "                             --selector SELECTOR --out FILE.pem\n"
    "  --type       rsa (rsa-sha256) or ed25519 (ed25519-sha256, RFC 8463)\n"
    "  --bits       RSA key size, 1024 to 8192 (default 2048; ignored for ed25519)\n"
    "  --domain     the signing domain (d=)\n"
    "  --selector   the selector (s=)\n"
    "  --out        the private key file to create (PEM, mode 0600; must not exist)\n"
    "Prints the DNS TXT record to publish at SELECTOR._domainkey.DOMAIN.\n";

constexpr int kMaxRsaBits = 8192;

struct Options {
    std::optional<dkim::KeyType> type;
    int bits = dkim::kRecommendedRsaBits;
    std::string domain;
    std::string selector;
    std::string out;
};

// False on a usage error (reported on `err`).
bool parse_options(std::span<const std::string_view> args, Options& out, std::ostream& err) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        if (i + 1 == args.size()) {
            err << "sluicectl dkim-keygen: " << arg << " needs a value\n";
            return false;
        }
        const std::string_view value = args[++i];
        if (arg == "--type" && (value == "rsa" || value == "ed25519")) {
            out.type = value == "rsa" ? dkim::KeyType::rsa : dkim::KeyType::ed25519;
        } else if (arg == "--bits") {
            auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out.bits);
            if (ec != std::errc{} || end != value.data() + value.size() ||
                out.bits < dkim::kMinRsaBits || out.bits > kMaxRsaBits) {
                err << "sluicectl dkim-keygen: --bits must be 1024 to 8192\n";
                return false;
            }
        } else if (arg == "--domain" && policy::config::is_host_name(value)) {
            out.domain = value;
        } else if (arg == "--selector" && policy::config::is_host_name(value)) {
            out.selector = value;
        } else if (arg == "--out" && !value.empty()) {
            out.out = value;
        } else {
            err << "sluicectl dkim-keygen: bad option " << arg << ' ' << value << '\n';
            return false;
        }
    }
    if (!out.type || out.domain.empty() || out.selector.empty() || out.out.empty()) {
        err << "sluicectl dkim-keygen: --type, --domain, --selector and --out are required\n";
        return false;
    }
    return true;
}

int run_keygen(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
    Options options;
    if (!parse_options(args, options, err)) {
        err << kUsage;
        return kExitUsage;
    }
    try {
        const dkim::PrivateKey key = dkim::generate_private_key(*options.type, options.bits);
        if (auto error = key.write_pem_file(options.out); !error.empty()) {
            err << "sluicectl dkim-keygen: " << error << '\n';
            return kExitFailed;
        }
        if (key.type() == dkim::KeyType::rsa && key.bits() < dkim::kRecommendedRsaBits) {
            err << "sluicectl dkim-keygen: warning: RSA keys under 2048 bits are weak\n";
        }
        const std::string text =
            dkim::dkim_record_text(key.dns_key_type(), key.public_key_base64());
        out << dkim::dkim_txt_record(options.domain, options.selector, text) << '\n';
    } catch (const std::exception& e) {
        err << "sluicectl dkim-keygen: " << e.what() << '\n';
        return kExitFailed;
    }
    return kExitOk;
}

}  // namespace

CommandGroup dkim_keygen_command_group() {
    return {"dkim-keygen", "make a DKIM signing key and print its DNS record", kUsage, run_keygen};
}

}  // namespace sluice::daemon::ctl
