#include "daemon/dns/cares_channel.hpp"

#include <arpa/nameser.h>
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <set>
#include <string>
#include <vector>

namespace sluice::daemon::dns {
namespace {

namespace asio = boost::asio;
using asio::ip::udp;

// The queries as a server receives them: a bare UDP socket that never answers.
TEST(CaresChannel, QueriesAskForAdAndCarryUnpredictableIds) {
    asio::io_context io;
    udp::socket server(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    CaresChannel::Settings settings;
    settings.servers = {"127.0.0.1:" + std::to_string(server.local_endpoint().port())};
    settings.timeout = std::chrono::milliseconds(2000);
    settings.tries = 1;
    CaresChannel channel(io.get_executor(), settings);

    constexpr int kQueries = 8;
    int done = 0;
    for (int i = 0; i < kQueries; ++i) {
        channel.query("q" + std::to_string(i) + ".test", ns_t_tlsa,
                      [&done](int, std::span<const unsigned char>) { ++done; });
    }
    std::set<unsigned> ids;
    for (int i = 0; i < kQueries; ++i) {
        std::vector<unsigned char> packet(512);
        udp::endpoint from;
        const std::size_t size = server.receive_from(asio::buffer(packet), from);
        ASSERT_GE(size, 12u);
        ids.insert((packet[0] << 8) | packet[1]);
        EXPECT_TRUE(packet[3] & 0x20) << "query " << i << " without the AD bit (RFC 6840 §5.7)";
        EXPECT_TRUE(packet[2] & 0x01) << "query " << i << " without RD";
    }
    // Eight random 16-bit IDs are all equal with negligible probability; a fixed ID is not.
    EXPECT_GT(ids.size(), 1u) << "every query had ID " << *ids.begin();
    channel.cancel();
    io.poll();
    EXPECT_EQ(done, kQueries);
}

}  // namespace
}  // namespace sluice::daemon::dns
