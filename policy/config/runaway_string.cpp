// find_runaway_string (see runaway_string.hpp). The lexical rules are libconfig 1.5's: '#' and
// '//' comment to the end of the line, '/* */' comments, and inside a string a backslash
// escapes the next character; a string may contain raw line breaks.
#include "policy/config/runaway_string.hpp"

#include <algorithm>
#include <cstddef>

namespace sluice::policy::config {
namespace {

// Every string literal of a text, with the lines of its quotes.
std::vector<RunawayString> string_literals(std::string_view text) {
    enum class State { code, line_comment, block_comment, string };
    std::vector<RunawayString> literals;
    State state = State::code;
    int line = 1;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const char next = i + 1 < text.size() ? text[i + 1] : '\0';
        if (c == '\n') {
            ++line;
        }
        switch (state) {
            case State::code:
                if (c == '"') {
                    literals.push_back({line, 0});
                    state = State::string;
                } else if (c == '#' || (c == '/' && next == '/')) {
                    state = State::line_comment;
                } else if (c == '/' && next == '*') {
                    state = State::block_comment;
                    ++i;  // "/*/" does not close the comment it opens
                }
                break;
            case State::line_comment:
                if (c == '\n') {
                    state = State::code;
                }
                break;
            case State::block_comment:
                if (c == '*' && next == '/') {
                    state = State::code;
                    ++i;
                }
                break;
            case State::string:
                if (c == '\\' && i + 1 < text.size()) {
                    ++i;  // \" and \\ do not end the string
                    if (next == '\n') {
                        ++line;
                    }
                } else if (c == '"') {
                    literals.back().close_line = line;
                    state = State::code;
                }
                break;
        }
    }
    return literals;
}

// Unterminated (close_line 0) or closed on a later line.
bool runs_over_lines(const RunawayString& literal) {
    return literal.close_line != literal.open_line;
}

}  // namespace

std::optional<RunawayString> find_runaway_string(std::string_view text, int error_line) {
    const std::vector<RunawayString> literals = string_literals(text);
    std::optional<std::size_t> last;
    for (std::size_t k = 0; k < literals.size() && literals[k].open_line <= error_line; ++k) {
        if (runs_over_lines(literals[k])) {
            last = k;
        }
    }
    // A string that spans lines and closed before the error line is legal and not the cause.
    if (!last || (literals[*last].close_line != 0 && literals[*last].close_line < error_line)) {
        return std::nullopt;
    }
    // The '"' that closes a runaway string leaves the rest of its line inverted, so the line's
    // own opening quote usually starts another runaway string: go back to the first of the run.
    std::size_t first = *last;
    while (first > 0 && runs_over_lines(literals[first - 1]) &&
           literals[first - 1].close_line == literals[first].open_line) {
        --first;
    }
    return literals[first];
}

std::vector<IncludeDirective> include_directives(std::string_view text) {
    std::vector<IncludeDirective> out;
    int number = 0;
    while (!text.empty()) {
        ++number;
        const std::size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        line.remove_prefix(std::min(line.find_first_not_of(" \t"), line.size()));
        if (!line.starts_with("@include")) {
            continue;
        }
        line.remove_prefix(8);
        const std::size_t open = line.find_first_not_of(" \t");
        if (open == 0 || open == std::string_view::npos || line[open] != '"') {
            continue;
        }
        const std::size_t close = line.find('"', open + 1);
        if (close != std::string_view::npos) {
            out.push_back({number, std::string(line.substr(open + 1, close - open - 1))});
        }
    }
    return out;
}

}  // namespace sluice::policy::config
