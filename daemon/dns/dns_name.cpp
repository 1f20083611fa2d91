#include "daemon/dns/dns_name.hpp"

#include "policy/text/ascii.hpp"

namespace sluice::daemon::dns {

namespace {
constexpr std::size_t kMaxNameLength = 253;  // RFC 1035 §2.3.4, in presentation form
constexpr std::size_t kMaxLabelLength = 63;
}  // namespace

std::optional<std::string> normalize_name(std::string_view name) {
    if (!name.empty() && name.back() == '.') name.remove_suffix(1);
    if (name.empty() || name.size() > kMaxNameLength) return std::nullopt;
    std::string out;
    out.reserve(name.size());
    std::size_t label = 0;
    for (const char c : name) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '.') {
            if (label == 0) return std::nullopt;
            label = 0;
        } else {
            // Printable ASCII but space and backslash (c-ares would read '\' as an escape).
            if (byte <= 0x20 || byte >= 0x7f || c == '\\') return std::nullopt;
            if (++label > kMaxLabelLength) return std::nullopt;
        }
        out.push_back(policy::text::to_lower(c));
    }
    if (label == 0) return std::nullopt;
    return out;
}

}  // namespace sluice::daemon::dns
