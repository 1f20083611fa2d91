#include "daemon/status/request_route.hpp"

#include <array>

namespace sluice::daemon::status {

namespace {
struct Entry {
    std::string_view path;
    Endpoint endpoint;
};
constexpr std::array kReads = {Entry{"/", Endpoint::dashboard}, Entry{"/status", Endpoint::status},
                               Entry{"/queues", Endpoint::queues},
                               Entry{"/metrics", Endpoint::metrics},
                               Entry{"/health", Endpoint::health}};
constexpr std::array kOperations = {
    Entry{"/hold", Endpoint::hold}, Entry{"/release", Endpoint::release},
    Entry{"/clear", Endpoint::clear}, Entry{"/unlock", Endpoint::unlock},
    Entry{"/reload", Endpoint::reload}};

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace

bool percent_decode(std::string_view in, std::string& out) {
    out.clear();
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '+') {
            out += ' ';
        } else if (in[i] == '%') {
            if (i + 2 >= in.size()) return false;
            const int high = hex_value(in[i + 1]);
            const int low = hex_value(in[i + 2]);
            if (high < 0 || low < 0) return false;
            out += static_cast<char>(high * 16 + low);
            i += 2;
        } else {
            out += in[i];
        }
    }
    return true;
}

bool for_each_query_parameter(
    std::string_view query,
    const std::function<void(const std::string& key, const std::string& value)>& each) {
    while (!query.empty()) {
        const auto end = query.find('&');
        const auto pair = query.substr(0, end);
        query = end == std::string_view::npos ? std::string_view() : query.substr(end + 1);
        if (pair.empty()) continue;
        const auto equals = pair.find('=');
        std::string key;
        std::string value;
        if (!percent_decode(pair.substr(0, equals), key) ||
            (equals != std::string_view::npos && !percent_decode(pair.substr(equals + 1), value))) {
            return false;
        }
        each(key, value);
    }
    return true;
}

bool is_operation(Endpoint endpoint) {
    for (const auto& entry : kOperations) {
        if (entry.endpoint == endpoint) return true;
    }
    return false;
}

std::variant<RoutedRequest, RouteError> route_request(std::string_view method,
                                                      std::string_view target) {
    std::string_view path = target;
    std::string_view query;
    if (auto mark = target.find('?'); mark != std::string_view::npos) {
        path = target.substr(0, mark);
        query = target.substr(mark + 1);
    }
    const bool read = method == "GET" || method == "HEAD";
    const bool post = method == "POST";
    for (const auto& entry : kReads) {
        if (path != entry.path) continue;
        if (!read) return RouteError{405, "use GET", "GET, HEAD"};
        return RoutedRequest{entry.endpoint, {}, std::string(query)};
    }
    for (const auto& entry : kOperations) {
        if (path != entry.path) continue;
        if (!post) return RouteError{405, "use POST", "POST"};
        return RoutedRequest{entry.endpoint, {}, std::string(query)};
    }
    constexpr std::string_view kQueuePrefix = "/queues/";
    if (path.starts_with(kQueuePrefix) && path.size() > kQueuePrefix.size()) {
        if (!read) return RouteError{405, "use GET", "GET, HEAD"};
        std::string isp;
        const auto raw = path.substr(kQueuePrefix.size());
        if (raw.find('/') != std::string_view::npos || !percent_decode(raw, isp) || isp.empty()) {
            return RouteError{404, "no such resource", {}};
        }
        return RoutedRequest{Endpoint::queue, std::move(isp), std::string(query)};
    }
    return RouteError{404, "no such resource", {}};
}

}  // namespace sluice::daemon::status
