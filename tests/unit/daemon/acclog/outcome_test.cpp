// The outcome words are an interface: operators parse them from the accounting log, and
// sluiced(8) lists them. These tests pin the words and keep the man page's list equal to the
// enum's.
#include "daemon/acclog/outcome.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace sluice::daemon::acclog {
namespace {

// The repository root: SLUICE_SOURCE_DIR (ctest sets it), else from this file's path.
std::string source_dir() {
    if (const char* dir = std::getenv("SLUICE_SOURCE_DIR"); dir && *dir) return dir;
    const std::string here = __FILE__;
    return here.substr(0, here.rfind("/tests/unit/daemon/acclog/"));
}

std::string joined(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& word : words) out += (out.empty() ? "" : ", ") + word;
    return out;
}

// The words in parentheses after the "outcome" field in the ACCOUNTING LOG section of
// sluiced(8), with roff's "\-" as "-". Empty if the section or the list is not found.
std::vector<std::string> outcomes_in_man_page(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    bool in_section = false;
    bool after_field = false;
    std::string list;
    while (std::getline(in, line)) {
        if (line.starts_with(".SH")) in_section = line == ".SH ACCOUNTING LOG";
        if (!in_section) continue;
        if (!after_field) {
            after_field = line.starts_with(".BR") && line.ends_with("\" outcome");
            continue;
        }
        list += line + " ";
        if (line.find(')') != std::string::npos) break;
    }
    const auto open = list.find('(');
    const auto close = list.find(')');
    if (open == std::string::npos || close == std::string::npos || close < open) return {};
    list = list.substr(open + 1, close - open - 1);
    for (std::size_t at; (at = list.find("\\-")) != std::string::npos;) list.replace(at, 2, "-");
    std::vector<std::string> words;
    std::istringstream items(list);
    for (std::string item; std::getline(items, item, ',');) {
        const auto first = item.find_first_not_of(' ');
        const auto last = item.find_last_not_of(' ');
        if (first != std::string::npos) words.push_back(item.substr(first, last - first + 1));
    }
    return words;
}

TEST(Outcome, WordsAsWrittenToTheLog) {
    struct Case {
        Outcome outcome;
        std::string_view want;
    };
    const Case cases[] = {
        {Outcome::delivered, "delivered"},
        {Outcome::possibly_delivered, "possibly-delivered"},
        {Outcome::accepted_by_rule, "accepted-by-rule"},
        {Outcome::deferred, "deferred"},
        {Outcome::bounced, "bounced"},
        {Outcome::expired, "expired"},
        {Outcome::admin_cleared, "admin-cleared"},
    };
    ASSERT_EQ(std::size(cases), kOutcomes.size()) << "a new outcome needs its case here";
    for (const auto& c : cases) {
        EXPECT_EQ(to_string(c.outcome), c.want)
            << "got " << to_string(c.outcome) << ", want " << c.want;
    }
}

// kOutcomes is what the documentation is checked against: it must hold every enumerator.
TEST(Outcome, ListHoldsEveryEnumerator) {
    for (int value = 0; value < 64; ++value) {
        const auto outcome = static_cast<Outcome>(value);
        const bool named = !to_string(outcome).empty();
        const bool listed =
            std::find(kOutcomes.begin(), kOutcomes.end(), outcome) != kOutcomes.end();
        EXPECT_EQ(listed, named) << "value " << value << " (" << to_string(outcome)
                                 << "): got listed " << listed << ", want " << named;
    }
}

TEST(Outcome, ManPageListsEveryOutcome) {
    const std::string page = source_dir() + "/man/sluiced.8";
    const auto got = outcomes_in_man_page(page);
    std::vector<std::string> want;
    for (const auto outcome : kOutcomes) want.emplace_back(to_string(outcome));
    EXPECT_EQ(got, want) << page << ", ACCOUNTING LOG, the list after \"outcome\": got ("
                         << joined(got) << "), want (" << joined(want) << ")";
}

}  // namespace
}  // namespace sluice::daemon::acclog
