#include "policy/mta_sts/txt_record.hpp"

#include <cctype>
#include <optional>

namespace sluice::policy::mta_sts {
namespace {

std::string_view trim_wsp(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

// RFC 8461 §3.1: the record begins with the version field, exactly.
bool is_sts_record(std::string_view record) {
    if (!record.starts_with("v=STSv1")) return false;
    record.remove_prefix(7);
    return trim_wsp(record).empty() || trim_wsp(record).front() == ';';
}

bool is_valid_id(std::string_view id) {
    if (id.empty() || id.size() > 32) return false;
    for (char c : id) {
        if (!std::isalnum(static_cast<unsigned char>(c))) return false;
    }
    return true;
}

std::optional<std::string_view> find_id(std::string_view record) {
    std::optional<std::string_view> id;
    while (!record.empty()) {
        const auto end = record.find(';');
        const std::string_view field = trim_wsp(record.substr(0, end));
        record = end == std::string_view::npos ? std::string_view{} : record.substr(end + 1);
        if (field.starts_with("id=") && !id) id = field.substr(3);
    }
    return id;
}

}  // namespace

TxtParse parse_txt_records(const std::vector<std::string>& records) {
    const std::string* found = nullptr;
    for (const auto& record : records) {
        if (!is_sts_record(record)) continue;
        if (found) return TxtError{"more than one v=STSv1 record"};
        found = &record;
    }
    if (!found) return NoStsRecord{};
    const auto id = find_id(*found);
    if (!id) return TxtError{"no id field"};
    if (!is_valid_id(*id)) return TxtError{"id must be 1 to 32 letters and digits"};
    return std::string(*id);
}

}  // namespace sluice::policy::mta_sts
