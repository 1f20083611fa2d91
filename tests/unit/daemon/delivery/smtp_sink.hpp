// SmtpSink: Postfix's smtp-sink(1) (Debian package postfix) run as a real peer on 127.0.0.1,
// port 0; the port is read back from /proc (its listening socket's inode in /proc/net/tcp).
// Optionally dumps each message to files "<dir>/msg.*" (LF line ends, dot-stuffing undone).
// Stopped with SIGTERM by its own pid when the object goes. Tests skip when it is not installed.
#pragma once

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace sluice::daemon::delivery::testing {

inline constexpr const char* kSmtpSink = "/usr/sbin/smtp-sink";

class SmtpSink {
  public:
    static bool available() { return ::access(kSmtpSink, X_OK) == 0; }

    // `options` go before the address; with `dump_dir` set, each message lands in a file there.
    explicit SmtpSink(std::vector<std::string> options,
                      const std::filesystem::path& dump_dir = {}) {
        std::vector<std::string> args = {kSmtpSink};
        if (::geteuid() == 0) args.insert(args.end(), {"-u", "nobody"});  // required as root
        if (!dump_dir.empty()) {
            ::chmod(dump_dir.c_str(), 0777);  // written as "nobody" when we are root
            args.insert(args.end(), {"-d", (dump_dir / "msg.").string()});
        }
        args.insert(args.end(), options.begin(), options.end());
        args.insert(args.end(), {"127.0.0.1:0", "16"});
        pid_ = ::fork();
        if (pid_ == 0) {
            std::vector<char*> argv;
            for (auto& arg : args) argv.push_back(arg.data());
            argv.push_back(nullptr);
            ::execv(kSmtpSink, argv.data());
            ::_exit(127);
        }
        if (pid_ < 0) throw std::runtime_error("fork failed");
        port_ = wait_for_port();
        if (port_ == 0) throw std::runtime_error("smtp-sink did not start listening");
    }
    ~SmtpSink() {
        ::kill(pid_, SIGTERM);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
    SmtpSink(const SmtpSink&) = delete;
    SmtpSink& operator=(const SmtpSink&) = delete;

    [[nodiscard]] boost::asio::ip::tcp::endpoint endpoint() const {
        return {boost::asio::ip::make_address_v4("127.0.0.1"), port_};
    }

  private:
    // The inode of each socket the process holds, as "socket:[N]" names N.
    std::vector<std::string> socket_inodes() const {
        std::vector<std::string> inodes;
        std::error_code ec;
        const auto fd_dir = "/proc/" + std::to_string(pid_) + "/fd";
        for (const auto& entry : std::filesystem::directory_iterator(fd_dir, ec)) {
            const std::string target = std::filesystem::read_symlink(entry.path(), ec).string();
            if (target.starts_with("socket:[")) {
                inodes.push_back(target.substr(8, target.size() - 9));
            }
        }
        return inodes;
    }
    std::uint16_t listening_port(const std::vector<std::string>& inodes) const {
        std::ifstream tcp("/proc/net/tcp");
        std::string line;
        std::getline(tcp, line);  // the header
        while (std::getline(tcp, line)) {
            std::istringstream fields(line);
            std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
            fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
                timeout >> inode;
            if (state != "0A" || !local.starts_with("0100007F:")) continue;  // LISTEN on 127.0.0.1
            for (const auto& wanted : inodes) {
                if (wanted == inode) {
                    return static_cast<std::uint16_t>(std::stoul(local.substr(9), nullptr, 16));
                }
            }
        }
        return 0;
    }
    std::uint16_t wait_for_port() const {
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (std::chrono::steady_clock::now() < give_up) {
            if (const auto port = listening_port(socket_inodes())) return port;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return 0;
    }

    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
};

}  // namespace sluice::daemon::delivery::testing
