#include "daemon/queue/queue_manager.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <strings.h>

#include "daemon/dns/destination_resolver.hpp"
#include "daemon/clock/wall_clock.hpp"
#include "daemon/queue/blocking_call.hpp"
#include "daemon/queue/content_reader.hpp"
#include "daemon/spool/spool_reader.hpp"
#include "policy/routing/static_routes.hpp"

namespace sluice::daemon::queue {

namespace asio = boost::asio;
using asio::ip::tcp;
using clock::now_unix;
using clock::now_unix_us;

namespace {
constexpr auto nothrow_awaitable = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kLoadChunk = 512;
constexpr std::int64_t kUnreadableRetrySeconds = 60;

// The Message-ID header's value (for the accounting log), or "".
std::string find_message_id(std::string_view content) {
    std::size_t line = 0;
    while (line < content.size()) {
        const auto end = content.find("\r\n", line);
        if (end == std::string_view::npos || end == line) break;  // end of the header block
        std::string_view text = content.substr(line, end - line);
        if (text.size() > 11 && ::strncasecmp(text.data(), "Message-ID:", 11) == 0) {
            text.remove_prefix(11);
            while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
                text.remove_prefix(1);
            }
            return std::string(text);
        }
        line = end + 2;
    }
    return {};
}

delivery::ClientSettings client_settings(const policy::config::Config& config) {
    const auto& d = config.delivery;
    delivery::ClientSettings settings;
    settings.helo_name = d.helo.empty() ? config.hostname : d.helo;
    if (!d.source_address.empty()) {
        boost::system::error_code ec;
        auto address = asio::ip::make_address(d.source_address, ec);
        if (!ec) settings.source_address = address;
    }
    settings.connect_timeout = d.connect_timeout;
    settings.greeting_timeout = d.greeting_timeout;
    settings.command_timeout = d.command_timeout;
    settings.data_init_timeout = d.data_init_timeout;
    settings.data_block_timeout = d.data_block_timeout;
    settings.data_done_timeout = d.data_done_timeout;
    settings.max_recipients_per_transaction = d.max_recipients_per_transaction;
    return settings;
}

// The same result for every recipient of a batch (DNS failure, no connection).
std::vector<delivery::RecipientResult> same_result(const Batch& batch,
                                                   const delivery::RecipientResult& result) {
    return std::vector<delivery::RecipientResult>(batch.recipients.size(), result);
}
}  // namespace

QueueManager::QueueManager(asio::any_io_executor executor, QueueServices services)
    : executor_(executor),
      services_(std::move(services)),
      recorder_(services_.config, services_.queue_dir, services_.spool, services_.queue_ids,
                services_.accounting, services_.blocking, services_.logger,
                [this](const spool::Envelope& envelope) { message_spooled(envelope); }),
      wakeup_(executor),
      rng_(std::random_device{}()) {}

void QueueManager::start(spool::RecoveryResult recovered) {
    asio::co_spawn(executor_, schedule_loop(), asio::detached);
    asio::co_spawn(executor_, load(std::move(recovered)), asio::detached);
}

void QueueManager::stop() {
    stopped_ = true;
    wakeup_.cancel();
}

void QueueManager::message_spooled(const spool::Envelope& envelope) {
    if (stopped_) return;  // on disk; the next start picks it up
    add(make_queued_message(envelope, {}));
}

void QueueManager::add(const MessagePtr& message) {
    if (message->finished()) return;
    for (const auto& domain : queues_.add_message(message, now_unix())) start_workers(domain);
    wake_scheduler();
}

asio::awaitable<void> QueueManager::load(spool::RecoveryResult recovered) {
    struct Loaded {
        std::vector<spool::SpooledMessage> messages;
        std::vector<std::string> unreadable;
    };
    std::size_t queued = 0;
    const auto& entries = recovered.messages;
    for (std::size_t begin = 0; begin < entries.size() && !stopped_; begin += kLoadChunk) {
        std::vector<std::string> ids;
        for (std::size_t i = begin; i < std::min(entries.size(), begin + kLoadChunk); ++i) {
            ids.emplace_back(entries[i].id());
        }
        auto read_chunk = [ids, dir = services_.queue_dir] {
                Loaded out;
                for (const auto& id : ids) {
                    spool::SpooledMessage message;
                    if (spool::read_spool_file(dir / id, message)) {
                        out.unreadable.push_back(id);
                        continue;
                    }
                    message.content.clear();  // bodies stay on disk
                    message.content.shrink_to_fit();
                    out.messages.push_back(std::move(message));
                }
                return out;
            };
        // Named, not a temporary inside co_await: GCC 12 may destroy such temporaries twice.
        auto loaded = co_await run_blocking<Loaded>(services_.blocking, std::move(read_chunk));
        for (const auto& id : loaded.unreadable) {
            services_.logger.error("{}: spool file unreadable after recovery; left alone", id);
        }
        for (const auto& stored : loaded.messages) {
            auto message = make_queued_message(stored.envelope, stored.progress);
            if (message->finished()) {
                (void)co_await recorder_.remove_finished(message->queue_id);
                continue;
            }
            add(message);
            ++queued;
        }
    }
    services_.logger.notice("queue: {} spooled messages queued for delivery", queued);
}

void QueueManager::wake_scheduler() { wakeup_.cancel(); }

asio::awaitable<void> QueueManager::schedule_loop() {
    while (!stopped_) {
        const std::int64_t now = now_unix();
        for (const auto& domain : queues_.release_due(now)) start_workers(domain);
        const auto next = queues_.next_due();
        if (next) {
            wakeup_.expires_after(std::chrono::seconds(std::max<std::int64_t>(*next - now, 0)));
        } else {
            wakeup_.expires_at(asio::steady_timer::time_point::max());
        }
        co_await wakeup_.async_wait(nothrow_awaitable);
    }
}

