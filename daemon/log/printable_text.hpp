// Text from outside (a remote server's reply, a client's command) made safe for one log line or
// status field: control bytes (ESC, BEL, BS, CR, LF...), DEL, C1 controls (U+0080..U+009F)
// and bytes that are not well-formed
// UTF-8 become \xHH, and a backslash becomes \\ so an escape cannot be forged; printable ASCII
// and well-formed UTF-8 stay as they are. Pure.
#pragma once

#include <string>
#include <string_view>

namespace sluice::daemon::log {

[[nodiscard]] std::string printable_text(std::string_view text);

}  // namespace sluice::daemon::log
