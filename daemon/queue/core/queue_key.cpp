#include "daemon/queue/core/queue_key.hpp"

#include <boost/container_hash/hash.hpp>

namespace sluice::daemon::queue {

std::string destination_of(const QueueKey& key) {
    if (key.site.empty()) return key.isp;
    std::string name = key.isp;
    name += ':';
    name += key.site;
    return name;
}

std::string to_string(const QueueKey& key) {
    if (key.empty()) return {};
    std::string name = destination_of(key);
    name += '/';
    name += key.source;
    return name;
}

std::size_t QueueKeyHash::operator()(const QueueKey& key) const noexcept {
    std::size_t seed = 0;
    boost::hash_combine(seed, key.isp);
    boost::hash_combine(seed, key.site);
    boost::hash_combine(seed, key.source);
    return seed;
}

}  // namespace sluice::daemon::queue
