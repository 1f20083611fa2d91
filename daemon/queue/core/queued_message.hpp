// The queue manager's in-memory picture of one spooled message: what routing and retrying need
// (queue ID, sender, recipients and their state), never the content, which stays on disk and is
// read for each delivery. Compact on purpose — a full queue holds a million of these: every
// string lives in one buffer (queue ID, sender, listener, control-header pool, AUTH user, MAIL
// parameters, then each recipient's address and RCPT parameters) and is handed out as string_view;
// a recipient's mutable state is 24 bytes. Owned by the queue manager on the io thread, shared with
// the delivery workers that are busy with it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/spool/spooled_message.hpp"

namespace sluice::daemon::queue {

struct QueuedRecipient {
    spool::RecipientState state = spool::RecipientState::pending;
    std::uint16_t attempts = 0;
    std::uint32_t text_offset = 0;  // of its address in the message's buffer; params follow
    std::uint16_t address_size = 0;
    std::uint16_t params_size = 0;
    // Taken by a delivery worker (DeliveryQueues::take_batch) and not yet given back or
    // deferred: its attempt, not the expiry sweep, decides what happens to it.
    bool in_flight = false;     // fits the padding before next_attempt_unix
    bool delay_warned = false;  // its delay DSN is spooled (persisted with its progress)
    std::int64_t next_attempt_unix = 0;
};

class QueuedMessage {
  public:
    // From the spooled envelope and progress (`progress[i]` is recipient i's, if present).
    QueuedMessage(const spool::Envelope& envelope,
                  const std::vector<spool::RecipientProgress>& progress,
                  std::string_view header_pool);

    [[nodiscard]] std::string_view queue_id() const { return text(0, id_size_); }
    // Empty: the null sender (a DSN), which never gets a DSN back.
    [[nodiscard]] std::string_view sender() const { return text(id_size_, sender_size_); }
    // The listener that accepted it and the pool its control header named ("" if none).
    [[nodiscard]] std::string_view listener() const {
        return text(id_size_ + sender_size_, listener_size_);
    }
    [[nodiscard]] std::string_view header_pool() const {
        return text(id_size_ + sender_size_ + listener_size_, pool_size_);
    }
    // Who submitted it with SMTP AUTH ("" if nobody), for the accounting log.
    [[nodiscard]] std::string_view auth_user() const {
        return text(id_size_ + sender_size_ + listener_size_ + pool_size_, auth_user_size_);
    }
    // The MAIL FROM parameters as received (RET= and ENVID= for DSNs).
    [[nodiscard]] std::string_view mail_params() const {
        return text(id_size_ + sender_size_ + listener_size_ + pool_size_ + auth_user_size_,
                    mail_params_size_);
    }
    [[nodiscard]] std::string_view address(std::uint32_t index) const {
        const auto& r = recipients[index];
        return text(r.text_offset, r.address_size);
    }
    // The RCPT TO parameters as received (ORCPT= for the DSN).
    [[nodiscard]] std::string_view params(std::uint32_t index) const {
        const auto& r = recipients[index];
        return text(r.text_offset + r.address_size, r.params_size);
    }
    [[nodiscard]] bool finished() const { return pending_ == 0; }
    // Recipients not yet final.
    [[nodiscard]] std::uint32_t pending() const { return pending_; }
    // Recipient `index` becomes `state` (final, or pending again); the only way a recipient's
    // state changes after loading, so the pending count cannot drift from the states.
    void set_state(std::uint32_t index, spool::RecipientState state);
    // The progress record that says where recipient `index` stands now, for the spool.
    [[nodiscard]] spool::RecipientProgress progress(std::uint32_t index) const {
        const auto& r = recipients[index];
        return {index, r.state, r.attempts, r.next_attempt_unix, r.delay_warned};
    }

    std::int64_t arrival_unix_us = 0;
    std::vector<QueuedRecipient> recipients;  // their state changes through set_state
    spool::BodyType body_type = spool::BodyType::seven_bit;
    bool smtputf8 = false;

  private:
    [[nodiscard]] std::string_view text(std::size_t offset, std::size_t size) const {
        return {text_.get() + offset, size};
    }
    std::unique_ptr<char[]> text_;
    std::uint32_t pending_ = 0;
    std::uint16_t id_size_ = 0;
    std::uint16_t sender_size_ = 0;
    std::uint16_t listener_size_ = 0;
    std::uint16_t pool_size_ = 0;
    std::uint16_t auth_user_size_ = 0;
    std::uint16_t mail_params_size_ = 0;
};

using MessagePtr = std::shared_ptr<QueuedMessage>;

// Builds the queue's view of a message from its spooled envelope and progress.
[[nodiscard]] MessagePtr make_queued_message(const spool::Envelope& envelope,
                                             const std::vector<spool::RecipientProgress>& progress,
                                             std::string_view header_pool = {});

// The domain part of an address, lower-cased ("" when there is none).
[[nodiscard]] std::string recipient_domain(std::string_view address);

}  // namespace sluice::daemon::queue
