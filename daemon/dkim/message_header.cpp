// split_message (see message_header.hpp).
#include "daemon/dkim/message_header.hpp"

namespace sluice::daemon::dkim {

MessageParts split_message(std::string_view content) {
    MessageParts parts;
    policy::message::HeaderWalker walker(content, policy::message::LineBreaks::crlf_cr_lf);
    while (auto field = walker.next()) parts.fields.push_back(*field);
    if (walker.header_end() < content.size()) parts.body = content.substr(walker.body_begin());
    return parts;
}

}  // namespace sluice::daemon::dkim
