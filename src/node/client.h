// Talking to a node: submitting statements and checking receipts, and reading a
// node's log through its C2SP read paths as a read-only LogStorage, so every check a
// verifier makes runs on bytes it verified itself — nothing the server says is trusted.
#ifndef ACCORD_NODE_CLIENT_H_
#define ACCORD_NODE_CLIENT_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/http/client.h"
#include "src/note/keys.h"
#include "src/store/log_storage.h"
#include "src/tlog/hash.h"

namespace accord::node {

// What POST /v1/statements answers.
struct ReceiptDoc {
  uint64_t index = 0;
  tlog::Hash leaf_hash{};
  bool duplicate = false;
  uint64_t tree_size = 0;
  std::string checkpoint;
  std::vector<tlog::Hash> inclusion_proof;
  nlohmann::json json;  // as received
};

// Parses a POST /v1/statements answer. InvalidArgument naming the malformed field.
absl::StatusOr<ReceiptDoc> ParseReceipt(const std::string& body);

class NodeClient {
 public:
  static absl::StatusOr<std::unique_ptr<NodeClient>> Create(std::string_view url,
                                                            http::ClientOptions options = {});
  // Submits envelope bytes. A problem-details answer becomes an error whose message is
  // the problem's detail (and pointer, if any), with the code of its HTTP status.
  absl::StatusOr<ReceiptDoc> Submit(std::string envelope);
  // GET a path; NotFound for 404, an error for any other non-200.
  absl::StatusOr<std::string> Get(std::string_view target);
  http::Client& http() { return *client_; }

 private:
  explicit NodeClient(std::unique_ptr<http::Client> c) : client_(std::move(c)) {}
  std::unique_ptr<http::Client> client_;
};

// Checks a receipt against the envelope that was submitted and the log's key: the
// leaf hash is that of the envelope's logged form (statement::LoggedForm) with one of
// its signatures — or of the exact bytes, for envelopes already in that form — the
// checkpoint is signed by `log_key` and is of size tree_size, and the inclusion proof
// puts the leaf at `index` under its root. A re-submission answered with the receipt of
// the same statement logged earlier under a signature this envelope lacks does not
// verify here (DataLoss); fetch that entry and compare statement digests instead.
absl::Status VerifyReceipt(const ReceiptDoc& receipt, std::string_view envelope,
                           const note::Verifier& log_key);

// A read-only LogStorage over HTTP: Read(path) is GET <url>/<path>. Thread-safe.
class HttpLogStorage final : public store::LogStorage {
 public:
  static absl::StatusOr<std::unique_ptr<HttpLogStorage>> Create(std::string_view url);
  absl::StatusOr<std::string> Read(std::string_view path) override;
  // Unimplemented: read-only (not FailedPrecondition, which would mean a lost race).
  absl::Status Commit(std::span<const store::LogObject>, std::optional<std::string_view>,
                      std::string_view) override;
  absl::Status Stage(std::span<const store::LogObject>) override;
  absl::Status DeletePartials(std::string_view) override;
  std::string Describe() const override { return url_; }

 private:
  HttpLogStorage(std::unique_ptr<http::Client> c, std::string url)
      : client_(std::move(c)), url_(std::move(url)) {}
  std::unique_ptr<http::Client> client_;
  std::string url_;
};

}  // namespace accord::node

#endif  // ACCORD_NODE_CLIENT_H_
