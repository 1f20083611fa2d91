#include "daemon/delivery/send_rules.hpp"

#include <algorithm>
#include <string>

namespace sluice::daemon::delivery {

namespace {

RecipientResult refusal(int code, std::string enhanced, std::string text) {
    return {RecipientOutcome::bounced, smtp::Reply(code, std::move(enhanced), std::move(text)),
            true};
}

}  // namespace

std::optional<RecipientResult> refusal_before_sending(const OutboundMessage& message,
                                                      const ServerExtensions& extensions,
                                                      std::string_view mx_host) {
    const std::string host(mx_host);
    if (!is_sendable_address(message.sender)) {
        return refusal(553, "5.1.7", "Invalid sender address");
    }
    if (message.smtputf8 && !extensions.supports("SMTPUTF8")) {
        return refusal(550, "5.6.7", "SMTPUTF8 is required but not offered by " + host);
    }
    const auto limit = extensions.supports("SIZE") ? extensions.size_limit() : std::nullopt;
    if (limit && declared_size(message) > *limit) {
        return refusal(552, "5.3.4",
                       "Message size " + std::to_string(declared_size(message)) +
                           " exceeds the fixed maximum message size " + std::to_string(*limit) +
                           " of " + host);
    }
    if (message.eight_bit && !extensions.supports("8BITMIME")) {
        return refusal(554, "5.6.3",
                       "8-bit content, but " + host +
                           " does not offer 8BITMIME and Sluice does not convert to 7-bit");
    }
    return std::nullopt;
}

std::uint64_t declared_size(const OutboundMessage& message) {
    const bool ends_in_crlf = message.content.ends_with("\r\n");
    return message.content.size() + (ends_in_crlf ? 0 : 2);
}

bool is_sendable_address(std::string_view address) {
    return std::none_of(address.begin(), address.end(),
                        [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

bool is_too_many_recipients(const smtp::Reply& reply) {
    if (reply.code == 452) return reply.enhanced.empty() || reply.enhanced == "4.5.3";
    return reply.code == 552 && reply.enhanced == "5.5.3";
}

smtp::Reply deferral_for_refused_session(const smtp::Reply& refusal, std::string_view mx_host,
                                         std::string_view mx_ip) {
    std::string enhanced = "4.3.2";
    if (!refusal.enhanced.empty()) enhanced = "4" + refusal.enhanced.substr(1);
    std::string words = std::to_string(refusal.code);
    if (!refusal.enhanced.empty()) words += " " + refusal.enhanced;
    for (const auto& line : refusal.lines) {
        if (!line.empty()) words += " " + line;
    }
    return smtp::Reply(
        421, std::move(enhanced),
        std::string(mx_host) + " [" + std::string(mx_ip) + "] refused the session: " + words);
}

}  // namespace sluice::daemon::delivery
