#include "daemon/dns/cares_channel.hpp"

#include <ares.h>
#include <arpa/nameser.h>
#include <sys/ioctl.h>
#include <sys/random.h>

#include <algorithm>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <unordered_map>

namespace sluice::daemon::dns {

namespace asio = boost::asio;

namespace {

// Reads per readiness event at most; a TCP answer arriving in parts needs a few.
constexpr int kMaxReadsPerEvent = 16;
// c-ares 1.18's default EDNS payload size (ARES_FLAG_EDNS), as ares_query would have used.
constexpr int kEdnsPayloadSize = 1280;
// The AD bit in the second flags octet of the header (RFC 4035 §3.2.3, RFC 6840 §5.7).
constexpr unsigned char kAuthenticDataBit = 0x20;

// A socket c-ares owns. The descriptor never closes it: release() hands it back first.
struct Watch {
    Watch(const asio::any_io_executor& executor, ares_socket_t fd) : descriptor(executor, fd) {}
    ~Watch() { release(); }
    void release() {
        if (descriptor.is_open()) descriptor.release();
    }

    asio::posix::stream_descriptor descriptor;
    bool want_read = false;
    bool want_write = false;
    bool reading = false;  // an async_wait(wait_read) is pending
    bool writing = false;
    bool closed = false;  // c-ares dropped the socket; a pending wait ends with no effect
};

std::size_t bytes_waiting(ares_socket_t fd) {
    int count = 0;
    return ::ioctl(fd, FIONREAD, &count) == 0 && count > 0 ? static_cast<std::size_t>(count) : 0;
}

// A query ID nobody off-path can guess (RFC 5452 §4.3). ares_send keeps the ID it is given,
// unlike ares_query, which draws one itself.
unsigned short random_query_id() {
    unsigned short id = 0;
    if (::getrandom(&id, sizeof id, GRND_NONBLOCK) == static_cast<ssize_t>(sizeof id)) return id;
    return static_cast<unsigned short>(std::random_device{}());
}

// ares_send hands back any response; map its RCODE and answer count to the ARES_* statuses
// ares_query would have given, so callers see one convention.
int status_of_response(int status, const unsigned char* message, int length) {
    if (status != ARES_SUCCESS || message == nullptr || length < HFIXEDSZ) return status;
    const int rcode = message[3] & 0x0f;
    const int answers = (message[6] << 8) | message[7];
    switch (rcode) {
        case ns_r_noerror:
            return answers > 0 ? ARES_SUCCESS : ARES_ENODATA;
        case ns_r_formerr:
            return ARES_EFORMERR;
        case ns_r_servfail:
            return ARES_ESERVFAIL;
        case ns_r_nxdomain:
            return ARES_ENOTFOUND;
        case ns_r_notimpl:
            return ARES_ENOTIMP;
        case ns_r_refused:
            return ARES_EREFUSED;
        default:
            return ARES_EBADRESP;
    }
}

void on_answer(void* arg, int status, int /*timeouts*/, unsigned char* message, int length) {
    std::unique_ptr<CaresChannel::Completion> done(static_cast<CaresChannel::Completion*>(arg));
    std::span<const unsigned char> bytes;
    if (message != nullptr && length > 0) bytes = {message, static_cast<std::size_t>(length)};
    (*done)(status_of_response(status, message, length), bytes);
}

}  // namespace

// Handlers hold a shared_ptr to the State, so it outlives every wait it started; after close()
// (channel == nullptr) they return at once.
struct CaresChannel::State : std::enable_shared_from_this<State> {
    explicit State(asio::any_io_executor executor_in)
        : executor(std::move(executor_in)), timer(executor) {}
    ~State() {
        close();
        if (library_started) ares_library_cleanup();
    }

    static void on_socket_state(void* data, ares_socket_t fd, int readable, int writable);
    void arm(ares_socket_t fd, const std::shared_ptr<Watch>& watch);
    void on_readable(ares_socket_t fd, const std::shared_ptr<Watch>& watch);
    void process(ares_socket_t read_fd, ares_socket_t write_fd);
    void update_timer();
    void close();

