// Test helpers for integration tests that run the real `accord` binary (ACCORD_CLI):
// running a verb, starting `accord serve` (optionally inside a private mount namespace),
// checking RFC 9457 problems, and snapshots of a data folder to prove that nothing was
// written. Header-only; for src/cli/*_test.cc.
#ifndef ACCORD_CLI_NODE_HARNESS_H_
#define ACCORD_CLI_NODE_HARNESS_H_

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "src/crypto/ed25519.h"
#include "src/crypto/sha256.h"
#include "src/http/client.h"
#include "src/http/message.h"
#include "src/http/signature.h"
#include "src/node/testing.h"
#include "src/note/keys.h"
#include "src/statement/statement.h"
#include "src/test/ports.h"
#include "src/test/process.h"
#include "src/test/temp_dir.h"
#include "src/util/encoding.h"
#include "src/util/strings.h"

namespace accord::cli::testing {

namespace fs = std::filesystem;

inline std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A folder under the system's temporary folder, removed with everything in it.
using ScratchDir = test::TempDir;

// A shell word for `s`.
inline std::string ShellQuote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

struct RunResult {
  int code = -1;  // exit status; -1 if killed by a signal
  std::string out, err;
};

// Runs `argv` (argv[0] a path or a name found in PATH) with `input` on its standard
// input, in `scratch` (which holds its captured output), and waits for it. Thread-safe:
// concurrent runs use files of their own.
inline RunResult Run(const std::vector<std::string>& argv, const fs::path& scratch,
                     std::string_view input = "") {
  static std::atomic<int> counter{0};
  const std::string n = absl::StrCat(::getpid(), "-", counter++);
  const fs::path in = scratch / absl::StrCat(".run-in-", n),
                 out = scratch / absl::StrCat(".run-out-", n),
                 err = scratch / absl::StrCat(".run-err-", n);
  std::ofstream(in, std::ios::binary) << input;
  std::string cmd;
  for (const std::string& a : argv) absl::StrAppend(&cmd, ShellQuote(a), " ");
  absl::StrAppend(&cmd, "<", ShellQuote(in.string()), " >", ShellQuote(out.string()), " 2>",
                  ShellQuote(err.string()));
  const int status = std::system(cmd.c_str());
  RunResult r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = Slurp(out);
  r.err = Slurp(err);
  std::error_code ec;
  for (const fs::path& p : {in, out, err}) fs::remove(p, ec);
  return r;
}

// `accord ARGS...`.
inline RunResult Accord(std::vector<std::string> args, const fs::path& scratch,
                        std::string_view input = "") {
  args.insert(args.begin(), ACCORD_CLI);
  return Run(args, scratch, input);
}

using test::FindProgram;
using test::FreePort;
using test::FreePorts;

// A running `accord serve --json`: its URL from the start-up line.
class NodeProcess {
 public:
  // Starts `argv` (the full command line, e.g. {ACCORD_CLI, "serve", ...} or one behind
  // nsenter) and reads the start-up line.
  static absl::StatusOr<std::unique_ptr<NodeProcess>> Start(
      const std::vector<std::string>& argv, absl::Duration timeout = absl::Seconds(30)) {
    auto child = test::ChildProcess::Start(argv);
    if (!child.ok()) return child.status();
    auto line = child->ReadLine(timeout);
    if (!line.ok()) return line.status();
    auto j = nlohmann::json::parse(*line, nullptr, false);
    if (!j.is_object() || !j.contains("url")) {
      return absl::InternalError(absl::StrCat("not a start-up line: ", *line));
    }
    std::unique_ptr<NodeProcess> n(new NodeProcess(*std::move(child)));
    n->url_ = j["url"];
    n->vkey_ = j["vkey"];
    n->origin_ = j["origin"];
    auto client = http::Client::Create(
        n->url_, {.connect_timeout = absl::Seconds(5), .request_timeout = absl::Seconds(10)});
    if (!client.ok()) return client.status();
    n->client_ = *std::move(client);
    return n;
  }

  const std::string& url() const { return url_; }
  const std::string& vkey() const { return vkey_; }
  const std::string& origin() const { return origin_; }
  uint16_t port() const { return client_->url().port; }
  pid_t pid() const { return child_.pid(); }
  http::Client& http() { return *client_; }
  // SIGTERM and wait; the wait status.
  int Stop() { return child_.Kill(SIGTERM); }
  // SIGTERM and wait; true iff it exited with status 0 (a sanitizer's report, a leak
  // included, makes it non-zero).
  bool StopCleanly() {
    const int status = Stop();
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }

