#include "daemon/mta_sts/policy_store.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

namespace sluice::daemon::mta_sts {
namespace {

const StoredPolicy kPolicy{"a.test", "20260101", 1700000000,
                           "version: STSv1\r\nmode: enforce\r\nmx: mx.a.test\r\nmax_age: 60\r\n"};

TEST(PolicyStore, FormatsAndParsesBack) {
    const auto parsed = parse_stored_policy("a.test", format_stored_policy(kPolicy));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->id, kPolicy.id);
    EXPECT_EQ(parsed->fetched_at, kPolicy.fetched_at);
    EXPECT_EQ(parsed->text, kPolicy.text);
}

TEST(PolicyStore, RejectsDamagedFiles) {
    const std::string whole = format_stored_policy(kPolicy);
    for (const auto* text : {"", "id x\n", "id x\nfetched_at 12x\n\nbody", "fetched_at 1\n\n",
                             "id x\nfetched_at 1\nnot blank\n"}) {
        EXPECT_FALSE(parse_stored_policy("a.test", text)) << text;
    }
    // Cut before the blank line: never a policy.
    for (std::size_t cut = 0; cut < whole.find("\n\n") + 2; ++cut) {
        EXPECT_FALSE(parse_stored_policy("a.test", whole.substr(0, cut))) << "cut at " << cut;
    }
}

TEST(PolicyStore, SavesLoadsAndRemovesInADirectory) {
    char pattern[] = "/tmp/sluice-mta-sts-store-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    const std::filesystem::path root = pattern;
    const auto directory = root / "mta-sts";  // created by the first save
    EXPECT_TRUE(load_stored_policies(directory, 10).empty());
    ASSERT_FALSE(save_stored_policy(directory, kPolicy));
    StoredPolicy other = kPolicy;
    other.domain = "b.test";
    ASSERT_FALSE(save_stored_policy(directory, other));
    ASSERT_FALSE(save_stored_policy(directory, other));  // replaced, not duplicated
    EXPECT_EQ(load_stored_policies(directory, 10).size(), 2u);
    EXPECT_EQ(load_stored_policies(directory, 1).size(), 1u) << "bounded by max_count";
    ASSERT_FALSE(remove_stored_policy(directory, "a.test"));
    ASSERT_FALSE(remove_stored_policy(directory, "a.test")) << "already gone is fine";
    const auto left = load_stored_policies(directory, 10);
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(left[0].domain, "b.test");
    // A name that is not a host name never names a file (it could leave the directory).
    for (const char* bad : {"../escape.test", "a/b.test", "[192.0.2.1]", ".", ""}) {
        StoredPolicy hostile = kPolicy;
        hostile.domain = bad;
        EXPECT_TRUE(save_stored_policy(directory, hostile)) << bad;
        EXPECT_TRUE(remove_stored_policy(directory, bad)) << bad;
    }
    EXPECT_FALSE(std::filesystem::exists(root / "escape.test"));
    EXPECT_EQ(load_stored_policies(directory, 10).size(), 1u);
    std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace sluice::daemon::mta_sts
