// Typed operation results -> HTTP status and JSON body (contract: operation_reply.hpp). The
// key order of each body is part of the wire format: fields are added in the order shown.
#include "daemon/status/operation_reply.hpp"

#include <boost/json/value.hpp>

#include "daemon/status/status_json.hpp"

namespace sluice::daemon::status {

namespace json = boost::json;

namespace {
json::value name_or_null(const std::string& name) {
    return name.empty() ? json::value(nullptr) : json::value(name);
}

// What every successful scoped operation starts with; the operation adds its own fields.
json::object scoped_body(const OperationScope& scope) {
    return json::object{
        {"ok", true}, {"isp", name_or_null(scope.isp)}, {"source", name_or_null(scope.source)}};
}
}  // namespace

OperationReply reload_reply(const ReloadResult& reload) {
    json::object body{{"ok", reload.ok}, {"generation", reload.generation}};
    if (!reload.ok) body["error"] = reload.error;
    return {reload.ok ? 200u : 422u, to_body(body)};
}

OperationReply unknown_isp_reply(std::string_view isp) {
    return {404, error_body("unknown ISP " + std::string(isp))};
}

OperationReply holds_reply(const OperationScope& scope, const HoldsResult& holds) {
    if (holds.save_error) {
        return {500, error_body("applied, but the holds file could not be saved: " +
                                holds.save_error.message())};
    }
    json::array keys;
    for (const auto& key : holds.keys) keys.emplace_back(key);
    auto body = scoped_body(scope);
    body["sending_paused"] = holds.node;
    body["holds"] = std::move(keys);
    return {200, to_body(body)};
}

OperationReply unlock_reply(const OperationScope& scope, bool unlocked) {
    auto body = scoped_body(scope);
    body["unlocked"] = unlocked;
    return {200, to_body(body)};
}

std::optional<OperationReply> refuse_clear(const OperationScope& scope) {
    if (!scope.isp.empty() || scope.all) return std::nullopt;
    return OperationReply{400, error_body("clearing every queue needs \"all\": true")};
}

OperationReply clear_reply(const OperationScope& scope, const ClearResult& cleared) {
    auto body = scoped_body(scope);
    body["cleared_recipients"] = cleared.recipients;
    body["messages"] = cleared.messages;
    return {200, to_body(body)};
}

OperationReply no_such_operation_reply() {
    return {404, error_body("no such operation")};
}

}  // namespace sluice::daemon::status
