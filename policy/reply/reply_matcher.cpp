// ReplyMatcher (see reply_matcher.hpp). A regex that blows Boost's complexity limit on some
// reply text is treated as not matching that reply: a hostile or odd reply must not stop the
// judgement of the others.
#include "policy/reply/reply_matcher.hpp"

#include <stdexcept>

namespace sluice::policy::reply {
namespace {

// "5.1" is a prefix of "5.1.1" and of "5.1", not of "5.10.1".
bool has_component_prefix(const std::string& enhanced, const std::string& prefix) {
    if (!enhanced.starts_with(prefix)) {
        return false;
    }
    return enhanced.size() == prefix.size() || enhanced[prefix.size()] == '.';
}

}  // namespace

std::optional<ReplyMatcher> ReplyMatcher::compile(const config::ReplyMatch& match,
                                                  std::string& error) {
    ReplyMatcher matcher;
    matcher.code_ = match.code;
    matcher.enhanced_ = match.enhanced;
    if (!match.text.empty()) {
        try {
            matcher.text_.emplace(match.text, boost::regex::perl | boost::regex::icase);
        } catch (const boost::regex_error& e) {
            error = e.what();
            return std::nullopt;
        }
    }
    return matcher;
}

bool ReplyMatcher::matches(const ReplyFacts& reply) const {
    if (!code_.empty() && !std::to_string(reply.code).starts_with(code_)) {
        return false;
    }
    if (!enhanced_.empty() && !has_component_prefix(reply.enhanced, enhanced_)) {
        return false;
    }
    if (!text_) {
        return true;
    }
    try {
        return boost::regex_search(reply.text, *text_);
    } catch (const std::runtime_error&) {
        return false;  // the match grew too complex for this text
    }
}

}  // namespace sluice::policy::reply
