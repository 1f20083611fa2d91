// AccountingRecord: one line of the accounting log, written for every delivery attempt
// ("attempt") and for every recipient's final outcome ("final"). Plain data filled by the
// queue manager and the delivery client; formatting is record_format's, writing AccountingLog's.
#pragma once

#include <cstdint>
#include <string>

#include "daemon/acclog/outcome.hpp"

namespace sluice::daemon::acclog {

struct AccountingRecord {
    std::int64_t time_unix_us = 0;
    std::string type;  // "attempt" | "final"
    std::string queue_id;
    std::string message_id;  // the Message-ID: header, as written
    std::string sender;      // "" = the null sender
    std::string recipient;
    std::string queue;  // the destination queue, "ISP/source"
    std::string source_ip;
    std::string mx_host;
    std::string mx_ip;
    std::string reply;                    // the remote reply, or our own reason
    std::string enhanced_code;            // "5.1.1"
    Outcome outcome = Outcome::deferred;  // every record sets it; the words: outcome.hpp
    std::uint32_t attempt = 0;
    std::int64_t duration_ms = 0;
    std::string dsn_queue_id;  // the DSN spooled for a bounce, if any
    // How the sending policy classified the reply (bounce patterns): class, category and the
    // matching pattern's name; empty when no reply was judged.
    std::string bounce_class;     // success | hard | soft | ignore | unknown
    std::string bounce_category;  // bad-mailbox, quota, spam-block, rate-limit, ...
    std::string bounce_pattern;
    std::string auth_user;  // who submitted the message with SMTP AUTH; "" = nobody
    std::string tls;        // "TLSv1.3 with cipher ... (256 bits)"; "" = in clear or no connection
};

}  // namespace sluice::daemon::acclog
