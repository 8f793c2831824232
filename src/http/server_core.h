// Internal to src/http: what a Server shares with every connection it accepted — the
// routes and options, the set of open connections, the stopping flags and the request
// metrics. It knows Connection only by name (it holds them, never calls them), includes
// no Boost, and takes ServerOptions from server_options.h, so the server's files include
// one another in one direction only: server.cc → connection.h → server_core.h →
// server_options.h, and none of them back to server.h.
#ifndef ACCORD_HTTP_SERVER_CORE_H_
#define ACCORD_HTTP_SERVER_CORE_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "src/http/metrics.h"
#include "src/http/router.h"
#include "src/http/server_options.h"

namespace accord::http::internal {

class Connection;

// What every connection shares with the server. Thread-safe.
class ServerCore {
 public:
  ServerCore(Router router, ServerOptions options);

  const Router& router() const { return router_; }
  const ServerOptions& options() const { return options_; }
  void LogError(std::string_view message) const;

  // Adds `c` to the open connections; false (and nothing added) once stopping.
  bool Register(std::shared_ptr<Connection> c);
  void Unregister(const Connection* c);
  size_t open() const;
  std::vector<std::shared_ptr<Connection>> Snapshot() const;
  // Waits until no connection is open or `deadline` passes; true if none is open.
  bool AwaitNoConnections(absl::Time deadline) const;
  void DropAll();

  bool stopping() const;
  void SetStopping();

  // Runs `post` (which posts onto a connection's strand) unless the server's I/O has
  // stopped, so that no Responder touches a destroyed io_context.
  template <typename F>
  void IfRunning(F&& post) {
    absl::MutexLock lock(&gate_mu_);
    if (running_) post();
  }
  void StopRunning();

  // Metrics (no-ops without a registry).
  void CountConnection(int delta);
  void CountRejected();
  void CountInFlight(int delta);
  void CountRequest(std::string_view method, std::string_view route, int status,
                    absl::Duration latency);

 private:
  const Router router_;
  const ServerOptions options_;
  struct Metrics {
    Family<Counter>* requests;
    Family<Histogram>* duration;
    Gauge* in_flight;
    Gauge* connections;
    Counter* rejected;
  };
  std::optional<Metrics> metrics_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::unordered_map<const Connection*, std::shared_ptr<Connection>> open_ ABSL_GUARDED_BY(mu_);

  absl::Mutex gate_mu_;
  bool running_ ABSL_GUARDED_BY(gate_mu_) = true;
};

}  // namespace accord::http::internal

#endif  // ACCORD_HTTP_SERVER_CORE_H_
