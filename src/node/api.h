// The node's HTTP API (docs/openapi.yaml): statements in and out, proofs, the C2SP read
// paths, health and metrics, on top of a Node. NodeServer runs it.
#ifndef ACCORD_NODE_API_H_
#define ACCORD_NODE_API_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "src/http/metrics.h"
#include "src/http/router.h"
#include "src/http/server.h"
#include "src/node/node.h"

namespace accord::node {

// Registers every route of the API for `node` on `router`, and the node's metrics on
// `metrics`. Both must outlive the server that serves the router.
void RegisterApi(http::Router& router, Node& node, http::Registry& metrics);

struct NodeServerOptions {
  NodeOptions node;
  http::ServerOptions http;  // listen defaults to 127.0.0.1:0
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
  std::vector<http::RouteInfo> Routes() const { return server_->Routes(); }

 private:
  NodeServer() = default;
  std::unique_ptr<http::Registry> metrics_;
  std::unique_ptr<Node> node_;
  std::unique_ptr<http::Server> server_;
};

}  // namespace accord::node

#endif  // ACCORD_NODE_API_H_