void QueueManager::start_workers(const std::string& domain) {
    const auto config = services_.config();
    const auto& d = config->delivery;
    unsigned& active = active_per_domain_[domain];
    while (!stopped_ && total_active_ < d.max_connections &&
           active < d.max_connections_per_destination && active < queues_.ready_batches(domain)) {
        ++active;
        ++total_active_;
        asio::co_spawn(executor_, run_worker(domain),
                       [this, domain](std::exception_ptr error) {
                           if (--active_per_domain_[domain] == 0) {
                               active_per_domain_.erase(domain);
                           }
                           --total_active_;
                           if (error) {
                               try {
                                   std::rethrow_exception(error);
                               } catch (const std::exception& e) {
                                   services_.logger.error("delivery to {} ended by exception: {}",
                                                          domain, e.what());
                               }
                           }
                           // Work that arrived meanwhile, here or (capacity freed) elsewhere.
                           start_workers(domain);
                           for (const auto& other : queues_.ready_domains()) start_workers(other);
                       });
    }
}

asio::awaitable<void> QueueManager::run_worker(std::string domain) {
    const auto config = services_.config();
    const auto& d = config->delivery;
    const auto started = now_unix_us();

    const auto* route = policy::routing::find_route(config->routes, domain);
    dns::RouteResult destinations;
    // if/else, not "?:": GCC 12 miscompiles a conditional whose arms are co_await expressions.
    if (route) {
        destinations = co_await dns::resolve_host(services_.resolver, route->host, route->port);
    } else {
        destinations =
            co_await dns::resolve_destinations(services_.resolver, domain, d.port, rng_);
    }
    AttemptContext attempt{domain, "", "", "", "", started};

    delivery::RecipientResult failure;
    failure.synthetic = true;
    std::unique_ptr<delivery::ClientConnection> connection;
    if (destinations.error) {
        failure.outcome = destinations.permanent ? delivery::RecipientOutcome::bounced
                                                 : delivery::RecipientOutcome::deferred;
        failure.reply = smtp::Reply{destinations.permanent ? 550 : 451, destinations.enhanced,
                                    destinations.text};
    } else {
        const auto settings = client_settings(*config);
        failure.outcome = delivery::RecipientOutcome::deferred;
        failure.reply = smtp::Reply{451, "4.4.1", "No destination could be reached"};
        for (const auto& destination : destinations.destinations) {
            for (const auto& address : destination.addresses) {
                if (stopped_) co_return;
                auto opened = co_await delivery::ClientConnection::open(
                    executor_, tcp::endpoint(address, destination.port), destination.mx_host,
                    settings);
                attempt.mx_host = destination.mx_host;
                attempt.mx_ip = address.to_string();
                if (opened.connection) {
                    connection = std::move(opened.connection);
                    break;
                }
                services_.logger.info("delivery to {}: {} [{}]: {}", domain, destination.mx_host,
                                      address.to_string(), opened.reply.summary());
                failure.reply = opened.reply;
                failure.synthetic = opened.synthetic;
            }
            if (connection) break;
        }
    }

    if (!connection) {
        // Every ready message for this destination shares the failure.
        while (auto batch = queues_.take_batch(domain, d.max_recipients_per_transaction)) {
            auto results = same_result(*batch, failure);  // named: see blocking_call.hpp
            co_await recorder_.record(*batch, results, attempt, queues_, nullptr);
        }
        wake_scheduler();
        co_return;
    }

    attempt.source_ip = connection->local_address().to_string();
    std::uint32_t sent = 0;
    while (!stopped_ && connection->usable() && sent < d.max_messages_per_connection) {
        auto batch = queues_.take_batch(domain, d.max_recipients_per_transaction);
        if (!batch) break;
        if (sent > 0) {
            // Not "sent > 0 && co_await ...": GCC 12 mishandles co_await in conditional
            // evaluation.
            const bool reset = co_await connection->reset();
            if (!reset) {
                queues_.return_batch(std::move(*batch));
                break;
            }
        }
        auto reader = content_reader(services_.queue_dir / batch->message->queue_id);
        auto content = co_await run_blocking<std::shared_ptr<const std::string>>(
            services_.blocking, std::move(reader));
        if (!content) {
            // Perhaps only for now (file descriptors): try these recipients again later.
            services_.logger.error("{}: cannot read the spool file for delivery; retrying in {}s",
                                   batch->message->queue_id, kUnreadableRetrySeconds);
            for (auto index : batch->recipients) {
                queues_.defer(batch->message, index, now_unix() + kUnreadableRetrySeconds);
            }
            continue;
        }
        const auto& message = *batch->message;
        delivery::OutboundMessage outbound;
        outbound.sender = message.sender;
        for (auto index : batch->recipients) {
            outbound.recipients.push_back(message.recipients[index].address);
        }
        outbound.eight_bit = message.body_type != spool::BodyType::seven_bit;
        outbound.smtputf8 = message.smtputf8;
        // DKIM signatures prepended, off the io thread (an RSA signature costs ~0.25 ms); kept
        // in this frame because outbound.content is only a view. Pool: "" until pools exist.
        auto sign = [&dkim_sign = services_.dkim_sign, content] { return dkim_sign(*content, ""); };
        const auto signed_content = co_await run_blocking<std::string>(services_.blocking, sign);
        outbound.content = signed_content;
        attempt.message_id = find_message_id(*content);
        attempt.started_unix_us = now_unix_us();
        auto results = co_await connection->send(outbound);
        co_await recorder_.record(*batch, results, attempt, queues_, content);
        ++sent;
    }
    wake_scheduler();
    co_await connection->quit();
}

}  // namespace sluice::daemon::queue
