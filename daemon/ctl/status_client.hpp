// sluicectl's HTTP client for the status endpoint: one request per connection, synchronous
// (Boost.Beast over a blocking socket with send/receive timeouts). Errors come back as text
// meant for the admin ("cannot reach sluiced at ...: Connection refused"), never thrown.
#pragma once

#include <optional>
#include <string>

namespace sluice::daemon::ctl {

struct HttpAnswer {
    unsigned status = 0;
    std::string body;
};

struct StatusUrl {
    std::string host;  // numeric address
    std::string port;
    // "http://HOST:PORT" (an optional trailing "/"); nullopt if it is not that.
    [[nodiscard]] static std::optional<StatusUrl> parse(const std::string& url);
    // From status.listen: a wildcard address becomes the loopback address.
    [[nodiscard]] static std::optional<StatusUrl> from_listen(const std::string& listen);
    [[nodiscard]] std::string to_string() const;
};

// Sends `method target` with `body` (JSON when not empty) and `token` as a bearer token when
// not empty. On failure returns nullopt and sets `error`.
[[nodiscard]] std::optional<HttpAnswer> http_request(const StatusUrl& url,
                                                     const std::string& method,
                                                     const std::string& target,
                                                     const std::string& body,
                                                     const std::string& token, std::string& error);

}  // namespace sluice::daemon::ctl
