// The content as it leaves for one destination: Sluice's pool control header removed (it never
// leaves the relay), the pool's and then the ISP's header policies applied, then DKIM-signed
// over exactly what is sent. Signing runs on the blocking pool (an RSA signature costs ~0.25 ms);
// the coroutine resumes on its own executor.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "policy/config/policy_model.hpp"

namespace sluice::daemon::delivery {

// Signs `content` with the keys for its From domain and `pool`; the content unchanged when no
// key applies.
using DkimSign = std::function<std::string(std::string_view content, std::string_view pool)>;

struct Preparation {
    std::string pool_header;                                     // the control header's name
    const policy::config::HeaderPolicy* pool_headers = nullptr;  // null: none
    const policy::config::HeaderPolicy* isp_headers = nullptr;   // null: none
    std::string pool;                                            // chooses the DKIM keys
};

[[nodiscard]] boost::asio::awaitable<std::string> prepare_message(
    boost::asio::thread_pool& blocking, DkimSign sign, std::shared_ptr<const std::string> content,
    Preparation how);

}  // namespace sluice::daemon::delivery
