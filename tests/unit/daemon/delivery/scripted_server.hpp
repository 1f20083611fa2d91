// ScriptedServer: a real SMTP peer on 127.0.0.1 (port 0) for client tests, written as a plain
// function that runs on its own thread over POSIX sockets: it reads what the client sends and
// answers exactly what the test says, including misbehaviour (421s, silence, dropped
// connections, endless replies). Everything the client sent is kept as a transcript. Every wait
// is bounded, so a client bug fails a test instead of hanging it.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

namespace sluice::daemon::delivery::testing {

inline constexpr int kPeerWaitMs = 5000;

class ScriptedPeer {
  public:
    ScriptedPeer(int fd, std::string client_address)
        : fd_(fd), client_address_(std::move(client_address)) {}

    // The next line with its CRLF; "" when the client closed or went quiet for too long.
    std::string read_line() {
        for (;;) {
            const std::size_t lf = buffer_.find('\n');
            if (lf != std::string::npos) return take(lf + 1);
            if (!fill(kPeerWaitMs)) return {};
        }
    }
    // Message data up to and including the CRLF.CRLF that ends it; "" if it never ends.
    std::string read_data() {
        for (;;) {
            if (buffer_.starts_with(".\r\n")) return take(3);
            const std::size_t end = buffer_.find("\r\n.\r\n");
            if (end != std::string::npos) return take(end + 5);
            if (!fill(kPeerWaitMs)) return {};
        }
    }
    void send(std::string_view text) {
        while (!text.empty()) {
            const ssize_t n = ::send(fd_, text.data(), text.size(), MSG_NOSIGNAL);
            if (n <= 0) return;  // the client left; the test sees it in its results
            text.remove_prefix(static_cast<std::size_t>(n));
        }
    }
    // True when the client sends nothing more within `quiet` (it waits for our reply).
    bool quiet_for(std::chrono::milliseconds quiet) {
        return buffer_.empty() && !fill(static_cast<int>(quiet.count()));
    }
    // Waits (bounded) until the client closes the connection; true if it did.
    bool wait_for_close() {
        while (fill(kPeerWaitMs)) buffer_.clear();
        return closed_;
    }
    [[nodiscard]] const std::string& client_address() const { return client_address_; }
    [[nodiscard]] const std::string& received() const { return received_; }
    [[nodiscard]] int fd() const { return fd_; }

  private:
    std::string take(std::size_t n) {
        std::string out = buffer_.substr(0, n);
        buffer_.erase(0, n);
        return out;
    }
    // Reads what arrives within `wait_ms`; false on timeout, close or error.
    bool fill(int wait_ms) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, wait_ms) <= 0) return false;
        char chunk[65536];
        const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n <= 0) {
            closed_ = true;
            return false;
        }
        buffer_.append(chunk, static_cast<std::size_t>(n));
        received_.append(chunk, static_cast<std::size_t>(n));
        return true;
    }

    int fd_;
    std::string client_address_;
    std::string buffer_;
    std::string received_;
    bool closed_ = false;
};

class ScriptedServer {
  public:
    using Script = std::function<void(ScriptedPeer&)>;

    // Listens on 127.0.0.1, port 0, and runs `script` for each of `connections` clients in turn;
    // the connection is closed when the script returns.
    explicit ScriptedServer(Script script, int connections = 1) {
        listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), length) ||
            ::listen(listen_fd_, 8) ||
            ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length)) {
            throw std::runtime_error("cannot listen on 127.0.0.1");
        }
        port_ = ntohs(address.sin_port);
        thread_ = std::thread([this, script = std::move(script), connections] {
            for (int i = 0; i < connections; ++i) serve_one(script);
        });
    }
    ~ScriptedServer() {
        join();
        ::close(listen_fd_);
    }
    ScriptedServer(const ScriptedServer&) = delete;
    ScriptedServer& operator=(const ScriptedServer&) = delete;

    [[nodiscard]] boost::asio::ip::tcp::endpoint endpoint() const {
        return {boost::asio::ip::make_address_v4("127.0.0.1"), port_};
    }
    // Everything the clients sent, once the script finished.
    std::string transcript() {
        join();
        return transcript_;
    }
    // The address the last client connected from, once the script finished.
    std::string client_address() {
        join();
        return client_address_;
    }

  private:
    void join() {
        if (thread_.joinable()) thread_.join();
    }
    void serve_one(const Script& script) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (::poll(&p, 1, kPeerWaitMs) <= 0) return;
        sockaddr_in from{};
        socklen_t length = sizeof from;
        const int fd =
            ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&from), &length, SOCK_CLOEXEC);
        if (fd < 0) return;
        char text[INET_ADDRSTRLEN] = {};
        ::inet_ntop(AF_INET, &from.sin_addr, text, sizeof text);
        ScriptedPeer peer(fd, text);
        script(peer);
        ::close(fd);
        transcript_ += peer.received();
        client_address_ = peer.client_address();
    }

    int listen_fd_ = -1;
    std::uint16_t port_ = 0;
    std::thread thread_;
    std::string transcript_;
    std::string client_address_;
};

}  // namespace sluice::daemon::delivery::testing
