// Test helpers for nodes: data folders, signed example statements, HTTP calls.
#ifndef ACCORD_NODE_TESTING_H_
#define ACCORD_NODE_TESTING_H_

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "src/node/node.h"
#include "src/note/keys.h"
#include "src/party/keys.h"
#include "src/statement/statement.h"
#include "src/store/backends.h"
#include "src/test/temp_dir.h"

namespace accord::node::testing {

using TempDir = test::TempDir;

// docs/examples/<kind>.json, issued by `issuer` now (inside every node's intake window),
// `nonce` microseconds after the current second: distinct nonces make distinct
// statements, and within one second a larger nonce is issued later.
inline nlohmann::json ExamplePayload(statement::Kind kind, const std::string& issuer,
                                     int nonce = 0) {
  nlohmann::json p = statement::Example(kind);
  p["issuer"] = issuer;
  const absl::Time second = absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()));
  p["issued"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", second + absl::Microseconds(nonce),
                                 absl::UTCTimeZone());
  return p;
}

// The example signed by `signer`, its refs pointed at `cited` (statement::CiteIn: refs
// to kinds not cited are dropped where optional).
inline std::string SignedExample(statement::Kind kind, const std::string& issuer,
                                 const note::Ed25519Signer& signer, int nonce = 0,
                                 const std::map<statement::Kind, statement::Ref>& cited = {}) {
  nlohmann::json p = ExamplePayload(kind, issuer, nonce);
  statement::CiteIn(p, cited);
  return *statement::Sign(kind, p.dump(), signer);
}

// The party key the way production gives it to a node (src/party): DIR/party.key, created
// for `name` on the first start. For NodeOptions::key; link accord_party_keys.
inline std::function<absl::StatusOr<note::Ed25519Signer>()> PartyKeyIn(
    const std::filesystem::path& data_dir, std::string name) {
  return [path = party::KeyFiles::In(data_dir).party_key, name = std::move(name)] {
    return party::LoadOrCreatePartyKey(path, name, /*create=*/true);
  };
}

// The stores the way production gives them to a node: the embedded backend in
// `data_dir` (store::OpenEmbeddedBackends, without the federation's). For
// NodeOptions::stores.
inline std::function<absl::StatusOr<NodeStores>()> EmbeddedStoresIn(
    const std::filesystem::path& data_dir) {
  return [data_dir]() -> absl::StatusOr<NodeStores> {
    auto b = store::OpenEmbeddedBackends(data_dir, /*federated=*/false);
    if (!b.ok()) return b.status();
    return NodeStores{std::move(b->log), std::move(b->index)};
  };
}

// A fresh Ed25519 key named `name`.
inline note::Ed25519Signer NewKey(std::string_view name) {
  return *note::NewSigner(note::GenerateKey(name)->private_key);
}

// docs/examples/incident.json by `issuer`, issued at `issued` (RFC 3339), signed by `by`.
inline std::string IncidentAt(const std::string& issuer, std::string_view issued,
                              const note::Ed25519Signer& by) {
  nlohmann::json p = ExamplePayload(statement::Kind::kIncident, issuer);
  p["issued"] = std::string(issued);
  return *statement::Sign(statement::Kind::kIncident, p.dump(), by);
}

// An officer decision ("authorize" or "revoke") of the party whose key is `party` (its
// name is the issuer) about `officer`'s key, issued at `issued`, signed by the party.
inline std::string OfficerDecision(const note::Ed25519Signer& party, std::string_view action,
                                   const note::Ed25519Signer& officer, std::string_view issued,
                                   std::optional<std::string_view> valid_until = std::nullopt) {
  nlohmann::json p = ExamplePayload(statement::Kind::kOfficer, std::string(party.Name()));
  p["issued"] = std::string(issued);
  p["action"] = std::string(action);
  p["key"] = officer.VerifierKeyString();
  p.erase("valid_until");
  if (valid_until) p["valid_until"] = std::string(*valid_until);
  return *statement::Sign(statement::Kind::kOfficer, p.dump(), party);
}

inline note::Ed25519Signer KeyFromFile(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::string line;
  std::getline(in, line);
  return *note::NewSigner(line);
}

// The (method, path) pairs docs/openapi.yaml documents; paths marked
// `x-accord-federation: true` only if `federated`. "/tile/{path}" is the router's "/tile/*".
inline std::set<std::pair<std::string, std::string>> DocumentedRoutes(bool federated) {
  std::ifstream in(std::filesystem::path(ACCORD_SOURCE_DIR) / "docs/openapi.yaml");
  std::set<std::pair<std::string, std::string>> documented;
  std::string line, path;
  bool in_paths = false, federation = false;
  const std::regex path_re(R"(^  (/\S*):\s*$)"),
      method_re(R"(^    (get|head|post|put|delete|patch):)");
  std::smatch m;
  while (std::getline(in, line)) {
    if (line == "paths:") {
      in_paths = true;
      continue;
    }
    if (in_paths && !line.empty() && line[0] != ' ') break;
    if (std::regex_search(line, m, path_re)) {
      path = m[1];
      federation = false;
    } else if (line == "    x-accord-federation: true") {
      federation = true;
    } else if (std::regex_search(line, m, method_re) && (federated || !federation)) {
      std::string method = m[1];
      for (auto& c : method) c = static_cast<char>(std::toupper(c));
      documented.insert({method, path == "/tile/{path}" ? "/tile/*" : path});
    }
  }
  return documented;
}

}  // namespace accord::node::testing

#endif  // ACCORD_NODE_TESTING_H_
