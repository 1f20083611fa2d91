#include "daemon/queue/queued_message.hpp"

#include <algorithm>
#include <cctype>

namespace sluice::daemon::queue {

MessagePtr make_queued_message(const spool::Envelope& envelope,
                               const std::vector<spool::RecipientProgress>& progress,
                               std::string header_pool) {
    auto message = std::make_shared<QueuedMessage>();
    message->queue_id = envelope.queue_id;
    message->arrival_unix_us = envelope.arrival_unix_us;
    message->sender = envelope.sender;
    message->listener = envelope.listener;
    message->header_pool = std::move(header_pool);
    message->body_type = envelope.body_type;
    message->smtputf8 = envelope.smtputf8;
    message->recipients.reserve(envelope.recipients.size());
    for (std::size_t i = 0; i < envelope.recipients.size(); ++i) {
        QueuedRecipient recipient{envelope.recipients[i].address, envelope.recipients[i].params};
        if (i < progress.size()) {
            recipient.state = progress[i].state;
            recipient.attempts = progress[i].attempts;
            recipient.next_attempt_unix = progress[i].next_attempt_unix;
        }
        if (recipient.state == spool::RecipientState::pending) ++message->pending;
        message->recipients.push_back(std::move(recipient));
    }
    return message;
}

std::string recipient_domain(const std::string& address) {
    const auto at = address.rfind('@');
    if (at == std::string::npos) return {};
    std::string domain = address.substr(at + 1);
    std::transform(domain.begin(), domain.end(), domain.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return domain;
}

}  // namespace sluice::daemon::queue
