// Which queues GET /queues and GET /queues/{destination} show, and in what order: the query
// string's destination filter (an ISP's name, which covers its sites, or one site
// "default:mx.example.net"), domain filter (the queues a recipient domain's mail goes through),
// sort (name, waiting = most recipients ready and deferred first, oldest = the longest-waiting
// mail first) and page (offset, limit). The long tail can have a hundred thousand site queues,
// so a page is bounded: at most kMaxQueueLimit queues, kDefaultQueueLimit unless asked. Pure.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "daemon/status/status_view.hpp"

namespace sluice::daemon::status {

inline constexpr std::size_t kDefaultQueueLimit = 1000;
inline constexpr std::size_t kMaxQueueLimit = 10000;

enum class QueueSort { name, waiting, oldest };

struct QueueQuery {
    std::string destination;  // "" = every queue
    std::string domain;       // "" = any
    QueueSort sort = QueueSort::name;
    std::size_t offset = 0;
    std::size_t limit = kDefaultQueueLimit;
};

// From a query string ("domain=example.com&sort=waiting&limit=50&offset=100"); the error names
// the parameter that is wrong.
[[nodiscard]] std::variant<QueueQuery, std::string> parse_queue_query(std::string_view query);

// One page of queues and how many matched in all.
struct QueuePage {
    std::vector<QueueView> queues;
    std::size_t total = 0;
    std::size_t offset = 0;
    std::size_t limit = 0;
};

// Sorts `matching` (already filtered) by query.sort, names breaking ties, and cuts the page.
// Only name, queued, deferred and oldest_arrival_unix are read, so the caller may sort light
// views and fill in the page's afterwards.
[[nodiscard]] QueuePage page_of(std::vector<QueueView> matching, const QueueQuery& query);

}  // namespace sluice::daemon::status
