// The answers to the operations (POST /hold, /release, /clear, /unlock, /reload): what the
// daemon did comes in as typed results (status_backend.hpp returns them), the HTTP status code
// and the JSON body go out. The daemon never picks a code or builds JSON itself. Pure; the
// bodies are byte-for-byte what sluicectl and operators' scripts parse.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "daemon/status/admin_request.hpp"

namespace sluice::daemon::status {

// An operation's HTTP answer.
struct OperationReply {
    unsigned status = 200;
    std::string body;  // JSON and a newline
};

// A reload, as the daemon records it (the running configuration stays when !ok).
struct ReloadResult {
    bool ok = true;
    std::uint64_t generation = 0;  // of the configuration running now
    std::string error;             // the first error when !ok
};

// The holds after a hold or release. `save_error` set: applied, but not saved to the file.
struct HoldsResult {
    std::error_code save_error;
    bool node = false;              // all sending paused
    std::vector<std::string> keys;  // held ISP and queue names, sorted
};

struct ClearResult {
    std::size_t recipients = 0;
    std::size_t messages = 0;
};

// 200 with the new generation, or 422 with the error.
[[nodiscard]] OperationReply reload_reply(const ReloadResult& reload);
// 404: the scope names an ISP the daemon does not know.
[[nodiscard]] OperationReply unknown_isp_reply(std::string_view isp);
// 200 with the holds now in force, or 500 when they could not be saved.
[[nodiscard]] OperationReply holds_reply(const OperationScope& scope, const HoldsResult& holds);
// 200 saying whether any lock was lifted.
[[nodiscard]] OperationReply unlock_reply(const OperationScope& scope, bool unlocked);
// 400 when a clear names no ISP and does not confirm "all"; nullopt when it may go ahead.
[[nodiscard]] std::optional<OperationReply> refuse_clear(const OperationScope& scope);
// 200 with what was removed.
[[nodiscard]] OperationReply clear_reply(const OperationScope& scope, const ClearResult& cleared);
// 404: the endpoint is not an operation.
[[nodiscard]] OperationReply no_such_operation_reply();

}  // namespace sluice::daemon::status
