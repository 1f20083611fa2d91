// find_runaway_string: after libconfig reports a syntax error, finds the string whose closing
// quote was forgotten. libconfig strings may span lines, so such a string swallows the text up
// to the next '"' (or the end of the file) and the error surfaces lines later; this scan of the
// file's text (aware of '#', '//' and '/* */' comments and of backslash escapes) names the line
// where that string opened. Pure: the caller supplies the text and libconfig's error line.
// It does not parse settings and never throws. libconfig carries a string left open at the end of
// an @included file on into the including file, so the caller also looks into the files that
// include_directives names.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::policy::config {

struct RunawayString {
    int open_line = 0;   // where the string that was never meant to span lines begins
    int close_line = 0;  // where a later '"' closed it; 0 when nothing did
};

// The runaway string behind a syntax error libconfig noticed on `error_line` of `text`, or
// nullopt when the error has nothing to do with a string running over lines.
[[nodiscard]] std::optional<RunawayString> find_runaway_string(std::string_view text,
                                                               int error_line);

struct IncludeDirective {
    int line = 0;
    std::string path;  // as written
};

// The @include lines of `text`, in order (libconfig: '@include "path"' at the start of a line).
[[nodiscard]] std::vector<IncludeDirective> include_directives(std::string_view text);

}  // namespace sluice::policy::config
