// A c-ares channel driven by the Asio event loop: no thread per lookup. c-ares tells us (socket
// state callback) which of its sockets to watch; each is wrapped in a non-owning
// posix::stream_descriptor waiting for readable/writable, and one steady_timer follows
// ares_timeout(); both call ares_process_fd. Servers, timeout and tries come from Settings; no
// search domains are applied. Every query asks with the AD bit set (RFC 6840 §5.7), so a
// validating resolver says in its answer whether DNSSEC vouched for it. Lives on one io_context
// thread; not thread-safe. The constructor throws std::runtime_error if c-ares cannot start
// (start-up only).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace sluice::daemon::dns {

class CaresChannel {
  public:
    struct Settings {
        // "127.0.0.1:5353", "[::1]:53", "127.0.0.1"; empty: the nameservers of /etc/resolv.conf.
        std::vector<std::string> servers;
        std::chrono::milliseconds timeout{5000};  // first try; c-ares doubles it on each round
        unsigned tries = 2;
    };
    // Gets the ARES_* status (as ares_query maps RCODEs) and the raw answer (may be empty). Runs
    // inside c-ares (from an event handler, from query() itself, or from cancel()): it must only
    // hand the result off.
    using Completion = std::function<void(int status, std::span<const unsigned char> message)>;

    CaresChannel(boost::asio::any_io_executor executor, const Settings& settings);
    ~CaresChannel();  // pending queries complete with ARES_EDESTRUCTION
    CaresChannel(const CaresChannel&) = delete;
    CaresChannel& operator=(const CaresChannel&) = delete;

    // Sends one class-IN query for `name` of `type` (ns_t_*); `done` runs exactly once.
    void query(const std::string& name, int type, Completion done);
    // Every pending query completes now with ARES_ECANCELLED.
    void cancel();

  private:
    struct State;
    std::shared_ptr<State> state_;
};

}  // namespace sluice::daemon::dns
