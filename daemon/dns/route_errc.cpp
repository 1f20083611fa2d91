#include "daemon/dns/route_errc.hpp"

#include <string>

namespace sluice::daemon::dns {

namespace {
class RouteCategory final : public std::error_category {
  public:
    const char* name() const noexcept override { return "sluice.route"; }
    std::string message(int value) const override {
        switch (static_cast<route_errc>(value)) {
            case route_errc::null_mx:
                return "domain accepts no mail (null MX)";
            case route_errc::no_mx_address:
                return "no MX host has an address";
        }
        return "unknown routing error";
    }
};
}  // namespace

const std::error_category& route_category() noexcept {
    static const RouteCategory category;
    return category;
}

std::error_code make_error_code(route_errc e) noexcept {
    return {static_cast<int>(e), route_category()};
}

}  // namespace sluice::daemon::dns
