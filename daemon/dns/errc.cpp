#include "daemon/dns/errc.hpp"

#include <ares.h>

#include <string>

namespace sluice::daemon::dns {

namespace {
class DnsCategory final : public std::error_category {
  public:
    const char* name() const noexcept override { return "sluice.dns"; }
    std::string message(int value) const override {
        switch (static_cast<errc>(value)) {
            case errc::nxdomain:
                return "domain not found";
            case errc::no_data:
                return "no record of the requested type";
            case errc::server_failure:
                return "no usable answer from the DNS servers";
            case errc::timeout:
                return "timeout";
            case errc::refused:
                return "query refused";
            case errc::malformed:
                return "malformed answer";
            case errc::bad_name:
                return "invalid domain name";
            case errc::shutting_down:
                return "resolver shutting down";
        }
        return "unknown DNS error";
    }
};
}  // namespace

const std::error_category& dns_category() noexcept {
    static const DnsCategory category;
    return category;
}

std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), dns_category()};
}

bool is_permanent(std::error_code ec) {
    return ec == errc::nxdomain || ec == errc::bad_name;
}

std::error_code errc_from_ares_status(int status) noexcept {
    switch (status) {
        case ARES_SUCCESS:
            return {};
        case ARES_ENOTFOUND:
            return errc::nxdomain;
        case ARES_ENODATA:
            return errc::no_data;
        case ARES_EREFUSED:
            return errc::refused;
        case ARES_ETIMEOUT:
            return errc::timeout;
        case ARES_EFORMERR:
        case ARES_EBADRESP:
            return errc::malformed;
        case ARES_EBADNAME:
        case ARES_EBADQUERY:
            return errc::bad_name;
        case ARES_ECANCELLED:
        case ARES_EDESTRUCTION:
            return errc::shutting_down;
        // c-ares 1.18 ends with ECONNREFUSED when every try met a closed port or an answer of
        // SERVFAIL, REFUSED or NOTIMP (it moves on to the next server on those).
        default:
            return errc::server_failure;  // ECONNREFUSED, ESERVFAIL, ENOTIMP, ENOMEM, ...
    }
}

}  // namespace sluice::daemon::dns
