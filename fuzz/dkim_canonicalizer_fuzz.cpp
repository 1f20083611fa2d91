// Fuzz target: the DKIM relaxed canonicalizer and header handling (daemon/dkim, the pure
// sluice_dkim_core). The input is a whole message. Invariants beyond "no crash":
//  - every header field's relaxed form ends in CRLF and has no other CR or LF, and is a fixed
//    point: canonicalizing it again (without its final CRLF) gives the same text;
//  - the body's relaxed form is empty or ends in exactly one CRLF, has CR and LF only as CRLF,
//    and is a fixed point too;
//  - the header selection over-signs: every name in h= is a signed name, the selected fields
//    are real fields of the message with those names, and each listed name appears in h= once
//    more than the fields selected for it; from_domain never returns an empty domain.
#include <cstdint>
#include <map>
#include <string>

#include "daemon/dkim/from_domain.hpp"
#include "daemon/dkim/header_selection.hpp"
#include "daemon/dkim/message_header.hpp"
#include "daemon/dkim/relaxed_canonicalizer.hpp"
#include "fuzz/fuzz_check.hpp"
#include "policy/text/ascii.hpp"

namespace dkim = sluice::daemon::dkim;
using sluice::fuzz::as_view;
using sluice::policy::text::to_lower;

namespace {

void check_header(std::string_view field) {
    const std::string canonical = dkim::canonicalize_header_relaxed(field);
    FUZZ_CHECK(canonical.size() >= 2 && canonical.ends_with("\r\n"));
    const std::string_view inner(canonical.data(), canonical.size() - 2);
    FUZZ_CHECK(inner.find_first_of("\r\n") == std::string_view::npos);
    FUZZ_CHECK(dkim::canonicalize_header_relaxed(inner) == canonical);
}

void check_body(std::string_view body) {
    const std::string canonical = dkim::canonicalize_body_relaxed(body);
    if (!canonical.empty()) {
        FUZZ_CHECK(canonical.ends_with("\r\n"));
        FUZZ_CHECK(!canonical.ends_with("\r\n\r\n"));
    }
    for (std::size_t i = 0; i < canonical.size(); ++i) {
        if (canonical[i] == '\r') FUZZ_CHECK(i + 1 < canonical.size() && canonical[i + 1] == '\n');
        if (canonical[i] == '\n') FUZZ_CHECK(i > 0 && canonical[i - 1] == '\r');
    }
    FUZZ_CHECK(dkim::canonicalize_body_relaxed(canonical) == canonical);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view content = as_view(data, size);
    const dkim::MessageParts parts = dkim::split_message(content);
    for (const auto& field : parts.fields) {
        FUZZ_CHECK(field.text.data() >= content.data() &&
                   field.text.data() + field.text.size() <= content.data() + content.size());
        check_header(field.text);
    }
    check_body(parts.body);

    const dkim::HeaderSelection selection = dkim::select_headers(parts.fields);
    std::map<std::string, int> named;     // per lower-cased name: occurrences in h=
    std::map<std::string, int> selected;  // per lower-cased name: fields selected
    for (auto name : selection.names) {
        bool signed_name = false;
        for (auto wanted : dkim::kSignedHeaders) signed_name |= to_lower(wanted) == to_lower(name);
        FUZZ_CHECK(signed_name);
        ++named[to_lower(name)];
    }
    for (auto text : selection.fields) {
        bool found = false;
        for (const auto& field : parts.fields) {
            if (field.text.data() == text.data() && field.text.size() == text.size()) {
                found = true;
                ++selected[to_lower(field.name)];
            }
        }
        FUZZ_CHECK(found);
    }
    for (const auto& [name, count] : named) FUZZ_CHECK(count == selected[name] + 1);

    if (const auto domain = dkim::from_domain(parts.fields)) FUZZ_CHECK(!domain->empty());
    return 0;
}
