// GET /metrics: the status snapshot in the Prometheus text exposition format (version 0.0.4):
// daemon-wide gauges and counters, and per-queue series labelled isp="..." and source="...".
// Counters end in _total. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "daemon/status/status_view.hpp"

namespace sluice::daemon::status {

inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

[[nodiscard]] std::string prometheus_text(const StatusView& status,
                                          const std::vector<QueueView>& queues);

// A label value with \, " and newline escaped as the format asks.
[[nodiscard]] std::string escape_label_value(std::string_view value);

}  // namespace sluice::daemon::status
