// Fuzz target: the DATA/BDAT content path of an SMTP session (daemon/smtp/data_reader.hpp,
// line_ending_normalizer.hpp, input_buffer.hpp) and, as a reference, the delivery side's
// dot-stuffer. Input: byte 0 picks the size cap, bytes 1..8 how the stream is cut into reads,
// the rest is the stream. Invariants:
//  - DataReader: consume() never uses more than it is given; cutting the stream anywhere gives
//    the same end, content, size and bare-line-ending flag as one call; the content never holds
//    a bare CR or LF (unless over the cap, when it is cut anywhere and refused); size() ==
//    content size unless too_large(), and the content kept is never longer than the cap;
//  - dot-stuffing any content and reading it back gives that content with its line endings
//    repaired (and a final CRLF): what Sluice sends, Sluice reads back unchanged;
//  - LineEndingNormalizer: the result has no bare CR or LF, is the same however the input is
//    cut, and equals the input once every line ending is written as one LF;
//  - InputBuffer: a line never holds an LF, is shorter than the limit, and takes no more than
//    what was committed.
#include <algorithm>
#include <cstdint>
#include <string>

#include "daemon/delivery/dot_stuffer.hpp"
#include "daemon/smtp/data_reader.hpp"
#include "daemon/smtp/input_buffer.hpp"
#include "daemon/smtp/line_ending_normalizer.hpp"
#include "fuzz/fuzz_check.hpp"

namespace smtp = sluice::daemon::smtp;
using sluice::fuzz::split_by;

namespace {

bool has_bare_line_ending(std::string_view s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r' && (i + 1 == s.size() || s[i + 1] != '\n')) return true;
        if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) return true;
    }
    return false;
}

// Every CRLF, bare CR and bare LF written as one LF.
std::string with_lf_endings(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r') {
            out.push_back('\n');
            if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

struct DataResult {
    std::size_t used = 0;
    bool done = false;
    bool too_large = false;
    bool bare = false;
    std::uint64_t size = 0;
    std::string content;
    bool operator==(const DataResult&) const = default;
};

DataResult read_data(const std::vector<std::string_view>& pieces, std::uint64_t max_size) {
    smtp::DataReader reader(max_size);
    DataResult result;
    for (std::string_view piece : pieces) {
        const std::size_t used = reader.consume(piece);
        FUZZ_CHECK(used <= piece.size());
        result.used += used;
        if (reader.done()) break;
        FUZZ_CHECK(used == piece.size());  // it only stops early at the end of data
    }
    result.done = reader.done();
    result.too_large = reader.too_large();
    result.bare = reader.saw_bare_line_ending();
    result.size = reader.size();
    if (result.done) result.content = reader.take_content();
    return result;
}

void check_data_reader(std::string_view stream, std::string_view seed, std::uint64_t max_size) {
    const DataResult whole = read_data({stream}, max_size);
    const DataResult cut = read_data(split_by(stream, seed), max_size);
    FUZZ_CHECK(whole == cut);
    if (!whole.done) return;
    FUZZ_CHECK(whole.content.size() <= max_size);
    // A message over the cap is refused, and its truncated content may end inside a CRLF.
    FUZZ_CHECK(whole.too_large || !has_bare_line_ending(whole.content));
    FUZZ_CHECK(whole.too_large ? whole.size > max_size : whole.size == whole.content.size());
    FUZZ_CHECK(stream.substr(0, whole.used).ends_with("\r\n.\r\n") || whole.used == 3);
}

void check_round_trip(std::string_view content, std::string_view seed) {
    sluice::daemon::delivery::DotStuffer stuffer;
    std::string wire;
    for (std::string_view piece : split_by(content, seed)) stuffer.encode(piece, wire);
    stuffer.finish(wire);

    smtp::LineEndingNormalizer normalizer;
    std::string expected;
    normalizer.append(content, expected);
    normalizer.finish(expected);
    if (!expected.empty() && !expected.ends_with("\r\n")) expected += "\r\n";

    const DataResult read = read_data(split_by(wire, seed.substr(1)), UINT64_MAX);
    FUZZ_CHECK(read.done && read.used == wire.size());
    FUZZ_CHECK(read.content == expected);
    FUZZ_CHECK(!read.bare);  // the stuffer never sends a bare line ending
}

void check_normalizer(std::string_view input, std::string_view seed) {
    smtp::LineEndingNormalizer whole;
    std::string whole_out;
    whole.append(input, whole_out);
    whole.finish(whole_out);
    smtp::LineEndingNormalizer cut;
    std::string cut_out;
    for (std::string_view piece : split_by(input, seed)) cut.append(piece, cut_out);
    cut.finish(cut_out);
    FUZZ_CHECK(whole_out == cut_out);
    FUZZ_CHECK(whole.saw_bare_line_ending() == cut.saw_bare_line_ending());
    FUZZ_CHECK(!has_bare_line_ending(whole_out));
    FUZZ_CHECK(with_lf_endings(whole_out) == with_lf_endings(input));
}

void check_input_buffer(std::string_view stream, std::string_view seed, std::size_t max_length) {
    smtp::InputBuffer buffer(64);
    std::size_t committed = 0;
    std::size_t taken = 0;
    for (std::string_view piece : split_by(stream, seed)) {
        while (!piece.empty()) {
            const std::size_t room = buffer.writable_size();
            FUZZ_CHECK(room > 0);  // lines are always taken below, so the window never jams
            const std::size_t n = std::min(room, piece.size());
            std::copy_n(piece.data(), n, buffer.writable_data());
            buffer.commit(n);
            committed += n;
            piece.remove_prefix(n);
            std::string_view line;
            for (;;) {
                const auto status = buffer.take_line(max_length, line);
                if (status == smtp::InputBuffer::LineStatus::need_more) break;
                if (status == smtp::InputBuffer::LineStatus::line) {
                    FUZZ_CHECK(line.find('\n') == std::string_view::npos);
                    FUZZ_CHECK(line.size() < max_length && line.size() < 64);
                    taken += line.size() + 1;
                }
            }
        }
    }
    FUZZ_CHECK(taken + buffer.pending().size() <= committed);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 9) return 0;
    const std::string_view all = sluice::fuzz::as_view(data, size);
    const std::uint64_t max_size = data[0] < 250 ? data[0] : UINT64_MAX;
    const std::string_view seed = all.substr(1, 8);
    const std::string_view stream = all.substr(9);
    check_data_reader(stream, seed, max_size);
    check_round_trip(stream, seed);
    check_normalizer(stream, seed);
    check_input_buffer(stream, seed, 1 + data[1] % 80);
    return 0;
}
