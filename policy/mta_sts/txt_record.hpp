// The _mta-sts.<domain> TXT record (RFC 8461 §3.1): "v=STSv1; id=20160831085700Z;". Pure.
// Records that do not start with "v=STSv1" are ignored; more than one that does is an error
// (the domain then has no usable record, §3.1). Unknown fields are ignored.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sluice::policy::mta_sts {

struct NoStsRecord {};  // no record starts with "v=STSv1"
struct TxtError {
    std::string_view why;  // a static description
};

// The policy id (1-32 letters and digits), NoStsRecord, or why the record is unusable.
using TxtParse = std::variant<std::string, NoStsRecord, TxtError>;

// `records`: each TXT record's strings already concatenated (Resolver::lookup_txt).
[[nodiscard]] TxtParse parse_txt_records(const std::vector<std::string>& records);

}  // namespace sluice::policy::mta_sts
