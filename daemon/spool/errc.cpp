#include "daemon/spool/errc.hpp"

#include <cerrno>
#include <string>

namespace sluice::daemon::spool {

namespace {
class SpoolCategory final : public std::error_category {
  public:
    const char* name() const noexcept override { return "sluice.spool"; }
    std::string message(int value) const override {
        switch (static_cast<errc>(value)) {
            case errc::disk_full:
                return "spool disk full";
            case errc::create_failed:
                return "cannot create spool file";
            case errc::write_failed:
                return "cannot write spool file";
            case errc::sync_failed:
                return "cannot sync spool";
            case errc::rename_failed:
                return "cannot rename spool file";
            case errc::duplicate_queue_id:
                return "queue ID already in the spool";
            case errc::invalid_message:
                return "message cannot be spooled";
            case errc::shutting_down:
                return "spool writer is shutting down";
            case errc::progress_failed:
                return "cannot append delivery progress";
            case errc::layout_failed:
                return "cannot create spool directories";
        }
        return "unknown spool error";
    }
};
}  // namespace

const std::error_category& spool_category() noexcept {
    static const SpoolCategory category;
    return category;
}

std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), spool_category()};
}

errc errc_from_errno(int error_number, errc otherwise) noexcept {
    if (error_number == ENOSPC || error_number == EDQUOT) return errc::disk_full;
    return error_number == EEXIST ? errc::duplicate_queue_id : otherwise;
}

}  // namespace sluice::daemon::spool
