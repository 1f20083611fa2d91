// The connecting half of a delivery attempt to one domain: its destinations (a static route, or
// its MX hosts by RFC 5321 §5.1), what DANE and MTA-STS ask of each MX host (DANE first: usable
// TLSA records replace MTA-STS for that host, RFC 8461 §2), then each host and address in order
// until a connection opens. The result is an open connection or the failure every recipient of
// the attempt shares. The queue's DeliveryWorker (queue/delivery_worker.hpp) sends over it.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <random>
#include <string>

#include "daemon/delivery/client_connection.hpp"
#include "daemon/dns/resolver.hpp"
#include "daemon/log/logger.hpp"
#include "policy/config/model.hpp"

namespace sluice::daemon::mta_sts {
class MtaStsService;
}

namespace sluice::daemon::delivery {

// What connecting needs; every reference outlives the attempt (the QueueManager's own).
struct ConnectServices {
    boost::asio::any_io_executor executor;
    dns::Resolver& resolver;
    mta_sts::MtaStsService* mta_sts;  // null: MTA-STS is never applied
    log::Logger& logger;
    std::mt19937_64& rng;  // the order of equal-preference MX hosts
    const bool& stopping;  // looked at before each address is tried
};

struct Connected {
    std::unique_ptr<ClientConnection> connection;  // null: `failure` applies
    RecipientResult failure;
    std::string mx_host;  // the host connected to, or the last one tried
    std::string mx_ip;
    // The connection's TLS description, with " (MTA-STS enforce)" when a policy required it
    // (for the accounting log); "" in clear.
    std::string tls;
    bool stopped = false;  // `stopping` was seen before a connection opened: give the work back
};

// `settings`: the queue's client settings (delivery.tls or the ISP's own, source address,
// timeouts); DANE and MTA-STS may ask for more per host.
boost::asio::awaitable<Connected> connect_to_domain(ConnectServices services,
                                                    const policy::config::Config& config,
                                                    ClientSettings settings, std::string domain);

}  // namespace sluice::daemon::delivery
