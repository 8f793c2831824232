// The node's HTTP API (docs/openapi.yaml): statements in and out, proofs, the C2SP read
// paths, health and metrics, on top of a Node. NodeServer runs it.
#ifndef ACCORD_NODE_API_H_
#define ACCORD_NODE_API_H_

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "src/http/metrics.h"
#include "src/http/router.h"
#include "src/http/server.h"
#include "src/node/node.h"

namespace accord::node {

// Registers every route of the API for `node` on `router`, and the node's metrics on
// `metrics`. Both must outlive the server that serves the router.
class NodeExtension;

// The largest log position (index, tree size, cursor) a request may name: the statement
// index and the monitor's inbox keep positions as SQLite's signed 64-bit integers, where
// 2^63 would wrap around to a negative number. Larger ones are refused with 400.
inline constexpr uint64_t kMaxPosition = std::numeric_limits<int64_t>::max();

// Request parameters, shared by the node's routes and its extensions' (same errors).
// Routes declare the query parameters they read (http::RouteOptions::query); the server
// refuses undeclared, repeated and empty ones before the handler runs. New code reads
// request.query.GetUint64(name, kMaxPosition) and http::ParseDecimal directly; these
// two remain for the routes written against them.
// http::ParseDecimal of `text` up to kMaxPosition; nullopt if `text` is empty (absent).
absl::StatusOr<std::optional<uint64_t>> UintParam(std::string_view text, std::string_view name);
// A query parameter's value; empty if absent.
std::string QueryParam(const http::Request& r, std::string_view name);

// `extension`, if not null, adds its health to /healthz.
void RegisterApi(http::Router& router, Node& node, http::Registry& metrics,
                 const NodeExtension* extension = nullptr);

// A part that runs beside a node and serves routes of its own (federation): made after
// the node opens and before the server starts, stopped after the server stops and
// before the node does.
class NodeExtension {
 public:
  virtual ~NodeExtension() = default;
  virtual void Stop() = 0;
  // Merged into GET /healthz under the extension's key; `healthy` false makes the
  // answer say "degraded" (still 200: the node itself accepts statements).
  virtual std::string name() const = 0;
  virtual nlohmann::json Health(bool& healthy) const = 0;
};
using ExtensionFactory = std::function<absl::StatusOr<std::unique_ptr<NodeExtension>>(
    Node& node, http::Router& router, http::Registry& metrics)>;

struct NodeServerOptions {
  NodeOptions node;
  http::ServerOptions http;    // listen defaults to 127.0.0.1:0
  ExtensionFactory extension;  // optional
};

// A node and its HTTP server.
class NodeServer {
 public:
  static absl::StatusOr<std::unique_ptr<NodeServer>> Start(NodeServerOptions options);
  ~NodeServer();  // Stop()
  // Stops accepting, lets in-flight requests finish, stops the sequencer.
  void Stop();
  std::string url() const;  // "http://127.0.0.1:PORT"
  Node& node() { return *node_; }
  NodeExtension* extension() { return extension_.get(); }
  std::vector<http::RouteInfo> Routes() const { return server_->Routes(); }

 private:
  NodeServer() = default;
  std::unique_ptr<http::Registry> metrics_;
  std::unique_ptr<Node> node_;
  std::unique_ptr<NodeExtension> extension_;
  std::unique_ptr<http::Server> server_;
};

}  // namespace accord::node

#endif  // ACCORD_NODE_API_H_
