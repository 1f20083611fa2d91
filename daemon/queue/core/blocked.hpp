// Why a destination queue is not sending right now: admission's answer, kept on the queue for
// the status endpoint ("why not sending"). The names are the ones /queues shows.
#pragma once

#include <string_view>

namespace sluice::daemon::queue {

enum class Blocked {
    none,
    node_held,          // an admin paused all sending
    held,               // an admin held this queue or its ISP
    locked,             // a lock rule (or an admin) locked this queue
    isp_locked,         // ... or its whole ISP
    connection_cap,     // strategy.max_connections open
    total_connections,  // delivery.max_connections open across all queues
    message_rate,       // the queue's (possibly adaptive) message rate
    isp_message_rate,   // the ISP's overall message rate
    connect_rate,       // the queue's connection attempt rate
    warmup_cap,         // the source's warm-up cap for the ISP is spent for today
    warmup_rate,        // the source's warm-up message rate for the ISP
};
[[nodiscard]] std::string_view to_string(Blocked reason);

}  // namespace sluice::daemon::queue
