// What the ClientConnection tests share: a fixture that runs open/send/reset/quit to completion
// on its own io_context, ehlo_reply(), and describe(), which prints per-recipient results as
// "delivered 250 2.0.0 Ok | deferred *451 4.4.2 …" ("*" marks a synthetic reply) for
// "got …, want …" comparisons.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <string>
#include <vector>

#include "daemon/delivery/client_connection.hpp"
#include "run_awaitable.hpp"

namespace sluice::daemon::delivery::testing {

// A server's EHLO reply announcing `extensions` ("250-mx.test", "250-PIPELINING", "250 SIZE").
inline std::string ehlo_reply(const std::vector<std::string>& extensions) {
    std::string out = "250-mx.test\r\n";
    for (std::size_t i = 0; i < extensions.size(); ++i) {
        out += (i + 1 < extensions.size() ? "250-" : "250 ") + extensions[i] + "\r\n";
    }
    return extensions.empty() ? "250 mx.test\r\n" : out;
}

inline std::string describe(const std::vector<RecipientResult>& results) {
    std::string out;
    for (const auto& result : results) {
        if (!out.empty()) out += " | ";
        out += std::string(to_string(result.outcome)) + (result.synthetic ? " *" : " ") +
               result.reply.summary();
    }
    return out;
}

class ClientTest : public ::testing::Test {
  protected:
    explicit ClientTest(std::string mx_host) : mx_host_(std::move(mx_host)) {
        settings_.helo_name = "client.test";
    }

    OpenResult open(const boost::asio::ip::tcp::endpoint& remote) {
        return run_awaitable(
            io_, ClientConnection::open(io_.get_executor(), remote, mx_host_, settings_));
    }
    std::vector<RecipientResult> send(ClientConnection& connection, const OutboundMessage& m) {
        return run_awaitable(io_, connection.send(m));
    }
    bool reset(ClientConnection& connection) { return run_awaitable(io_, connection.reset()); }
    void quit(ClientConnection& connection) { run_awaitable(io_, connection.quit()); }

    boost::asio::io_context io_;
    ClientSettings settings_;
    std::string mx_host_;
};

}  // namespace sluice::daemon::delivery::testing

#define EXPECT_DESCRIBED(results, want)                                                  \
    do {                                                                                 \
        const std::string got_ = ::sluice::daemon::delivery::testing::describe(results); \
        EXPECT_EQ(got_, want) << "got " << got_ << ", want " << (want);                  \
    } while (false)
