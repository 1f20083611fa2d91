#include "daemon/smtp/session_registry.hpp"

#include <utility>

#include "common/assert.hpp"

namespace sluice::daemon::smtp {

SessionRegistry::Admission::Admission(SessionRegistry* registry, std::string address)
    : registry_(registry), address_(std::move(address)) {}

SessionRegistry::Admission::Admission(Admission&& other) noexcept
    : registry_(std::exchange(other.registry_, nullptr)), address_(std::move(other.address_)) {}

SessionRegistry::Admission& SessionRegistry::Admission::operator=(Admission&& other) noexcept {
    if (this != &other) {
        if (registry_ != nullptr) registry_->release(address_);
        registry_ = std::exchange(other.registry_, nullptr);
        address_ = std::move(other.address_);
    }
    return *this;
}

SessionRegistry::Admission::~Admission() {
    if (registry_ != nullptr) registry_->release(address_);
}

SessionRegistry::Verdict SessionRegistry::admit(const std::string& address, std::uint32_t max_total,
                                                std::uint32_t max_per_address,
                                                Admission& admission) {
    SLUICE_ASSERT(admission.registry_ == nullptr, "admission reused");
    if (total_ >= max_total) return Verdict::too_many_total;
    auto& count = per_address_[address];
    if (count >= max_per_address) {
        if (count == 0) per_address_.erase(address);
        return Verdict::too_many_from_address;
    }
    ++count;
    ++total_;
    admission = Admission(this, address);
    return Verdict::admitted;
}

void SessionRegistry::release(const std::string& address) {
    auto it = per_address_.find(address);
    SLUICE_ASSERT(it != per_address_.end() && it->second > 0 && total_ > 0,
                  "connection slot released twice");
    if (--it->second == 0) per_address_.erase(it);
    --total_;
}

SessionRegistry::Handle SessionRegistry::add(StoppableSession& session) {
    return sessions_.insert(sessions_.end(), &session);
}

void SessionRegistry::remove(Handle handle) {
    sessions_.erase(handle);
}

void SessionRegistry::request_stop_all() {
    // A session may remove itself while being asked; walk a copy.
    auto copy = sessions_;
    for (auto* session : copy) session->request_stop();
}

void SessionRegistry::force_close_all() {
    auto copy = sessions_;
    for (auto* session : copy) session->force_close();
}

}  // namespace sluice::daemon::smtp
