// Fuzz target: the delivery client's reply parser (daemon/delivery/reply_parser.hpp): a remote
// server's byte stream, cut into reads at fuzz-chosen points. Input: bytes 0..7 choose the cuts,
// byte 8 the limits, the rest is the stream. Invariants:
//  - consume() never uses more than it is given, and uses all of it unless a reply completed or
//    the parser failed; failure is sticky and carries an error;
//  - a complete reply has a code 200..599, 1..max_lines lines, and an enhanced code only of the
//    reply's class;
//  - the same stream read in one call and in many pieces gives the same replies and outcome;
//  - a reply written back to the wire (Reply::to_wire) has one CRLF per line, and parses to the
//    same reply unless a text held CR or NUL (to_wire blanks those).
#include <cstdint>
#include <string>
#include <vector>

#include "daemon/delivery/reply_parser.hpp"
#include "fuzz/fuzz_check.hpp"

namespace delivery = sluice::daemon::delivery;
using sluice::daemon::smtp::Reply;
using sluice::fuzz::split_by;

namespace {

struct Outcome {
    std::vector<Reply> replies;
    bool failed = false;
    std::size_t used = 0;
};

bool same(const Reply& a, const Reply& b) {
    return a.code == b.code && a.enhanced == b.enhanced && a.lines == b.lines;
}

Outcome parse(const std::vector<std::string_view>& pieces, delivery::ReplyLimits limits) {
    delivery::ReplyParser parser(limits);
    Outcome outcome;
    for (std::string_view piece : pieces) {
        while (!piece.empty() && parser.state() != delivery::ReplyParser::State::failed) {
            const std::size_t used = parser.consume(piece);
            FUZZ_CHECK(used <= piece.size());
            outcome.used += used;
            piece.remove_prefix(used);
            if (parser.state() == delivery::ReplyParser::State::complete) {
                outcome.replies.push_back(parser.take_reply());
                FUZZ_CHECK(parser.state() == delivery::ReplyParser::State::need_more);
            } else if (parser.state() == delivery::ReplyParser::State::need_more) {
                FUZZ_CHECK(piece.empty());
            }
        }
        if (parser.state() == delivery::ReplyParser::State::failed) {
            FUZZ_CHECK(parser.error());
            FUZZ_CHECK(parser.consume(piece) == 0);
            outcome.failed = true;
            break;
        }
        FUZZ_CHECK(!parser.error());
    }
    return outcome;
}

void check_reply(const Reply& reply, const delivery::ReplyLimits& limits) {
    FUZZ_CHECK(reply.code >= 200 && reply.code <= 599);
    FUZZ_CHECK(!reply.lines.empty() && reply.lines.size() <= limits.max_lines);
    FUZZ_CHECK(reply.enhanced.empty() || reply.enhanced[0] == '0' + reply.code / 100);

    const std::string wire = reply.to_wire();
    bool blanks = false;  // CR and NUL in a text become spaces on the wire
    for (const std::string& line : reply.lines) {
        blanks = blanks || line.find_first_of(std::string_view("\r\0", 2)) != std::string::npos;
    }
    std::size_t line_ends = 0;
    for (std::size_t at = wire.find('\n'); at != std::string::npos; at = wire.find('\n', at + 1)) {
        FUZZ_CHECK(at > 0 && wire[at - 1] == '\r');
        ++line_ends;
    }
    FUZZ_CHECK(line_ends == reply.lines.size());  // no text can forge an extra line
    delivery::ReplyParser again(delivery::ReplyLimits{1 << 20, 1 << 20, 1 << 30});
    FUZZ_CHECK(again.consume(wire) == wire.size());
    FUZZ_CHECK(again.state() == delivery::ReplyParser::State::complete);
    const Reply reparsed = again.take_reply();
    // A blanked NUL can turn "4.7.1\0" into an enhanced code, so compare only the code then.
    FUZZ_CHECK(blanks ? reparsed.code == reply.code : same(reparsed, reply));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 9) return 0;
    const std::string_view all = sluice::fuzz::as_view(data, size);
    const std::string_view seed = all.substr(0, 8);
    const std::string_view stream = all.substr(9);
    // Small limits half of the time, so the limit paths are reached with short inputs.
    delivery::ReplyLimits limits;
    if (data[8] & 1) limits = {8u + data[8] % 64, 1u + data[8] % 8, 32u + data[8]};

    const Outcome whole = parse({stream}, limits);
    const Outcome cut = parse(split_by(stream, seed), limits);
    FUZZ_CHECK(whole.failed == cut.failed);
    // Where a failure is noticed may depend on the cuts; what a success used may not.
    FUZZ_CHECK(whole.failed || whole.used == cut.used);
    FUZZ_CHECK(whole.replies.size() == cut.replies.size());
    for (std::size_t i = 0; i < whole.replies.size(); ++i) {
        FUZZ_CHECK(same(whole.replies[i], cut.replies[i]));
        check_reply(whole.replies[i], limits);
    }
    return 0;
}
