#include "daemon/delivery/outbound_message.hpp"

namespace sluice::daemon::delivery {

RecipientOutcome outcome_of(const smtp::Reply& reply) {
    switch (reply.code / 100) {
        case 2:
            return RecipientOutcome::delivered;
        case 5:
            return RecipientOutcome::bounced;
        default:
            return RecipientOutcome::deferred;
    }
}

RecipientResult result_from_reply(const smtp::Reply& reply) {
    return {outcome_of(reply), reply, false};
}

const char* to_string(RecipientOutcome outcome) {
    switch (outcome) {
        case RecipientOutcome::delivered:
            return "delivered";
        case RecipientOutcome::deferred:
            return "deferred";
        case RecipientOutcome::bounced:
            return "bounced";
        case RecipientOutcome::possibly_delivered:
            return "possibly delivered";
    }
    return "unknown";
}

}  // namespace sluice::daemon::delivery
