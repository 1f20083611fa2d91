// ASCII case folding (see ascii.hpp).
#include "policy/text/ascii.hpp"

namespace sluice::policy::text {

std::string to_lower(std::string_view text) {
    std::string lower(text);
    lower_in_place(lower);
    return lower;
}

std::string to_upper(std::string_view text) {
    std::string upper(text);
    for (char& c : upper) c = to_upper(c);
    return upper;
}

void lower_in_place(std::string& text) {
    for (char& c : text) c = to_lower(c);
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (to_lower(a[i]) != to_lower(b[i])) return false;
    }
    return true;
}

bool istarts_with(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

bool has_eight_bit(std::string_view text) {
    for (const char c : text) {
        if (static_cast<unsigned char>(c) >= 0x80) return true;
    }
    return false;
}

}  // namespace sluice::policy::text
