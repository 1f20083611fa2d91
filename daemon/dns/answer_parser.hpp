// Turns what c-ares hands a query callback (a status and the raw DNS message) into an Answer:
// the records of the asked type with the smallest TTL among them and the CNAMEs in the answer
// section, or the error with the negative TTL from the authority SOA (RFC 2308 §5: the lesser
// of the SOA's TTL and its MINIMUM; 0, i.e. not cacheable, when there is no SOA). Parses with
// libresolv's ns_* functions; no I/O, no state. A message that does not parse is errc::malformed.
#pragma once

#include <cstddef>
#include <span>

#include "daemon/dns/answer.hpp"

namespace sluice::daemon::dns {

// `status` is the ARES_* status of the query; `message` may be empty (no answer received).
[[nodiscard]] Answer parse_answer(int status, std::span<const unsigned char> message,
                                  RecordType type);

}  // namespace sluice::daemon::dns
