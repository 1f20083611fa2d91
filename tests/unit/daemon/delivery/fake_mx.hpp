// FakeMx: a scripted remote server for the client's protocol tests, byte-exact and in lockstep
// with the client: each step either reads what the client says next (a command line, or the
// message content up to its final dot) or answers with exact bytes, possibly in pieces with
// pauses between them, possibly followed by a close or a TCP reset. It keeps a transcript of
// both directions ("C: ...", "S: ..." with escapes), which the tests print on failure and
// write to a file, and the pairs (what the client said, what the script answered before the
// client said more) that delivery_invariant.hpp judges. Runs on ScriptedServer's thread.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "delivery_invariant.hpp"
#include "scripted_server.hpp"

namespace sluice::daemon::delivery::testing {

struct FakeMxStep {
    enum class Kind { read_command, read_content, send, pause, close, reset };
    Kind kind = Kind::send;
    std::string bytes;                  // send: what to send
    std::chrono::milliseconds wait{0};  // pause
};

inline FakeMxStep said() {
    return {FakeMxStep::Kind::read_command, {}, {}};
}
inline FakeMxStep content() {
    return {FakeMxStep::Kind::read_content, {}, {}};
}
inline FakeMxStep answer(std::string bytes) {
    return {FakeMxStep::Kind::send, std::move(bytes), {}};
}
inline FakeMxStep pause(std::chrono::milliseconds wait) {
    return {FakeMxStep::Kind::pause, {}, wait};
}
inline FakeMxStep hang_up() {
    return {FakeMxStep::Kind::close, {}, {}};
}
// SO_LINGER 0 and close: the client sees ECONNRESET instead of an orderly end.
inline FakeMxStep reset_connection() {
    return {FakeMxStep::Kind::reset, {}, {}};
}

// "250 ok\r\n" -> "250 ok\\r\\n": a transcript line shows every byte.
inline std::string escaped(std::string_view bytes) {
    std::string out;
    for (char c : bytes) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '\r') {
            out += "\\r";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\\') {
            out += "\\\\";
        } else if (byte < 0x20 || byte >= 0x7f) {
            char hex[5];
            std::snprintf(hex, sizeof hex, "\\x%02X", byte);
            out += hex;
        } else {
            out += c;
        }
    }
    return out;
}

class FakeMx {
  public:
    explicit FakeMx(std::vector<FakeMxStep> steps)
        : server_([this, steps = std::move(steps)](ScriptedPeer& peer) { run(peer, steps); }) {}

    [[nodiscard]] boost::asio::ip::tcp::endpoint endpoint() const { return server_.endpoint(); }
    // Waits for the script to end (bounded: every read in it is).
    const std::string& transcript() {
        server_.transcript();
        return transcript_;
    }
    const ServerExchanges& exchanges() {
        server_.transcript();
        return exchanges_;
    }
    // Keeps the transcript for a failed case: `<dir>/<name>.transcript`, where dir is
    // $SLUICE_TEST_OUTPUT_DIR or the temporary directory; returns the path.
    std::filesystem::path keep_transcript(const std::string& name) {
        const char* dir = std::getenv("SLUICE_TEST_OUTPUT_DIR");
        const std::filesystem::path path =
            std::filesystem::path(dir ? dir : std::filesystem::temp_directory_path().string()) /
            (name + ".transcript");
        std::ofstream(path) << transcript();
        return path;
    }

  private:
    void run(ScriptedPeer& peer, const std::vector<FakeMxStep>& steps) {
        ServerExchange current;  // the greeting: an answer to nothing said
        const auto finish = [&] { exchanges_.push_back(std::move(current)); };
        for (const auto& step : steps) {
            switch (step.kind) {
                case FakeMxStep::Kind::read_command:
                case FakeMxStep::Kind::read_content: {
                    const bool is_content = step.kind == FakeMxStep::Kind::read_content;
                    std::string got = is_content ? peer.read_data() : peer.read_line();
                    transcript_ += "C: " + escaped(got) + "\n";
                    if (got.empty()) {
                        transcript_ += "   (client closed or went quiet)\n";
                        return finish();
                    }
                    // Said before any answer: one pipelined group with the commands before.
                    if (!current.answer.empty()) {
                        exchanges_.push_back(std::move(current));
                        current = ServerExchange{};
                    }
                    current.said.push_back({is_content, std::move(got)});
                    break;
                }
                case FakeMxStep::Kind::send:
                    peer.send(step.bytes);
                    current.answer += step.bytes;
                    transcript_ += "S: " + escaped(step.bytes) + "\n";
                    break;
                case FakeMxStep::Kind::pause:
                    std::this_thread::sleep_for(step.wait);
                    break;
                case FakeMxStep::Kind::close:
                    transcript_ += "S: (close)\n";
                    return finish();
                case FakeMxStep::Kind::reset: {
                    const linger abort_on_close{1, 0};
                    ::setsockopt(peer.fd(), SOL_SOCKET, SO_LINGER, &abort_on_close,
                                 sizeof abort_on_close);
                    transcript_ += "S: (reset)\n";
                    return finish();
                }
            }
        }
        // The script is done: what else the client says (QUIT, RSET...) is only recorded.
        finish();
        for (std::string rest = peer.read_line(); !rest.empty(); rest = peer.read_line()) {
            transcript_ += "C: " + escaped(rest) + "   (after the script)\n";
        }
    }

    std::string transcript_;
    ServerExchanges exchanges_;
    ScriptedServer server_;  // last: its thread uses the members above
};

}  // namespace sluice::daemon::delivery::testing
