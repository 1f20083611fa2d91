// Sample spool messages for the spool tests, and a readable description for "got …, want …".
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string>

#include "daemon/spool/spooled_message.hpp"

namespace sluice::daemon::spool::testing {

inline SpooledMessage sample_message(std::string queue_id, std::size_t recipients = 2,
                                     std::string content = "Subject: hi\r\n\r\nhello\r\n") {
    SpooledMessage message;
    Envelope& e = message.envelope;
    e.queue_id = std::move(queue_id);
    e.arrival_unix_us = 1'700'000'000'123'456;
    e.client_address = "192.0.2.7";
    e.client_name = "app.example.com";
    e.helo = "app.example.com";
    e.protocol = "ESMTP";
    e.listener = "main";
    e.sender = "bounces@example.com";
    e.mail_params = "SIZE=123 BODY=8BITMIME";
    e.body_type = BodyType::eight_bit_mime;
    for (std::size_t i = 0; i < recipients; ++i) {
        e.recipients.push_back({fmt::format("user{}@example.net", i), i % 2 ? "NOTIFY=NEVER" : ""});
    }
    message.content = std::move(content);
    return message;
}

// The progress decode() reports for `message`: one entry per recipient, records applied.
inline std::vector<RecipientProgress> expected_progress(const SpooledMessage& message) {
    std::vector<RecipientProgress> progress(message.envelope.recipients.size());
    for (std::uint32_t i = 0; i < progress.size(); ++i) progress[i].recipient_index = i;
    for (const RecipientProgress& p : message.progress) progress[p.recipient_index] = p;
    return progress;
}

inline std::string describe(const SpooledMessage& m) {
    const Envelope& e = m.envelope;
    std::string text = fmt::format(
        "id={} arrival={} client={}/{} helo={} proto={} listener={} sender=<{}> params={} "
        "body={} utf8={} auth={} content={} bytes, hash {}",
        e.queue_id, e.arrival_unix_us, e.client_address, e.client_name, e.helo, e.protocol,
        e.listener, e.sender, e.mail_params, static_cast<int>(e.body_type), e.smtputf8, e.auth_user,
        m.content.size(), std::hash<std::string>{}(m.content));
    for (const Recipient& r : e.recipients)
        text += fmt::format(" rcpt=<{}>{}", r.address, r.params);
    for (const RecipientProgress& p : m.progress) {
        text += fmt::format(" [{}:{}/{}/{}]", p.recipient_index, static_cast<int>(p.state),
                            p.attempts, p.next_attempt_unix);
    }
    return text;
}

}  // namespace sluice::daemon::spool::testing
