// Outcome -> the word in the log (contract: outcome.hpp). One switch: the only place the
// words are spelled.
#include "daemon/acclog/outcome.hpp"

namespace sluice::daemon::acclog {

std::string_view to_string(Outcome outcome) {
    // No default: -Wswitch names an enumerator added without its word.
    switch (outcome) {
        case Outcome::delivered:
            return "delivered";
        case Outcome::possibly_delivered:
            return "possibly-delivered";
        case Outcome::accepted_by_rule:
            return "accepted-by-rule";
        case Outcome::deferred:
            return "deferred";
        case Outcome::bounced:
            return "bounced";
        case Outcome::expired:
            return "expired";
        case Outcome::admin_cleared:
            return "admin-cleared";
    }
    return "";
}

}  // namespace sluice::daemon::acclog
