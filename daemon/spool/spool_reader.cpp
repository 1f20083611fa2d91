#include "daemon/spool/spool_reader.hpp"

#include <fcntl.h>

#include <string>

#include "daemon/spool/file_io.hpp"

namespace sluice::daemon::spool {

std::error_code read_spool_file(const std::filesystem::path& path, SpooledMessage& out) {
    SpoolDecoder decoder;
    return read_spool_file(path, decoder, out);
}

std::error_code read_spool_file(const std::filesystem::path& path, SpoolDecoder& decoder,
                                SpooledMessage& out) {
    std::string bytes;
    if (auto ec = read_whole_file(AT_FDCWD, path.c_str(), bytes)) return ec;
    return decoder.decode(bytes, out);
}

}  // namespace sluice::daemon::spool
