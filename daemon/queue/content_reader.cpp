#include "daemon/queue/content_reader.hpp"

#include "daemon/spool/spool_reader.hpp"

namespace sluice::daemon::queue {

std::shared_ptr<const std::string> ContentReader::operator()() const {
    spool::SpooledMessage stored;
    if (spool::read_spool_file(path_, stored)) return nullptr;
    return std::make_shared<const std::string>(std::move(stored.content));
}

}  // namespace sluice::daemon::queue
