// A ReplyMatch (config) compiled once: code prefix, enhanced-code prefix by whole components
// ("5.1" matches "5.1.1", not "5.10.1") and a case-insensitive regex searched in the text
// (Boost.Regex, Perl syntax). Shared by bounce patterns and lock rules.
#pragma once

#include <boost/regex.hpp>
#include <optional>
#include <string>

#include "policy/config/policy_model.hpp"
#include "policy/reply/reply_facts.hpp"

namespace sluice::policy::reply {

class ReplyMatcher {
  public:
    // nullopt and `error` set when the regex does not compile (validation reports it).
    static std::optional<ReplyMatcher> compile(const config::ReplyMatch& match, std::string& error);

    [[nodiscard]] bool matches(const ReplyFacts& reply) const;

  private:
    std::string code_;
    std::string enhanced_;
    std::optional<boost::regex> text_;
};

}  // namespace sluice::policy::reply
