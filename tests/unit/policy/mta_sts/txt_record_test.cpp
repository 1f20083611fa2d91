#include "policy/mta_sts/txt_record.hpp"

#include <gtest/gtest.h>

namespace sluice::policy::mta_sts {
namespace {

std::string id_of(const std::vector<std::string>& records) {
    auto result = parse_txt_records(records);
    auto* id = std::get_if<std::string>(&result);
    return id ? *id : "(no id)";
}

TEST(TxtRecord, ReadsTheId) {
    EXPECT_EQ(id_of({"v=STSv1; id=20160831085700Z;"}), "20160831085700Z");
    EXPECT_EQ(id_of({"v=STSv1;id=abc"}), "abc");
    EXPECT_EQ(id_of({"v=spf1 -all", "v=STSv1; ext=1; id=X1 ;"}), "X1");
}

TEST(TxtRecord, NoStsRecordAmongOthers) {
    for (const auto& records : std::vector<std::vector<std::string>>{
             {}, {"v=spf1 -all"}, {"v=STSv10; id=1"}, {" v=STSv1; id=1"}}) {
        EXPECT_TRUE(std::holds_alternative<NoStsRecord>(parse_txt_records(records)))
            << (records.empty() ? "(none)" : records[0]);
    }
}

TEST(TxtRecord, RejectsBadIdsAndDuplicates) {
    for (const auto& records :
         std::vector<std::vector<std::string>>{{"v=STSv1;"},
                                               {"v=STSv1; id="},
                                               {"v=STSv1; id=has-dash"},
                                               {"v=STSv1; id=123456789012345678901234567890123"},
                                               {"v=STSv1; id=1", "v=STSv1; id=2"}}) {
        EXPECT_TRUE(std::holds_alternative<TxtError>(parse_txt_records(records))) << records[0];
    }
}

}  // namespace
}  // namespace sluice::policy::mta_sts
