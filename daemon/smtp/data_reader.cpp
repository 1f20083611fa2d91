// DataReader: a five-phase state machine over the DATA byte stream (rules in the header). The
// in_line phase, where nearly all octets are, copies whole runs up to the next CR or LF found
// with memchr; the other phases look at one octet each, a few times per line.
#include "daemon/smtp/data_reader.hpp"

#include <algorithm>
#include <utility>

#include "common/assert.hpp"
#include "daemon/smtp/line_break_scanner.hpp"

namespace sluice::daemon::smtp {

DataReader::DataReader(std::uint64_t max_size) : max_size_(max_size) {}

std::size_t DataReader::consume(std::string_view input) {
    LineBreakScanner scanner(input);
    std::size_t i = 0;
    while (i < input.size() && phase_ != Phase::done) {
        if (phase_ != Phase::in_line) {
            i += step(input[i]);
            continue;
        }
        std::size_t line_break = scanner.find(i);
        bool crlf = line_break + 1 < input.size() && input[line_break] == '\r' &&
                    input[line_break + 1] == '\n';
        if (crlf) {  // the common case: the rest of a line and its CRLF in one copy
            store(input.substr(i, line_break + 2 - i));
            phase_ = Phase::line_start;
            i = line_break + 2;
            continue;
        }
        store(input.substr(i, line_break - i));
        i = line_break;
        if (i < input.size()) {
            if (input[i] == '\r') {
                phase_ = Phase::cr;  // CRLF or bare CR: the next octet (maybe in a later call) says
            } else {
                store_bare_line_ending();
            }
            ++i;
        }
    }
    return i;
}

std::size_t DataReader::step(char c) {
    switch (phase_) {
        case Phase::line_start:
            if (c == '.') {
                phase_ = Phase::dot;
                return 1;
            }
            phase_ = Phase::in_line;
            return 0;
        case Phase::dot:
            if (c == '\r') {
                phase_ = Phase::dot_cr;
                return 1;
            }
            phase_ = Phase::in_line;
            if (c == '\n') {  // rule 4: ".\n" is the content line "."
                store(".");
                store_bare_line_ending();
                return 1;
            }
            return 0;  // rule 3: the stuffed "." is dropped
        case Phase::dot_cr:
            if (c == '\n') {
                phase_ = Phase::done;  // rule 2
                return 1;
            }
            store(".");  // rule 4: ".\r" + other is the line "." ended by a bare CR
            store_bare_line_ending();
            phase_ = Phase::in_line;
            return 0;
        case Phase::cr:
            if (c == '\n') {
                store("\r\n");
                phase_ = Phase::line_start;
                return 1;
            }
            store_bare_line_ending();  // a bare CR; `c` starts a line that is not after CRLF
            phase_ = Phase::in_line;
            return 0;
        case Phase::in_line:
        case Phase::done:
            break;
    }
    SLUICE_ASSERT(false, "DataReader::step called in a phase it does not handle");
    return 0;
}

void DataReader::store(std::string_view octets) {
    if (content_.size() < max_size_) {
        std::uint64_t room = max_size_ - content_.size();
        content_.append(octets.data(),
                        static_cast<std::size_t>(std::min<std::uint64_t>(octets.size(), room)));
    }
    size_ += octets.size();
}

void DataReader::store_bare_line_ending() {
    store("\r\n");
    ++bare_count_;
}

std::string DataReader::take_content() {
    SLUICE_ASSERT(done(), "DATA content taken before its end");
    return std::move(content_);
}

}  // namespace sluice::daemon::smtp