 private:
  explicit NodeProcess(test::ChildProcess child) : child_(std::move(child)) {}
  test::ChildProcess child_;
  std::string url_, vkey_, origin_;
  std::unique_ptr<http::Client> client_;
};

// `accord submit` of a fresh example incident (nonce: a distinct `issued`) to `node`,
// signed with `key`; the index its receipt gives. Expects the submission to succeed.
inline uint64_t SubmitIncident(NodeProcess& node, const fs::path& key, int nonce,
                               const fs::path& scratch) {
  const fs::path file = scratch / absl::StrCat("incident-", nonce, ".json");
  std::ofstream(file)
      << node::testing::ExamplePayload(statement::Kind::kIncident, node.origin(), nonce).dump();
  RunResult r = Accord(
      {"submit", "--node", node.url(), "--key", key.string(), "--kind", "incident", file.string()},
      scratch);
  EXPECT_EQ(r.code, 0) << r.err;
  return nlohmann::json::parse(r.out, nullptr, false).value("index", uint64_t{0});
}

// Expects `r` to be an RFC 9457 problem with `status` and type urn:accord:problem:<name>
// (a non-empty detail); returns the parsed document (null if it is not one).
inline nlohmann::json ExpectProblem(const absl::StatusOr<http::ClientResponse>& r, int status,
                                    std::string_view name) {
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok()) return nullptr;
  EXPECT_EQ(r->status, status) << r->body;
  EXPECT_EQ(r->headers.Get("Content-Type").value_or(""), http::kProblemContentType) << r->body;
  auto doc = nlohmann::json::parse(r->body, nullptr, false);
  EXPECT_TRUE(doc.is_object()) << r->body;
  if (!doc.is_object()) return nullptr;
  EXPECT_EQ(doc.value("type", ""), http::ProblemType(name)) << r->body;
  EXPECT_EQ(doc.value("status", 0), status) << r->body;
  EXPECT_FALSE(doc.value("detail", "").empty()) << r->body;
  return doc;
}

// The size of the node's log as /healthz reports it (the log's own latest checkpoint;
// GET /checkpoint of a federated node serves the witnessed one, which may lag), or
// nullopt. /healthz carries "size" when the node is healthy and when it is not.
inline std::optional<uint64_t> LogSize(http::Client& c) {
  auto r = c.Get("/healthz");
  if (!r.ok()) return std::nullopt;
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  if (!j.is_object() || !j.contains("size") || !j["size"].is_number_unsigned()) return std::nullopt;
  return j["size"].get<uint64_t>();
}

// The size of the checkpoint GET /checkpoint serves (a federated node's witnessed one,
// published a moment after the log's), or nullopt.
inline std::optional<uint64_t> PublishedSize(http::Client& c) {
  auto r = c.Get("/checkpoint");
  if (!r.ok() || r->status != 200) return std::nullopt;
  std::istringstream in(r->body);
  std::string origin, size;
  if (!std::getline(in, origin) || !std::getline(in, size)) return std::nullopt;
  return std::strtoull(size.c_str(), nullptr, 10);
}

// Every file under `dir` (relative path → hex SHA-256 of its contents; folders as "/").
using Snapshot = std::map<std::string, std::string>;
inline Snapshot SnapshotOf(const fs::path& dir) {
  Snapshot out;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    const std::string rel = it->path().lexically_relative(dir).string();
    if (it->is_directory()) {
      out[rel] = "/";
    } else {
      out[rel] = util::HexEncode(crypto::Sha256(Slurp(it->path())));
    }
  }
  return out;
}

// An RFC 9421 request signer for the party whose private key file (signed-note format)
// holds `skey`, as the node's peers sign body requests.
inline http::RequestSigner RequestSignerFor(std::string_view skey, http::SignOptions options = {}) {
  skey = util::StripWhitespace(skey);
  auto key = note::ParsePrivateKey(skey);
  EXPECT_TRUE(key.ok()) << key.status();
  auto signer = note::NewSigner(skey);
  EXPECT_TRUE(signer.ok()) << signer.status();
  auto verifier = *note::NewVerifier(signer->VerifierKeyString());
  auto seed = crypto::Ed25519PrivateKey::FromSeedBytes(key->key);
  EXPECT_TRUE(seed.ok()) << seed.status();
  return http::RequestSigner(statement::KeyId(*verifier), *std::move(seed), std::move(options));
}

// Polls `condition` every 20 ms until it holds or `timeout` passes.
inline bool Eventually(const std::function<bool()>& condition,
                       absl::Duration timeout = absl::Seconds(10)) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!condition()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return true;
}

}  // namespace accord::cli::testing

#endif  // ACCORD_CLI_NODE_HARNESS_H_
