#include "policy/engine/policy_changes.hpp"

#include <set>
#include <utility>
#include <vector>

namespace sluice::policy::engine {

namespace {
bool same_rate(const std::optional<config::Rate>& a, const std::optional<config::Rate>& b) {
    return a.has_value() == b.has_value() && (!a || *a == *b);
}
}  // namespace

bool same_limits(const config::Strategy& a, const config::Strategy& b) {
    const bool same_adaptive =
        a.adaptive.has_value() == b.adaptive.has_value() &&
        (!a.adaptive || (a.adaptive->min_rate == b.adaptive->min_rate &&
                         a.adaptive->step_up == b.adaptive->step_up &&
                         a.adaptive->step_down == b.adaptive->step_down &&
                         a.adaptive->success_streak == b.adaptive->success_streak));
    return a.max_connections == b.max_connections &&
           a.messages_per_connection == b.messages_per_connection &&
           same_rate(a.message_rate, b.message_rate) &&
           same_rate(a.isp_message_rate, b.isp_message_rate) &&
           same_rate(a.connect_rate, b.connect_rate) && same_adaptive;
}

namespace {

bool same_strategy(const config::Strategy& a, const config::Strategy& b) {
    return a.name == b.name && same_limits(a, b);
}

// "source new1 for Gmail" for each (ISP, source) whose shaped strategy differs, among the pairs
// either policy shapes and both policies know the ISP of.
std::vector<std::string> reshaped(const CompiledPolicy& before, const CompiledPolicy& after) {
    std::set<std::pair<std::string, std::string>> pairs = before.shaped_pairs();
    const auto more = after.shaped_pairs();
    pairs.insert(more.begin(), more.end());
    std::vector<std::string> out;
    for (const auto& [isp, source] : pairs) {
        const auto* old_isp = before.isp_named(isp);
        const auto* new_isp = after.isp_named(isp);
        if (!old_isp || !new_isp) continue;
        if (!same_strategy(before.strategy_for(*old_isp, source),
                           after.strategy_for(*new_isp, source))) {
            out.push_back("source " + source + " for " + isp);
        }
    }
    return out;
}

bool same_retry(const config::RetryRule& a, const config::RetryRule& b) {
    return a.name == b.name && a.kind == b.kind && a.interval == b.interval &&
           a.factor == b.factor && a.min_interval == b.min_interval &&
           a.max_interval == b.max_interval && a.max_attempts == b.max_attempts &&
           a.expire_after == b.expire_after && a.intervals == b.intervals;
}

std::vector<std::string> lock_names(const ResolvedIsp& isp) {
    std::vector<std::string> names;
    for (const auto& lock : isp.locks) {
        names.push_back(lock.rule->name + "/" + lock.rule->match.code + "/" +
                        lock.rule->match.enhanced + "/" + lock.rule->match.text + "/" +
                        std::to_string(lock.rule->lock_for.count()));
    }
    return names;
}

std::vector<std::string> pattern_keys(const ResolvedIsp& isp) {
    std::vector<std::string> keys;
    for (const auto& bounce : isp.bounce_patterns) {
        const auto& p = *bounce.pattern;
        keys.push_back(p.name + "/" + p.match.code + "/" + p.match.enhanced + "/" + p.match.text +
                       "/" + std::to_string(static_cast<int>(p.bounce_class)) + "/" + p.category);
    }
    return keys;
}

// Sources whose warm-up began, ended or changed (schedule or start date).
std::vector<std::string> rewarmed(const CompiledPolicy& before, const CompiledPolicy& after) {
    std::set<std::string> sources;
    for (const auto& [name, warming] : before.warmups()) sources.insert(name);
    for (const auto& [name, warming] : after.warmups()) sources.insert(name);
    std::vector<std::string> changed;
    for (const auto& name : sources) {
        const auto* old = before.warmup_of(name);
        const auto* now = after.warmup_of(name);
        const bool same = old && now && *old->schedule == *now->schedule &&
                          old->source->warmup_start == now->source->warmup_start;
        if (!same) changed.push_back("source " + name);
    }
    return changed;
}

void append_list(std::string& out, const char* label, const std::vector<std::string>& items) {
    if (items.empty()) return;
    if (!out.empty()) out += "; ";
    out += label;
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : " ") + items[i];
}
}  // namespace

std::string describe_changes(const CompiledPolicy& before, const CompiledPolicy& after) {
    std::vector<std::string> added;
    std::vector<std::string> removed;
    std::vector<std::string> changed;
    for (const auto& isp : after.isps()) {
        const auto* old = before.isp_named(isp->name);
        if (!old) {
            added.push_back(isp->name);
            continue;
        }
        std::vector<std::string> what;
        if (!same_strategy(*old->strategy, *isp->strategy)) what.push_back("strategy");
        if (!same_retry(*old->retry, *isp->retry)) what.push_back("retry");
        const std::string old_pool = old->pool ? old->pool->name : "";
        const std::string new_pool = isp->pool ? isp->pool->name : "";
        if (old_pool != new_pool) what.push_back("pool");
        if (lock_names(*old) != lock_names(*isp)) what.push_back("locks");
        if (pattern_keys(*old) != pattern_keys(*isp)) what.push_back("bounce patterns");
        if (!what.empty()) {
            std::string entry = isp->name + " (";
            for (std::size_t i = 0; i < what.size(); ++i) entry += (i ? ", " : "") + what[i];
            changed.push_back(entry + ")");
        }
    }
    for (const auto& isp : before.isps()) {
        if (!after.isp_named(isp->name)) removed.push_back(isp->name);
    }
    std::string out;
    append_list(out, "ISPs added:", added);
    append_list(out, "ISPs removed:", removed);
    append_list(out, "changed:", changed);
    append_list(out, "shaping changed:", reshaped(before, after));
    append_list(out, "warm-up changed:", rewarmed(before, after));
    return out.empty() ? "no change to ISP rules" : out;
}

}  // namespace sluice::policy::engine
