// dkim_record_text / dkim_txt_record (see dns_record.hpp).
#include "daemon/dkim/dns_record.hpp"

namespace sluice::daemon::dkim {

std::string dkim_record_text(std::string_view key_type, std::string_view public_key_base64) {
    return "v=DKIM1; k=" + std::string(key_type) + "; p=" + std::string(public_key_base64);
}

std::string dkim_txt_record(std::string_view domain, std::string_view selector,
                            std::string_view text) {
    std::string line = std::string(selector) + "._domainkey." + std::string(domain) + ". IN TXT";
    // The text holds no '"' or '\\' (base64 and fixed tags), so no escaping is needed.
    do {
        const std::string_view piece = text.substr(0, kMaxTxtString);
        line += " \"" + std::string(piece) + "\"";
        text.remove_prefix(piece.size());
    } while (!text.empty());
    return line;
}

}  // namespace sluice::daemon::dkim
