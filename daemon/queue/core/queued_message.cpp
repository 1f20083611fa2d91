#include "daemon/queue/core/queued_message.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "policy/text/ascii.hpp"

namespace sluice::daemon::queue {

namespace {
std::uint16_t short_size(std::string_view text) {
    // SMTP limits (RFC 5321 §4.5.3.1) keep every part far below this; a spool file that
    // breaks them was not written by Sluice.
    if (text.size() > std::numeric_limits<std::uint16_t>::max()) {
        throw std::length_error("queued message field longer than 65535 bytes");
    }
    return static_cast<std::uint16_t>(text.size());
}
}  // namespace

QueuedMessage::QueuedMessage(const spool::Envelope& envelope,
                             const std::vector<spool::RecipientProgress>& progress,
                             std::string_view header_pool)
    : arrival_unix_us(envelope.arrival_unix_us),
      body_type(envelope.body_type),
      smtputf8(envelope.smtputf8),
      id_size_(short_size(envelope.queue_id)),
      sender_size_(short_size(envelope.sender)),
      listener_size_(short_size(envelope.listener)),
      pool_size_(short_size(header_pool)),
      auth_user_size_(short_size(envelope.auth_user)),
      mail_params_size_(short_size(envelope.mail_params)) {
    std::size_t size = envelope.queue_id.size() + envelope.sender.size() +
                       envelope.listener.size() + header_pool.size() + envelope.auth_user.size() +
                       envelope.mail_params.size();
    for (const auto& recipient : envelope.recipients) {
        size += recipient.address.size() + recipient.params.size();
    }
    if (size > std::numeric_limits<std::uint32_t>::max()) {
        throw std::length_error("queued message envelope larger than 4 GiB");
    }
    text_ = std::make_unique_for_overwrite<char[]>(std::max<std::size_t>(size, 1));
    std::size_t at = 0;
    auto put = [&](std::string_view part) {
        if (part.empty()) return;  // an empty view's data() may be null: no memcpy from it
        std::memcpy(text_.get() + at, part.data(), part.size());
        at += part.size();
    };
    put(envelope.queue_id);
    put(envelope.sender);
    put(envelope.listener);
    put(header_pool);
    put(envelope.auth_user);
    put(envelope.mail_params);
    recipients.reserve(envelope.recipients.size());
    for (std::size_t i = 0; i < envelope.recipients.size(); ++i) {
        const auto& source = envelope.recipients[i];
        QueuedRecipient recipient;
        recipient.text_offset = static_cast<std::uint32_t>(at);
        recipient.address_size = short_size(source.address);
        recipient.params_size = short_size(source.params);
        put(source.address);
        put(source.params);
        if (i < progress.size()) {
            recipient.state = progress[i].state;
            recipient.attempts = progress[i].attempts;
            recipient.next_attempt_unix = progress[i].next_attempt_unix;
            recipient.delay_warned = progress[i].delay_warned;
        }
        if (recipient.state == spool::RecipientState::pending) ++pending_;
        recipients.push_back(recipient);
    }
}

void QueuedMessage::set_state(std::uint32_t index, spool::RecipientState state) {
    auto& recipient = recipients[index];
    const bool was_pending = recipient.state == spool::RecipientState::pending;
    const bool is_pending = state == spool::RecipientState::pending;
    recipient.state = state;
    if (was_pending && !is_pending) --pending_;
    if (!was_pending && is_pending) ++pending_;
}

MessagePtr make_queued_message(const spool::Envelope& envelope,
                               const std::vector<spool::RecipientProgress>& progress,
                               std::string_view header_pool) {
    return std::make_shared<QueuedMessage>(envelope, progress, header_pool);
}

std::string recipient_domain(std::string_view address) {
    const auto at = address.rfind('@');
    if (at == std::string_view::npos) return {};
    return policy::text::to_lower(address.substr(at + 1));
}

}  // namespace sluice::daemon::queue
