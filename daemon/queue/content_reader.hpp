// Reading a message's content from its spool file, as a function object for run_blocking (pass
// it as a named variable: see the GCC 12 note in blocking_call.hpp). Blocking file I/O; runs on
// the blocking pool. Returns nullptr if the file cannot be read or decoded.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

namespace sluice::daemon::queue {

class ContentReader {
  public:
    explicit ContentReader(std::filesystem::path path) : path_(std::move(path)) {}
    [[nodiscard]] std::shared_ptr<const std::string> operator()() const;

  private:
    std::filesystem::path path_;
};

[[nodiscard]] inline ContentReader content_reader(std::filesystem::path path) {
    return ContentReader(std::move(path));
}

}  // namespace sluice::daemon::queue
