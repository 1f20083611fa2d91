// A remote server's reply as policy sees it: code, enhanced code and text, and whether Sluice
// made it up itself (connection refused, timeout, DNS failure). Synthetic replies are classified
// like real ones but never trigger a lock rule: a lock is a provider's signal, not ours.
#pragma once

#include <string>

namespace sluice::policy::reply {

struct ReplyFacts {
    int code = 0;          // 3 digits
    std::string enhanced;  // "4.7.0" or empty
    std::string text;      // all lines joined by a space, without codes
    bool synthetic = false;
};

}  // namespace sluice::policy::reply
