// Outcome: what became of one recipient, as an accounting record says it (the "outcome" field;
// AKMTA's status). "attempt" records carry delivered, possibly-delivered, accepted-by-rule,
// deferred or bounced; "final" records any but deferred. to_string gives the words written to
// the log, which operators parse: never change one. sluiced(8), ACCOUNTING LOG, lists the same
// words; tests/unit/daemon/acclog/outcome_test.cpp checks that list against kOutcomes. Pure.
#pragma once

#include <array>
#include <string_view>

namespace sluice::daemon::acclog {

enum class Outcome {
    delivered,           // the server accepted the message for the recipient
    possibly_delivered,  // the final dot was sent, its reply never came (RFC 1047)
    accepted_by_rule,    // a bounce pattern of class "ignore" made the reply a delivery
    deferred,            // a temporary failure: tried again later
    bounced,             // a permanent failure
    expired,             // past its lifetime in the queue
    admin_cleared,       // removed from the queue by an admin (POST /clear)
};

// Every outcome, in declaration order.
inline constexpr std::array kOutcomes{
    Outcome::delivered,        Outcome::possibly_delivered,
    Outcome::accepted_by_rule, Outcome::deferred,
    Outcome::bounced,          Outcome::expired,
    Outcome::admin_cleared,
};

// "delivered", "possibly-delivered", "accepted-by-rule", "deferred", "bounced", "expired",
// "admin-cleared"; "" for a value that is not an Outcome.
[[nodiscard]] std::string_view to_string(Outcome outcome);

}  // namespace sluice::daemon::acclog
