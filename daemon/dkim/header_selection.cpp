// select_headers (see header_selection.hpp).
#include "daemon/dkim/header_selection.hpp"

#include "policy/text/ascii.hpp"

namespace sluice::daemon::dkim {

HeaderSelection select_headers(const std::vector<HeaderField>& fields) {
    HeaderSelection selection;
    for (std::string_view name : kSignedHeaders) {
        // Bottom-up: the last instance is hashed first.
        for (auto it = fields.rbegin(); it != fields.rend(); ++it) {
            if (policy::text::iequals(it->name, name)) {
                selection.names.push_back(name);
                selection.fields.push_back(it->text);
            }
        }
        selection.names.push_back(name);  // over-signed: one more than present
    }
    return selection;
}

}  // namespace sluice::daemon::dkim
