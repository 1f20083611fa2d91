#include "daemon/delivery/errc.hpp"

#include <string>

namespace sluice::daemon::delivery {

namespace {
class DeliveryCategory final : public std::error_category {
  public:
    const char* name() const noexcept override { return "sluice.delivery"; }
    std::string message(int value) const override {
        switch (static_cast<errc>(value)) {
            case errc::bind_failed:
                return "cannot bind the source address";
            case errc::connect_failed:
                return "connection failed";
            case errc::connect_timed_out:
                return "connection timed out";
            case errc::timed_out:
                return "timed out waiting for the server";
            case errc::connection_lost:
                return "connection lost";
            case errc::malformed_reply:
                return "malformed reply from the server";
            case errc::reply_too_long:
                return "reply too long";
            case errc::greeting_refused:
                return "greeting refused";
            case errc::hello_refused:
                return "EHLO and HELO refused";
            case errc::not_usable:
                return "connection not usable";
            case errc::tls_unavailable:
                return "TLS required but not available";
            case errc::tls_failed:
                return "TLS handshake failed";
            case errc::unexpected_reply:
                return "reply does not answer the command";
            case errc::unsolicited_input:
                return "unsolicited input from the server";
        }
        return "unknown delivery error";
    }
};
}  // namespace

const std::error_category& delivery_category() noexcept {
    static const DeliveryCategory category;
    return category;
}

std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), delivery_category()};
}

bool is_protocol_error(std::error_code error) {
    return error == errc::malformed_reply || error == errc::reply_too_long ||
           error == errc::unexpected_reply || error == errc::unsolicited_input;
}

}  // namespace sluice::daemon::delivery
