#include "daemon/status/admin_request.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "daemon/status/request_route.hpp"

namespace sluice::daemon::status {

namespace json = boost::json;

namespace {
std::variant<OperationScope, ScopeError> from_json(std::string_view body) {
    boost::system::error_code ec;
    const json::value parsed = json::parse(body, ec);
    if (ec) return ScopeError{"the body is not valid JSON: " + ec.message()};
    const auto* object = parsed.if_object();
    if (!object) return ScopeError{"the body must be a JSON object"};
    OperationScope scope;
    for (const auto& [key, value] : *object) {
        if (key == "all" || key == "dsn") {
            if (!value.is_bool()) {
                return ScopeError{"\"" + std::string(key) + "\" must be true or false"};
            }
            (key == "all" ? scope.all : scope.dsn) = value.get_bool();
            continue;
        }
        if (key != "isp" && key != "source") {
            return ScopeError{"unknown field \"" + std::string(key) + "\""};
        }
        const auto* text = value.if_string();
        if (!text) return ScopeError{"\"" + std::string(key) + "\" must be a string"};
        (key == "isp" ? scope.isp : scope.source) = std::string(*text);
    }
    return scope;
}

std::variant<OperationScope, ScopeError> from_query(std::string_view query) {
    OperationScope scope;
    std::string unknown;
    const bool well_formed =
        for_each_query_parameter(query, [&](const std::string& key, const std::string& value) {
            if (key == "isp") {
                scope.isp = value;
            } else if (key == "source") {
                scope.source = value;
            } else if (key == "all" || key == "dsn") {
                (key == "all" ? scope.all : scope.dsn) =
                    value == "1" || value == "true" || value == "yes";
            } else if (unknown.empty()) {
                unknown = key;
            }
        });
    if (!well_formed) return ScopeError{"malformed query string"};
    if (!unknown.empty()) return ScopeError{"unknown parameter \"" + unknown + "\""};
    return scope;
}

// Names end up in log lines and in the holds file, one per line.
bool has_control_character(std::string_view text) {
    for (unsigned char c : text) {
        if (c < 0x20 || c == 0x7F) return true;
    }
    return false;
}

bool blank(std::string_view text) {
    return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}
}  // namespace

std::variant<OperationScope, ScopeError> parse_scope(std::string_view body,
                                                     std::string_view query) {
    if (!blank(body) && !query.empty()) {
        return ScopeError{"give the scope in the body or in the query, not both"};
    }
    auto result = blank(body) ? from_query(query) : from_json(body);
    if (auto* scope = std::get_if<OperationScope>(&result)) {
        if (scope->isp.empty() && !scope->source.empty()) {
            return ScopeError{"\"source\" needs \"isp\""};
        }
        if (has_control_character(scope->isp) || has_control_character(scope->source)) {
            return ScopeError{"names must not contain control characters"};
        }
    }
    return result;
}

}  // namespace sluice::daemon::status
