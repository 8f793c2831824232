// ServerCore; see server_core.h.
#include "src/http/server_core.h"

#include <string>
#include <utility>

namespace accord::http::internal {

ServerCore::ServerCore(Router router, ServerOptions options)
    : router_(std::move(router)), options_(std::move(options)) {
  if (Registry* r = options_.metrics) {
    metrics_ = Metrics{
        &r->AddCounterFamily("accord_http_requests_total", "HTTP requests answered.",
                             {"method", "route", "status"}),
        &r->AddHistogramFamily("accord_http_request_duration_seconds",
                               "Time from request headers received to response written.",
                               {"method", "route"}),
        &r->AddGauge("accord_http_requests_in_flight", "HTTP requests being handled."),
        &r->AddGauge("accord_http_connections_open", "Open HTTP connections."),
        &r->AddCounter("accord_http_connections_rejected_total",
                       "Connections refused because max_connections were open."),
    };
  }
}

void ServerCore::LogError(std::string_view message) const {
  if (options_.error_log) options_.error_log(message);
}

bool ServerCore::Register(std::shared_ptr<Connection> c) {
  absl::MutexLock lock(&mu_);
  if (stopping_) return false;
  const Connection* key = c.get();
  open_.emplace(key, std::move(c));
  return true;
}

void ServerCore::Unregister(const Connection* c) {
  std::shared_ptr<Connection> keep;  // destroyed outside the lock
  absl::MutexLock lock(&mu_);
  const auto it = open_.find(c);
  if (it == open_.end()) return;
  keep = std::move(it->second);
  open_.erase(it);
}

size_t ServerCore::open() const {
  absl::MutexLock lock(&mu_);
  return open_.size();
}

std::vector<std::shared_ptr<Connection>> ServerCore::Snapshot() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::shared_ptr<Connection>> out;
  out.reserve(open_.size());
  for (const auto& [key, c] : open_) out.push_back(c);
  return out;
}

bool ServerCore::AwaitNoConnections(absl::Time deadline) const {
  absl::MutexLock lock(&mu_);
  const auto empty = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return open_.empty(); };
  return mu_.AwaitWithDeadline(absl::Condition(&empty), deadline);
}

void ServerCore::DropAll() {
  std::unordered_map<const Connection*, std::shared_ptr<Connection>> dropped;
  absl::MutexLock lock(&mu_);
  dropped.swap(open_);
}

bool ServerCore::stopping() const {
  absl::MutexLock lock(&mu_);
  return stopping_;
}

void ServerCore::SetStopping() {
  absl::MutexLock lock(&mu_);
  stopping_ = true;
}

void ServerCore::StopRunning() {
  absl::MutexLock lock(&gate_mu_);
  running_ = false;
}

void ServerCore::CountConnection(int delta) {
  if (metrics_) metrics_->connections->Add(delta);
}

void ServerCore::CountRejected() {
  if (metrics_) metrics_->rejected->Increment();
}

void ServerCore::CountInFlight(int delta) {
  if (metrics_) metrics_->in_flight->Add(delta);
}

void ServerCore::CountRequest(std::string_view method, std::string_view route, int status,
                              absl::Duration latency) {
  if (!metrics_) return;
  const std::string_view route_label = route.empty() ? "unmatched" : route;
  metrics_->requests->WithLabels({method, route_label, std::to_string(status)}).Increment();
  metrics_->duration->WithLabels({method, route_label}).Observe(absl::ToDoubleSeconds(latency));
}

}  // namespace accord::http::internal
