#include "daemon/status/queue_query.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

#include "daemon/status/request_route.hpp"

namespace sluice::daemon::status {

namespace {
bool parse_count(const std::string& text, std::size_t& out) {
    const auto* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc() && ptr == end && !text.empty();
}

std::uint64_t waiting_of(const QueueView& q) {
    return q.queued + q.deferred;
}
}  // namespace

std::variant<QueueQuery, std::string> parse_queue_query(std::string_view query) {
    QueueQuery out;
    std::string error;
    auto take = [&](const std::string& key, const std::string& value) {
        if (!error.empty()) return;
        if (key == "destination" || key == "isp") {
            out.destination = value;
        } else if (key == "domain") {
            out.domain = value;
        } else if (key == "sort") {
            if (value == "name") {
                out.sort = QueueSort::name;
            } else if (value == "waiting") {
                out.sort = QueueSort::waiting;
            } else if (value == "oldest") {
                out.sort = QueueSort::oldest;
            } else {
                error = "sort must be name, waiting or oldest";
            }
        } else if (key == "offset") {
            if (!parse_count(value, out.offset)) error = "offset must be a whole number";
        } else if (key == "limit") {
            if (!parse_count(value, out.limit) || out.limit == 0 || out.limit > kMaxQueueLimit) {
                error = "limit must be between 1 and " + std::to_string(kMaxQueueLimit);
            }
        } else {
            error = "unknown parameter \"" + key + "\"";
        }
    };
    if (!for_each_query_parameter(query, take)) return std::string("malformed query string");
    if (!error.empty()) return error;
    return out;
}

QueuePage page_of(std::vector<QueueView> matching, const QueueQuery& query) {
    auto by_name = [](const QueueView& a, const QueueView& b) { return a.name < b.name; };
    switch (query.sort) {
        case QueueSort::name:
            std::sort(matching.begin(), matching.end(), by_name);
            break;
        case QueueSort::waiting:
            std::sort(matching.begin(), matching.end(), [&](const auto& a, const auto& b) {
                if (waiting_of(a) != waiting_of(b)) return waiting_of(a) > waiting_of(b);
                return by_name(a, b);
            });
            break;
        case QueueSort::oldest: {
            // Queues without mail (no arrival) last.
            constexpr auto kNone = std::numeric_limits<std::int64_t>::max();
            auto oldest = [&](const QueueView& q) { return q.oldest_arrival_unix.value_or(kNone); };
            std::sort(matching.begin(), matching.end(), [&](const auto& a, const auto& b) {
                if (oldest(a) != oldest(b)) return oldest(a) < oldest(b);
                return by_name(a, b);
            });
            break;
        }
    }
    QueuePage page;
    page.total = matching.size();
    page.offset = query.offset;
    page.limit = query.limit;
    if (query.offset < matching.size()) {
        const auto end = std::min(matching.size(), query.offset + query.limit);
        page.queues.assign(std::make_move_iterator(matching.begin() + query.offset),
                           std::make_move_iterator(matching.begin() + end));
    }
    return page;
}

}  // namespace sluice::daemon::status
