// The operations' replies, whole: status code and exact body for each result and refusal
// (sluicectl and operators' scripts parse these bodies).
#include "daemon/status/operation_reply.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace sluice::daemon::status {
namespace {

struct Case {
    std::string name;
    OperationReply got;
    unsigned status;
    std::string body;
};

void expect_replies(const std::vector<Case>& cases) {
    for (const auto& c : cases) {
        EXPECT_EQ(c.got.status, c.status)
            << c.name << ": got " << c.got.status << ", want " << c.status;
        EXPECT_EQ(c.got.body, c.body) << c.name << ": got " << c.got.body << ", want " << c.body;
    }
}

const OperationScope kNode{};
const OperationScope kIsp{"Gmail", "", false, false};
const OperationScope kQueue{"Gmail", "192.0.2.10", false, false};

// The bodies as the daemon wrote them before status/ built them: operators' scripts parse them.
TEST(OperationReply, ReloadAndRefusals) {
    expect_replies({
        {"reload ok", reload_reply({true, 3, ""}), 200, "{\"ok\":true,\"generation\":3}\n"},
        {"reload failed", reload_reply({false, 2, "sluice.conf:4: bad"}), 422,
         "{\"ok\":false,\"generation\":2,\"error\":\"sluice.conf:4: bad\"}\n"},
        {"unknown ISP", unknown_isp_reply("Nope"), 404, "{\"error\":\"unknown ISP Nope\"}\n"},
        {"not an operation", no_such_operation_reply(), 404, "{\"error\":\"no such operation\"}\n"},
    });
}

TEST(OperationReply, Holds) {
    const auto saved_error = std::make_error_code(std::errc::no_space_on_device);
    expect_replies({
        {"node hold", holds_reply(kNode, {{}, true, {}}), 200,
         "{\"ok\":true,\"isp\":null,\"source\":null,\"sending_paused\":true,\"holds\":[]}\n"},
        {"ISP hold", holds_reply(kIsp, {{}, false, {"Gmail", "Yahoo/192.0.2.1"}}), 200,
         "{\"ok\":true,\"isp\":\"Gmail\",\"source\":null,\"sending_paused\":false,"
         "\"holds\":[\"Gmail\",\"Yahoo/192.0.2.1\"]}\n"},
        {"queue release", holds_reply(kQueue, {{}, false, {}}), 200,
         "{\"ok\":true,\"isp\":\"Gmail\",\"source\":\"192.0.2.10\",\"sending_paused\":false,"
         "\"holds\":[]}\n"},
        {"not saved", holds_reply(kIsp, {saved_error, false, {"Gmail"}}), 500,
         "{\"error\":\"applied, but the holds file could not be saved: " + saved_error.message() +
             "\"}\n"},
    });
}

TEST(OperationReply, UnlockAndClear) {
    expect_replies({
        {"unlocked", unlock_reply(kIsp, true), 200,
         "{\"ok\":true,\"isp\":\"Gmail\",\"source\":null,\"unlocked\":true}\n"},
        {"nothing locked", unlock_reply(kNode, false), 200,
         "{\"ok\":true,\"isp\":null,\"source\":null,\"unlocked\":false}\n"},
        {"cleared", clear_reply(kQueue, {5, 2}), 200,
         "{\"ok\":true,\"isp\":\"Gmail\",\"source\":\"192.0.2.10\",\"cleared_recipients\":5,"
         "\"messages\":2}\n"},
    });
}

TEST(OperationReply, ClearOfEveryQueueNeedsAll) {
    struct ClearCase {
        OperationScope scope;
        bool refused;
    };
    const ClearCase cases[] = {
        {kNode, true},
        {{"", "", true, false}, false},
        {kIsp, false},
        {kQueue, false},
    };
    for (const auto& c : cases) {
        const auto got = refuse_clear(c.scope);
        EXPECT_EQ(got.has_value(), c.refused)
            << "isp \"" << c.scope.isp << "\" all " << c.scope.all << ": got refused "
            << got.has_value() << ", want " << c.refused;
        if (got) {
            EXPECT_EQ(got->status, 400u);
            EXPECT_EQ(got->body, "{\"error\":\"clearing every queue needs \\\"all\\\": true\"}\n");
        }
    }
}

}  // namespace
}  // namespace sluice::daemon::status
