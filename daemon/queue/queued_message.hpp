// The queue manager's in-memory picture of one spooled message: what routing and retrying need
// (sender, recipients and their state), never the content, which stays on disk and is read
// for each delivery. Owned by the queue manager on the io thread, shared with the delivery
// workers that are busy with it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "daemon/spool/spooled_message.hpp"

namespace sluice::daemon::queue {

struct QueuedRecipient {
    std::string address;
    std::string params;  // RCPT parameters (ORCPT= for the DSN)
    spool::RecipientState state = spool::RecipientState::pending;
    std::uint16_t attempts = 0;
    std::int64_t next_attempt_unix = 0;
};

struct QueuedMessage {
    std::string queue_id;
    std::int64_t arrival_unix_us = 0;
    std::string sender;  // empty: the null sender (a DSN), which never gets a DSN back
    std::string listener;     // the listener that accepted it (pool choice)
    std::string header_pool;  // the pool its control header named, if any
    spool::BodyType body_type = spool::BodyType::seven_bit;
    bool smtputf8 = false;
    std::vector<QueuedRecipient> recipients;
    std::uint32_t pending = 0;  // recipients not yet final

    [[nodiscard]] bool finished() const { return pending == 0; }
};

using MessagePtr = std::shared_ptr<QueuedMessage>;

// Builds the queue's view of a message from its spooled envelope and progress.
[[nodiscard]] MessagePtr make_queued_message(const spool::Envelope& envelope,
                                             const std::vector<spool::RecipientProgress>& progress,
                                             std::string header_pool = {});

// The domain part of an address, lower-cased ("" when there is none).
[[nodiscard]] std::string recipient_domain(const std::string& address);

}  // namespace sluice::daemon::queue
