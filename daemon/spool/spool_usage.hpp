// How much the spool holds, kept up to date by the spool writer as files are committed and
// removed (seeded from start-up recovery): message count, uncompressed bytes and bytes on disk.
// Approximate by design, to stay free: uncompressed bytes are the decompressed records of each
// file (the message plus a few hundred bytes of envelope; only the message for files found at
// start-up), and bytes on disk leave out the 23-byte progress records appended after commit.
// Thread-safe (atomics): the committer thread writes, the io thread reads.
#pragma once

#include <atomic>
#include <cstdint>

namespace sluice::daemon::spool {

struct SpoolUsageSnapshot {
    std::uint64_t messages = 0;
    std::uint64_t content_bytes = 0;
    std::uint64_t file_bytes = 0;
};

class SpoolUsage {
  public:
    void seed(const SpoolUsageSnapshot& totals) {
        messages_ = totals.messages;
        content_bytes_ = totals.content_bytes;
        file_bytes_ = totals.file_bytes;
    }
    void added(std::uint64_t content_bytes, std::uint64_t file_bytes) {
        ++messages_;
        content_bytes_ += content_bytes;
        file_bytes_ += file_bytes;
    }
    void removed(std::uint64_t content_bytes, std::uint64_t file_bytes) {
        subtract(messages_, 1);
        subtract(content_bytes_, content_bytes);
        subtract(file_bytes_, file_bytes);
    }
    [[nodiscard]] SpoolUsageSnapshot snapshot() const {
        return {messages_.load(), content_bytes_.load(), file_bytes_.load()};
    }

  private:
    // Saturating: the estimates must never wrap below zero.
    static void subtract(std::atomic<std::uint64_t>& counter, std::uint64_t amount) {
        auto value = counter.load();
        while (!counter.compare_exchange_weak(value, value > amount ? value - amount : 0)) {
        }
    }
    std::atomic<std::uint64_t> messages_{0};
    std::atomic<std::uint64_t> content_bytes_{0};
    std::atomic<std::uint64_t> file_bytes_{0};
};

}  // namespace sluice::daemon::spool
