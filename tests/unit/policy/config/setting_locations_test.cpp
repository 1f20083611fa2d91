// Tests for SettingLocations (nearest recorded parent), SourceFiles::resolve and path helpers.
#include "policy/config/setting_locations.hpp"

#include <gtest/gtest.h>

namespace sluice::policy::config {
namespace {

TEST(SourceFiles, Resolve) {
    struct Case {
        SourceFiles files;
        const char* reported;
        std::string want;
    } cases[] = {
        {{"conf/a.conf", "conf"}, nullptr, "conf/a.conf"},
        {{"conf/a.conf", "conf"}, "conf/a.conf", "conf/a.conf"},
        {{"conf/a.conf", "conf"}, "inc/b.conf", "conf/inc/b.conf"},
        {{"/a.conf", "/"}, "b.conf", "/b.conf"},
        {{"a.conf", ""}, "b.conf", "b.conf"},
        {{"conf/a.conf", "conf"}, "/abs/b.conf", "/abs/b.conf"},
    };
    for (const auto& c : cases) {
        std::string got = c.files.resolve(c.reported);
        EXPECT_EQ(got, c.want) << "resolve(" << (c.reported ? c.reported : "null") << "): got "
                               << got << ", want " << c.want;
    }
}

TEST(SettingLocations, ErrorUsesNearestRecordedParent) {
    SettingLocations where({"main.conf", "."});
    where.record("smtp", nullptr, 3);
    where.record("smtp.listen.[0]", "inc.conf", 10);
    struct Case {
        std::string path;
        std::string want;
    } cases[] = {
        {"smtp", "main.conf:3: smtp: m"},
        {"smtp.listen.[0]", "./inc.conf:10: smtp.listen.[0]: m"},
        {"smtp.listen.[0].port", "./inc.conf:10: smtp.listen.[0].port: m"},
        {"smtp.listen.[1].port", "main.conf:3: smtp.listen.[1].port: m"},
        {"spool.directory", "main.conf: spool.directory: m"},
        {"", "main.conf: m"},
    };
    for (const auto& c : cases) {
        std::string got = where.error(c.path, "m").to_string();
        EXPECT_EQ(got, c.want) << "got " << got << ", want " << c.want;
    }
}

TEST(SettingPaths, JoinAndElement) {
    EXPECT_EQ(join_path("", "hostname"), "hostname");
    EXPECT_EQ(join_path("smtp", "listen"), "smtp.listen");
    EXPECT_EQ(element_path("smtp.listen", 2), "smtp.listen.[2]");
    EXPECT_EQ(join_path(element_path("smtp.listen", 0), "port"), "smtp.listen.[0].port");
}

}  // namespace
}  // namespace sluice::policy::config
