// NOTIFY=/RET= readers and the parameters passed on (see dsn_params.hpp).
#include "daemon/dsn/dsn_params.hpp"

#include <array>

#include "policy/text/ascii.hpp"

namespace sluice::daemon::dsn {
namespace {

using policy::text::iequals;

// Calls `visit(keyword, token)` for each space-separated "KEYWORD[=value]" token.
template <typename Visit>
void for_each_param(std::string_view params, Visit visit) {
    while (!params.empty()) {
        const std::size_t space = params.find(' ');
        const std::string_view token = params.substr(0, space);
        if (!token.empty()) visit(token.substr(0, token.find('=')), token);
        if (space == std::string_view::npos) break;
        params.remove_prefix(space + 1);
    }
}

template <std::size_t N>
std::string params_named(std::string_view params, const std::array<std::string_view, N>& names) {
    std::string out;
    for_each_param(params, [&](std::string_view keyword, std::string_view token) {
        for (std::string_view name : names) {
            if (!iequals(keyword, name)) continue;
            if (!out.empty()) out += ' ';
            out += token;
        }
    });
    return out;
}

}  // namespace

std::string find_param(std::string_view params, std::string_view keyword) {
    std::string value;
    bool found = false;
    for_each_param(params, [&](std::string_view name, std::string_view token) {
        if (found || !iequals(name, keyword) || token.size() <= name.size() + 1) return;
        value = std::string(token.substr(name.size() + 1));
        found = true;
    });
    return value;
}

NotifyRequest notify_request(std::string_view rcpt_params) {
    const std::string notify = find_param(rcpt_params, "NOTIFY");
    if (notify.empty()) return {};
    std::string_view value = notify;
    NotifyRequest request{false, false, false};  // NEVER, or only what the list names
    while (!value.empty()) {
        const std::size_t comma = value.find(',');
        const std::string_view item = value.substr(0, comma);
        if (iequals(item, "SUCCESS")) request.success = true;
        if (iequals(item, "FAILURE")) request.failure = true;
        if (iequals(item, "DELAY")) request.delay = true;
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
    }
    return request;
}

Return return_request(std::string_view mail_params) {
    return iequals(find_param(mail_params, "RET"), "FULL") ? Return::full : Return::headers;
}

std::string dsn_mail_params(std::string_view mail_params) {
    return params_named(mail_params, std::array<std::string_view, 2>{"RET", "ENVID"});
}

std::string dsn_rcpt_params(std::string_view rcpt_params) {
    return params_named(rcpt_params, std::array<std::string_view, 2>{"NOTIFY", "ORCPT"});
}

}  // namespace sluice::daemon::dsn
