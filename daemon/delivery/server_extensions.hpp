// The service extensions a server announced in its EHLO reply (RFC 5321 §4.1.1.1): keywords
// compared case-insensitively, and the SIZE limit (RFC 1870). Built once per EHLO, then const;
// an empty set after HELO. Parsing cannot fail: lines that are not keywords are ignored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/smtp/reply.hpp"

namespace sluice::daemon::delivery {

class ServerExtensions {
  public:
    ServerExtensions() = default;
    // From a positive EHLO reply: every line after the first ("domain greeting") is a keyword
    // with optional parameters.
    [[nodiscard]] static ServerExtensions from_ehlo(const smtp::Reply& reply);

    // "PIPELINING", "8BITMIME", "SMTPUTF8", "STARTTLS", "SIZE"... in any case.
    [[nodiscard]] bool supports(std::string_view keyword) const;
    // The announced maximum message size; nullopt when SIZE came without a number or with 0.
    [[nodiscard]] std::optional<std::uint64_t> size_limit() const { return size_limit_; }

  private:
    std::vector<std::string> keywords_;  // upper case
    std::optional<std::uint64_t> size_limit_;
};

}  // namespace sluice::daemon::delivery
