// A real dnsmasq for the DNS tests: started on 127.0.0.1 at a free port with only the records
// the test gives it (no /etc/hosts, no upstream, unknown names under .test are NXDOMAIN), and
// with every query logged to a file so tests can count what reached the server. Stopped with
// SIGTERM when destroyed. available() is false when /usr/sbin/dnsmasq is not installed.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace sluice::daemon::dns::testing {

inline constexpr const char* kDnsmasq = "/usr/sbin/dnsmasq";

// A UDP socket bound to 127.0.0.1 at a free port; it never answers (a silent DNS server).
class SilentServer {
  public:
    SilentServer() {
        fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
            ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
            throw std::runtime_error("cannot bind a UDP socket on 127.0.0.1");
        }
        port_ = ntohs(address.sin_port);
    }
    ~SilentServer() { ::close(fd_); }
    SilentServer(const SilentServer&) = delete;
    SilentServer& operator=(const SilentServer&) = delete;

    [[nodiscard]] std::uint16_t port() const { return port_; }
    [[nodiscard]] std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

// A port on 127.0.0.1 where nothing listens (free for both UDP and TCP a moment ago).
inline std::uint16_t free_port() {
    for (int attempt = 0; attempt < 20; ++attempt) {
        const int udp = ::socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        ::bind(udp, reinterpret_cast<sockaddr*>(&address), length);
        ::getsockname(udp, reinterpret_cast<sockaddr*>(&address), &length);
        const int tcp = ::socket(AF_INET, SOCK_STREAM, 0);
        const bool tcp_free =
            ::bind(tcp, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
        ::close(tcp);
        ::close(udp);
        if (tcp_free) return ntohs(address.sin_port);
    }
    throw std::runtime_error("no free port on 127.0.0.1");
}

class DnsmasqServer {
  public:
    static bool available() { return ::access(kDnsmasq, X_OK) == 0; }

    // `records` are dnsmasq options such as "--mx-host=a.test,mx1.a.test,10".
    explicit DnsmasqServer(std::vector<std::string> records) {
        char pattern[] = "/tmp/sluice-dnsmasq-XXXXXX";
        if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
        dir_ = pattern;
        for (int attempt = 0; attempt < 5; ++attempt) {
            port_ = free_port();
            spawn(records);
            if (wait_ready()) return;
            stop();
        }
        throw std::runtime_error("dnsmasq did not start; see " + log_path().string());
    }
    ~DnsmasqServer() {
        stop();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    DnsmasqServer(const DnsmasqServer&) = delete;
    DnsmasqServer& operator=(const DnsmasqServer&) = delete;

    [[nodiscard]] std::uint16_t port() const { return port_; }
    [[nodiscard]] std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

    // How many queries of `type` ("MX", "A", "AAAA", "TXT") for `name` dnsmasq has received.
    // Waits first until dnsmasq has logged every query sent before this call.
    int count_queries(const std::string& type, const std::string& name) {
        sync_log();
        return count_lines("[" + type + "] " + name + " from");
    }

  private:
    std::filesystem::path log_path() const { return dir_ / "dnsmasq.log"; }

    // Lines of "query[TYPE] name from ..." (recursive mode) or "auth[TYPE] ..." (--auth-zone).
    int count_lines(const std::string& tail) const {
        std::ifstream log(log_path());
        int count = 0;
        for (std::string line; std::getline(log, line);) {
            if (line.find("query" + tail) != std::string::npos ||
                line.find("auth" + tail) != std::string::npos) {
                ++count;
            }
        }
        return count;
    }

    void spawn(const std::vector<std::string>& records) {
        std::vector<std::string> args = {kDnsmasq,
                                         "--no-daemon",
                                         "--port=" + std::to_string(port_),
                                         "--listen-address=127.0.0.1",
                                         "--bind-interfaces",
                                         "--no-resolv",
                                         "--no-hosts",
                                         "--conf-file=/dev/null",
                                         "--pid-file=",
                                         "--log-queries",
                                         "--log-facility=" + log_path().string(),
                                         "--local=/test/"};
        args.insert(args.end(), records.begin(), records.end());
        std::vector<char*> argv;
        for (auto& arg : args) argv.push_back(arg.data());
        argv.push_back(nullptr);
        const std::string err = (dir_ / "dnsmasq.stderr").string();
        pid_ = ::fork();
        if (pid_ < 0) throw std::runtime_error("cannot fork for dnsmasq");
        if (pid_ == 0) {
            // Dies with the test process, even if that one crashes.
            ::prctl(PR_SET_PDEATHSIG, SIGTERM);
            const int fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            if (fd >= 0) {
                ::dup2(fd, STDOUT_FILENO);
                ::dup2(fd, STDERR_FILENO);
            }
            ::execv(kDnsmasq, argv.data());
            ::_exit(127);
        }
    }

    void stop() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGTERM);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
    }

    // Sends one A query for `name` and waits up to `limit` for any answer.
    bool ask(const std::string& name, std::chrono::milliseconds limit) const {
        std::string query("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12);
        std::stringstream labels(name);
        for (std::string label; std::getline(labels, label, '.');) {
            query += static_cast<char>(label.size()) + label;
        }
        query += std::string("\x00\x00\x01\x00\x01", 5);
        const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = htons(port_);
        ::sendto(fd, query.data(), query.size(), 0, reinterpret_cast<sockaddr*>(&address),
                 sizeof address);
        pollfd ready{fd, POLLIN, 0};
        const bool answered = ::poll(&ready, 1, static_cast<int>(limit.count())) == 1 &&
                              ::recv(fd, query.data(), query.size(), 0) > 0;
        ::close(fd);
        return answered;
    }

    bool running() {
        int status = 0;
        return pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == 0;
    }

    bool wait_ready() {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
        while (std::chrono::steady_clock::now() < deadline) {
            if (!running()) {
                pid_ = -1;
                return false;  // e.g. the port was taken meanwhile
            }
            if (ask("ready.test", std::chrono::milliseconds{100})) return true;
        }
        return false;
    }

    // dnsmasq logs queries in order: once a fresh marker query is in the log, so is every
    // query before it.
    void sync_log() {
        const std::string marker = "sync-" + std::to_string(++syncs_) + ".test";
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
        ask(marker, std::chrono::milliseconds{1000});
        while (std::chrono::steady_clock::now() < deadline) {
            if (count_lines("[A] " + marker + " from") > 0) return;
            std::this_thread::sleep_for(std::chrono::milliseconds{10});
        }
        throw std::runtime_error("dnsmasq did not log " + marker);
    }

    std::filesystem::path dir_;
    std::uint16_t port_ = 0;
    pid_t pid_ = -1;
    int syncs_ = 0;
};

}  // namespace sluice::daemon::dns::testing