    asio::any_io_executor executor;
    asio::steady_timer timer;
    ares_channel channel = nullptr;
    bool library_started = false;
    std::unordered_map<ares_socket_t, std::shared_ptr<Watch>> watches;
};

void CaresChannel::State::on_socket_state(void* data, ares_socket_t fd, int readable,
                                          int writable) {
    auto& state = *static_cast<State*>(data);
    auto it = state.watches.find(fd);
    if (readable == 0 && writable == 0) {  // c-ares is about to close the socket
        if (it == state.watches.end()) return;
        it->second->closed = true;
        it->second->release();
        state.watches.erase(it);
        return;
    }
    if (it == state.watches.end()) {
        try {
            it = state.watches.emplace(fd, std::make_shared<Watch>(state.executor, fd)).first;
        } catch (const std::exception&) {
            return;  // not watchable (epoll refused it): the query ends by its timeout
        }
    }
    it->second->want_read = readable != 0;
    it->second->want_write = writable != 0;
    state.arm(fd, it->second);
}

void CaresChannel::State::arm(ares_socket_t fd, const std::shared_ptr<Watch>& watch) {
    if (watch->want_read && !watch->reading) {
        watch->reading = true;
        watch->descriptor.async_wait(
            asio::posix::stream_descriptor::wait_read,
            [self = shared_from_this(), fd, watch](const boost::system::error_code& ec) {
                watch->reading = false;
                if (ec == asio::error::operation_aborted || watch->closed || !self->channel) return;
                self->on_readable(fd, watch);
            });
    }
    if (watch->want_write && !watch->writing) {
        watch->writing = true;
        watch->descriptor.async_wait(
            asio::posix::stream_descriptor::wait_write,
            [self = shared_from_this(), fd, watch](const boost::system::error_code& ec) {
                watch->writing = false;
                if (ec == asio::error::operation_aborted || watch->closed || !self->channel) return;
                self->process(ARES_SOCKET_BAD, fd);
                if (!watch->closed) self->arm(fd, watch);
            });
    }
}

void CaresChannel::State::on_readable(ares_socket_t fd, const std::shared_ptr<Watch>& watch) {
    process(fd, ARES_SOCKET_BAD);
    // Asio's epoll registration is edge-triggered: if c-ares left bytes unread (it reads a TCP
    // answer piecewise), no new edge would come for them, so read on while any are waiting.
    for (int i = 0; i < kMaxReadsPerEvent && channel && !watch->closed && watch->want_read &&
                    bytes_waiting(fd) > 0;
         ++i) {
        process(fd, ARES_SOCKET_BAD);
    }
    if (channel && !watch->closed) arm(fd, watch);
}

void CaresChannel::State::process(ares_socket_t read_fd, ares_socket_t write_fd) {
    if (!channel) return;
    ares_process_fd(channel, read_fd, write_fd);
    update_timer();
}

void CaresChannel::State::update_timer() {
    if (!channel) return;
    timeval storage{};
    const timeval* left = ares_timeout(channel, nullptr, &storage);
    if (left == nullptr) {  // nothing pending
        timer.cancel();
        return;
    }
    timer.expires_after(std::chrono::seconds{left->tv_sec} +
                        std::chrono::microseconds{left->tv_usec});
    timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        if (ec == asio::error::operation_aborted || !self->channel) return;
        self->process(ARES_SOCKET_BAD, ARES_SOCKET_BAD);  // lets c-ares retry or time out
    });
}

void CaresChannel::State::close() {
    if (channel) {
        ares_channel closing = channel;
        ares_destroy(closing);  // runs pending callbacks (EDESTRUCTION) and closes the sockets
        channel = nullptr;
    }
    timer.cancel();
    for (auto& [fd, watch] : watches) {
        watch->closed = true;
        watch->release();
    }
    watches.clear();
}

CaresChannel::CaresChannel(asio::any_io_executor executor, const Settings& settings)
    : state_(std::make_shared<State>(std::move(executor))) {
    if (const int rc = ares_library_init(ARES_LIB_INIT_ALL); rc != ARES_SUCCESS) {
        throw std::runtime_error(std::string("cannot start c-ares: ") + ares_strerror(rc));
    }
    state_->library_started = true;

    char lookups[] = "b";  // DNS only, never /etc/hosts
    ares_options options{};
    // ares_query applies no search list; NOSEARCH and an empty domain list make sure of it.
    options.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES | ARES_FLAG_EDNS;
    options.timeout = static_cast<int>(std::max<std::int64_t>(1, settings.timeout.count()));
    options.tries = static_cast<int>(std::max(1u, settings.tries));
    options.ndots = 1;
    options.domains = nullptr;
    options.ndomains = 0;
    options.lookups = lookups;
    options.sock_state_cb = &State::on_socket_state;
    options.sock_state_cb_data = state_.get();
    const int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_NDOTS |
                     ARES_OPT_DOMAINS | ARES_OPT_LOOKUPS | ARES_OPT_SOCK_STATE_CB;
    if (const int rc = ares_init_options(&state_->channel, &options, mask); rc != ARES_SUCCESS) {
        state_->channel = nullptr;
        throw std::runtime_error(std::string("cannot start c-ares: ") + ares_strerror(rc));
    }
    if (!settings.servers.empty()) {
        std::string csv;
        for (const auto& server : settings.servers) csv += (csv.empty() ? "" : ",") + server;
        if (const int rc = ares_set_servers_ports_csv(state_->channel, csv.c_str());
            rc != ARES_SUCCESS) {
            state_->close();
            throw std::runtime_error("invalid DNS servers \"" + csv + "\": " + ares_strerror(rc));
        }
    }
}

CaresChannel::~CaresChannel() {
    state_->close();
}

void CaresChannel::query(const std::string& name, int type, Completion done) {
    if (!state_->channel) {
        done(ARES_EDESTRUCTION, {});
        return;
    }
    unsigned char* packet = nullptr;
    int length = 0;
    const int built = ares_create_query(name.c_str(), ns_c_in, type, random_query_id(), 1, &packet,
                                        &length, kEdnsPayloadSize);
    if (built != ARES_SUCCESS) {
        done(built, {});
        return;
    }
    // RFC 6840 §5.7: AD in a query asks a validating resolver to say (AD in the response)
    // whether it validated the answer; without DO no signatures are sent back.
    packet[3] |= kAuthenticDataBit;
    ares_send(state_->channel, packet, length, &on_answer, new Completion(std::move(done)));
    ares_free_string(packet);
    state_->update_timer();
}

void CaresChannel::cancel() {
    if (!state_->channel) return;
    ares_cancel(state_->channel);
    state_->update_timer();
}

}  // namespace sluice::daemon::dns
