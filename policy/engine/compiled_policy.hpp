// The sending policy of one loaded Config, ready for use: names resolved to objects, regexes
// compiled, the implicit "default" pool/strategy/retry rule synthesized from the delivery
// section, ISP lookup and reply judgement. Immutable; built at load and on each reload and
// shared as std::shared_ptr<const CompiledPolicy> next to the Config it came from.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policy/config/model.hpp"
#include "policy/config/strategy_shaping.hpp"
#include "policy/isp/isp_directory.hpp"
#include "policy/reply/reply_facts.hpp"
#include "policy/reply/reply_matcher.hpp"
#include "policy/warmup/day_clock.hpp"
#include "policy/warmup/warmup_plan.hpp"

namespace sluice::policy::engine {

inline constexpr std::string_view kDefaultIsp = "default";

struct CompiledLockRule {
    const config::LockRule* rule;
    reply::ReplyMatcher matcher;
};

struct CompiledBouncePattern {
    const config::BouncePattern* pattern;
    reply::ReplyMatcher matcher;
};

// An ISP (or the default rules) with every reference resolved.
struct ResolvedIsp {
    std::string name;                  // "default" for unmatched domains
    const config::Strategy* strategy;  // never null
    const config::RetryRule* retry;    // never null
    const config::Pool* pool;          // null: the message's own pool
    std::vector<CompiledLockRule> locks;
    std::vector<CompiledBouncePattern> bounce_patterns;  // the ISP's, then the global ones
    std::optional<config::DeliveryTls> tls;              // none: delivery.tls
    config::HeaderPolicy headers;                        // the ISP's own header changes
};

// A source in warm-up: its schedule and the clock its days turn by.
struct SourceWarmup {
    const config::Source* source;
    const config::Pool* pool;
    const config::WarmupSchedule* schedule;
    warmup::DayClock clock;
};

enum class Action { delivered, retry, bounce };

struct Verdict {
    Action action = Action::retry;
    const config::BouncePattern* pattern = nullptr;  // null: judged by the reply code alone
    std::string bounce_class;                        // "hard", "soft", "ignore" or "success"
    std::string category;                            // the pattern's, else "other" (or "" for 2xx)
    const config::LockRule* lock = nullptr;          // never set for synthetic replies
};

class CompiledPolicy {
  public:
    // Throws std::invalid_argument on a reference or regex that validation should have caught.
    static std::shared_ptr<const CompiledPolicy> build(const config::Config& config);

    [[nodiscard]] const ResolvedIsp* isp_by_domain(std::string_view domain) const;
    [[nodiscard]] const ResolvedIsp* isp_by_mx(std::span<const std::string> mx_hosts) const;
    [[nodiscard]] const ResolvedIsp& default_isp() const { return *default_isp_; }
    [[nodiscard]] const ResolvedIsp* isp_named(std::string_view name) const;  // incl. "default"
    [[nodiscard]] bool uses_mx() const { return directory_.uses_mx(); }
    [[nodiscard]] const std::vector<std::unique_ptr<ResolvedIsp>>& isps() const { return isps_; }

    // The pool of a message: the control header's pool if it names one, else the first pool
    // listing the sender's domain, else the first listing the listener, else defaults.pool.
    [[nodiscard]] const config::Pool& pool_for(std::string_view header_pool,
                                               std::string_view sender_domain,
                                               std::string_view listener) const;
    [[nodiscard]] const config::Pool* pool_named(std::string_view name) const;
    [[nodiscard]] const std::string& pool_header() const;

    // The strategy the queues of `isp` from `source` run under: the ISP's, shaped by the
    // source's pool and the source (strategy_shaping.hpp). Stable while this policy lives.
    [[nodiscard]] const config::Strategy& strategy_for(const ResolvedIsp& isp,
                                                       std::string_view source) const;
    // The (ISP, source) pairs some shaping entry applies to.
    [[nodiscard]] std::set<std::pair<std::string, std::string>> shaped_pairs() const;
    // How that strategy was shaped, in order (empty: the ISP's as it is).
    [[nodiscard]] const std::vector<std::string>& shaping_of(const ResolvedIsp& isp,
                                                             std::string_view source) const;

    // The warm-up of a source that names a schedule (null: none, the source is warm).
    [[nodiscard]] const SourceWarmup* warmup_of(std::string_view source) const;
    // Every source in warm-up, by name.
    [[nodiscard]] const std::map<std::string, SourceWarmup, std::less<>>& warmups() const {
        return warmups_;
    }
    // Whether `source` is warm at `now_unix`: no schedule, or past its warm_from_day.
    [[nodiscard]] bool is_warm(std::string_view source, std::int64_t now_unix) const;

    // What to do with a reply for one recipient: 2xx delivered; else the first matching bounce
    // pattern decides (hard: bounce, soft: retry, ignore: delivered); none matches: 5xx bounce,
    // 4xx retry. The first matching lock rule of the ISP is reported (not for synthetic replies).
    [[nodiscard]] Verdict judge(const ResolvedIsp& isp, const reply::ReplyFacts& reply) const;

  private:
    CompiledPolicy() = default;
    void shape_strategies();
    void resolve_warmups();
    config::PolicySettings settings_;  // own copy (with the synthesized defaults)
    isp::IspDirectory directory_{{}};
    std::vector<std::unique_ptr<ResolvedIsp>> isps_;  // file order; the default is last
    const ResolvedIsp* default_isp_ = nullptr;
    const config::Pool* default_pool_ = nullptr;
    // (ISP, source) -> its shaped strategy, for the pairs some shaping entry applies to.
    std::map<std::pair<std::string, std::string>, config::ShapedStrategy> shaped_;
    std::map<std::string, SourceWarmup, std::less<>> warmups_;  // by source name
};

}  // namespace sluice::policy::engine
