// The three line formats of the accounting log (sluice.conf accounting.format), pure:
//   json   one JSON object per line, every field of AccountingRecord always present, in a
//          fixed order, plus "time" (ISO 8601 UTC, microseconds);
//   kv     the same fields as space-separated key=value pairs in the same order; a value is
//          written bare if it is non-empty printable ASCII without space, '"', '\' or '=',
//          else in double quotes with \" \\ \r \n \t and \xHH (other control bytes) escapes;
//   akmta  AKMTA's syslog line: "YYYY/MM/DD HH:MM:SS" (UTC), a space, then the 20 fields of
//          akmta_fields, each in single quotes, separated by commas; inside the quotes the
//          escapes \' \\ \r \n \t and \xHH, as in kv.
// Invalid UTF-8 (a remote reply can contain anything) is replaced by U+FFFD in all three.
// Each result is one line ending in "\n".
#pragma once

#include <string>
#include <vector>

#include "daemon/acclog/record.hpp"
#include "policy/config/model.hpp"

namespace sluice::daemon::acclog {

[[nodiscard]] std::string format_json(const AccountingRecord& record);
[[nodiscard]] std::string format_kv(const AccountingRecord& record);
[[nodiscard]] std::string format_akmta(const AccountingRecord& record);
[[nodiscard]] std::string format_record(const AccountingRecord& record,
                                        policy::config::AccountingFormat format);

// AKMTA's fields in AKMTA's order, unquoted: queue id (local storage id), template id (""),
// sender MTA id (""), ISP (of the queue "ISP/source"), source IP, sender, sender domain,
// recipient, MX IP, MX host, reply, status (the outcome; "final-" + outcome for a final
// record), akmta_command, account, mailing, database and resource ids (all ""), Message-ID,
// Message-ID without <>, extra error ("<nil>").
[[nodiscard]] std::vector<std::string> akmta_fields(const AccountingRecord& record);

// The SMTP command the record's reply answered, as AKMTA names it (DIAL, MAIL, RCPT, DATA), or
// "" when unknown. A record does not say which stage failed, so this is derived: no MX address
// (never connected) -> DIAL; delivered or possibly delivered -> DATA; otherwise by the RFC 3463
// enhanced code: X.4.1 -> DIAL, X.1.7 and X.1.8 -> MAIL, other X.1.* and X.2.* -> RCPT, X.3.4
// and X.6.* -> DATA; an admin-cleared record -> "".
[[nodiscard]] std::string akmta_command(const AccountingRecord& record);

// "2023-11-14T22:13:20.000000Z"
[[nodiscard]] std::string format_iso_time(std::int64_t unix_us);

}  // namespace sluice::daemon::acclog
