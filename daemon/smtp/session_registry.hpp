// The live SMTP sessions of the process: admission against the total and per-client-address
// connection limits, and the list that shutdown walks to ask each session to stop. A session
// holds an Admission for its whole life; dropping it frees the slot. No I/O; used from the io
// thread only (not thread-safe).
#pragma once

#include <cstdint>
#include <list>
#include <string>
#include <unordered_map>

namespace sluice::daemon::smtp {

// What a session offers to whoever shuts the process down.
class StoppableSession {
  public:
    virtual ~StoppableSession() = default;
    // Finish the transaction in progress (if any), then say 421 and close.
    virtual void request_stop() = 0;
    // Close now (the shutdown grace period is over).
    virtual void force_close() = 0;
};

class SessionRegistry {
  public:
    enum class Verdict { admitted, too_many_total, too_many_from_address };

    class Admission {
      public:
        Admission() = default;
        Admission(Admission&& other) noexcept;
        Admission& operator=(Admission&& other) noexcept;
        ~Admission();

      private:
        friend class SessionRegistry;
        Admission(SessionRegistry* registry, std::string address);
        SessionRegistry* registry_ = nullptr;
        std::string address_;
    };

    // Takes a connection slot for `address` if the limits allow; `admission` holds it.
    [[nodiscard]] Verdict admit(const std::string& address, std::uint32_t max_total,
                                std::uint32_t max_per_address, Admission& admission);

    using Handle = std::list<StoppableSession*>::iterator;
    [[nodiscard]] Handle add(StoppableSession& session);
    void remove(Handle handle);

    void request_stop_all();
    void force_close_all();
    [[nodiscard]] std::size_t open_sessions() const { return sessions_.size(); }
    [[nodiscard]] std::size_t open_connections() const { return total_; }

  private:
    void release(const std::string& address);
    std::uint32_t total_ = 0;
    std::unordered_map<std::string, std::uint32_t> per_address_;
    std::list<StoppableSession*> sessions_;
};

}  // namespace sluice::daemon::smtp
