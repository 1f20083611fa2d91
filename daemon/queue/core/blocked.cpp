#include "daemon/queue/core/blocked.hpp"

namespace sluice::daemon::queue {

std::string_view to_string(Blocked reason) {
    switch (reason) {
        case Blocked::none:
            return "none";
        case Blocked::node_held:
            return "node-held";
        case Blocked::held:
            return "held";
        case Blocked::locked:
            return "locked";
        case Blocked::isp_locked:
            return "isp-locked";
        case Blocked::connection_cap:
            return "connection-cap";
        case Blocked::total_connections:
            return "total-connection-cap";
        case Blocked::message_rate:
            return "rate-limit";
        case Blocked::isp_message_rate:
            return "isp-rate-limit";
        case Blocked::connect_rate:
            return "connect-rate";
        case Blocked::warmup_cap:
            return "warmup-cap";
        case Blocked::warmup_rate:
            return "warmup-rate";
    }
    return "unknown";
}

}  // namespace sluice::daemon::queue
