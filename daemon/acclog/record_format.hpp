// The two line formats of the accounting log (sluice.conf accounting.format), pure:
//   json   one JSON object per line, every field of AccountingRecord always present, in a
//          fixed order, plus "time" (ISO 8601 UTC, microseconds);
//   akmta  the same fields as space-separated key=value pairs in the same order; a value is
//          written bare if it is non-empty printable ASCII without space, '"', '\' or '=',
//          else in double quotes with \" \\ \r \n \t and \xHH (other control bytes) escapes.
// Invalid UTF-8 (a remote reply can contain anything) is replaced by U+FFFD in both.
// Each result is one line ending in "\n".
#pragma once

#include <string>

#include "daemon/acclog/record.hpp"
#include "policy/config/model.hpp"

namespace sluice::daemon::acclog {

[[nodiscard]] std::string format_json(const AccountingRecord& record);
[[nodiscard]] std::string format_akmta(const AccountingRecord& record);
[[nodiscard]] std::string format_record(const AccountingRecord& record,
                                        policy::config::AccountingFormat format);

// "2023-11-14T22:13:20.000000Z"
[[nodiscard]] std::string format_iso_time(std::int64_t unix_us);

}  // namespace sluice::daemon::acclog
