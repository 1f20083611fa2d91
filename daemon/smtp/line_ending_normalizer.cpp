// LineEndingNormalizer: copies runs without CR/LF in bulk and rewrites only the line breaks.
#include "daemon/smtp/line_ending_normalizer.hpp"

#include "daemon/smtp/line_break_scanner.hpp"

namespace sluice::daemon::smtp {

void LineEndingNormalizer::append(std::string_view input, std::string& out) {
    std::size_t i = 0;
    if (pending_cr_ && !input.empty()) {  // the CR that ended the previous piece
        pending_cr_ = false;
        out += "\r\n";
        if (input.front() == '\n') {
            i = 1;
        } else {
            ++bare_count_;
        }
    }
    LineBreakScanner scanner(input);
    while (i < input.size()) {
        std::size_t line_break = scanner.find(i);
        out.append(input.data() + i, line_break - i);
        if (line_break == input.size()) return;
        i = line_break + 1;
        if (input[line_break] == '\r') {
            if (i == input.size()) {  // CRLF split across pieces, or a bare CR: not known yet
                pending_cr_ = true;
                return;
            }
            if (input[i] == '\n') {
                ++i;
            } else {
                ++bare_count_;
            }
        } else {
            ++bare_count_;  // bare LF
        }
        out += "\r\n";
    }
}

void LineEndingNormalizer::finish(std::string& out) {
    if (!pending_cr_) return;
    pending_cr_ = false;
    out += "\r\n";
    ++bare_count_;
}

}  // namespace sluice::daemon::smtp
