#include "daemon/delivery/server_extensions.hpp"

#include <algorithm>
#include <charconv>

#include "policy/text/ascii.hpp"

namespace sluice::daemon::delivery {

namespace {

std::optional<std::uint64_t> parse_size(std::string_view parameters) {
    std::uint64_t value = 0;
    const char* end = parameters.data() + parameters.size();
    auto [ptr, ec] = std::from_chars(parameters.data(), end, value);
    if (ec != std::errc{} || value == 0) return std::nullopt;  // RFC 1870 §4: 0 = no fixed limit
    return value;
}

}  // namespace

ServerExtensions ServerExtensions::from_ehlo(const smtp::Reply& reply) {
    ServerExtensions extensions;
    for (std::size_t i = 1; i < reply.lines.size(); ++i) {
        std::string_view line = reply.lines[i];
        const std::size_t space = line.find(' ');
        const std::string keyword = policy::text::to_upper(line.substr(0, space));
        if (keyword.empty()) continue;
        if (keyword == "SIZE" && space != std::string_view::npos) {
            extensions.size_limit_ = parse_size(line.substr(space + 1));
        }
        extensions.keywords_.push_back(keyword);
    }
    return extensions;
}

bool ServerExtensions::supports(std::string_view keyword) const {
    const std::string wanted = policy::text::to_upper(keyword);
    return std::find(keywords_.begin(), keywords_.end(), wanted) != keywords_.end();
}

}  // namespace sluice::daemon::delivery
