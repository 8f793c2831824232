// A party's node as it runs in production, composed: the composition root. This part is
// the only one that opens a party's keys (keys.h) and chooses its extensions; the parts
// it composes take what it opened:
//  - the node (src/node): the log, the statement index, intake, the HTTP API;
//  - the federation (src/federation): directory, witness, witnessing, monitor;
//  - casework on top of it: every submitted request is checked against its procedure
//    (CheckRequest), and every response against the state machine of the request it
//    answers (CheckResponse): the request is found in this party's log (a withdrawal) or
//    in the monitor's inbox, the earlier answers in both;
//  - confidential bodies (PUT/GET /v1/bodies/{commitment}) with requests authenticated by
//    RFC 9421 signatures under the parties' log keys from the directory, each release to
//    another party recorded as an `access` statement before the body leaves.
//
// `accord serve`, `accord demo`, `accord directory entry` and the drill all start and
// provision parties through here, so a drill exercises what production runs.
//
// The data folder: the keys (keys.h), the backends (store::OpenEmbeddedBackends,
// src/store/backends.h: log, index, witness state, published checkpoint, monitor) and
// bodies/ (sealed copies of confidential bodies).
#ifndef ACCORD_PARTY_PARTY_H_
#define ACCORD_PARTY_PARTY_H_

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/casework/bodies_api.h"
#include "src/casework/body_store.h"
#include "src/casework/cases.h"
#include "src/casework/procedures.h"
#include "src/federation/directory.h"
#include "src/federation/federation.h"
#include "src/http/signature.h"
#include "src/node/api.h"
#include "src/party/keys.h"

namespace accord::party {

struct PartyOptions {
  // node.data_dir is the data folder; node.key and node.stores are filled in here.
  node::NodeOptions node;
  // The party key (from `accord keygen`). Empty: DATA/party.key, created on first start
  // for `name`.
  std::filesystem::path key_file;
  std::string name = "party.accord.localhost/log";
  // Where the log, index and checkpoints live (store::OpenBackends): empty for the data
  // folder, or a PostgreSQL connection string that several front ends share.
  std::string store;
  http::ServerOptions http;
  // Set: the node joins the federation its directory lists, and runs casework.
  // federation->witness_key and ->stores are filled in here.
  std::optional<federation::FederationOptions> federation;
  // The witness key. Empty: DATA/witness.key, created on first start.
  std::filesystem::path witness_key_file;
  casework::CaseworkOptions casework;
};

// Starts the party's node with its keys and, with `federation`, its extension
// (PartyExtension). Errors as node::NodeServer::Start; a witness key without a
// federation is InvalidArgument.
absl::StatusOr<std::unique_ptr<node::NodeServer>> StartParty(PartyOptions options);

// All three keys of `data_dir`, created where missing: the log key for `origin`, the
// witness key named after the log key's origin (federation::WitnessNameFor). Keys are
// created only under the data folder's lock, so that this never races a node (or
// another call) creating the same key: while a node holds the folder its keys are only
// read, and a key it lacks is FailedPrecondition, naming the holder.
struct PartyKeys {
  note::Ed25519Signer log;
  note::CosignatureV1Signer witness;
  crypto::BoxKeyPair box;
};
absl::StatusOr<PartyKeys> LoadOrCreateKeys(const std::filesystem::path& data_dir,
                                           std::string_view origin);

// The party's directory entry for `keys`, reached at `url`, witnessing there too.
federation::Party DirectoryEntry(const PartyKeys& keys, std::string name, std::string url,
                                 federation::Contact contact);

// The node extension of a federated party: federation and casework.
class PartyExtension final : public node::NodeExtension {
 public:
  // `bodies` is called once, when the extension attaches: the body storage of the
  // party's backends (store::Backends::bodies).
  using BodiesProvider = std::function<absl::StatusOr<std::unique_ptr<store::BodyStorage>>()>;
  static node::ExtensionFactory Factory(std::filesystem::path data_dir,
                                        federation::FederationOptions federation,
                                        BodiesProvider bodies,
                                        casework::CaseworkOptions casework = {});
  static absl::StatusOr<std::unique_ptr<PartyExtension>> Attach(
      node::Node& node, http::Router& router, http::Registry& metrics,
      const std::filesystem::path& data_dir, const federation::FederationOptions& federation,
      std::unique_ptr<store::BodyStorage> bodies, casework::CaseworkOptions casework);
  ~PartyExtension() override;

  void Stop() override;
  std::string name() const override { return "federation"; }
  nlohmann::json Health(bool& healthy) const override;

  federation::Federation& federation() { return *federation_; }

  // Every case this node knows of, evaluated now (GET /v1/cases).
  absl::StatusOr<std::vector<casework::Case>> Cases() const;

  // The submission check: requests against their procedure, responses against the state
  // machine of the request they answer. Exposed for tests.
  absl::Status CheckSubmission(const statement::Statement& statement) const;

  class Authenticator;

 private:
  PartyExtension() = default;
  // The request a response answers, and the answers to it so far (this log's and the
  // requester's withdrawals), in issue order.
  absl::StatusOr<statement::Statement> FindRequest(const statement::Ref& ref) const;
  absl::StatusOr<std::vector<statement::Statement>> EarlierResponses(
      const statement::Statement& request, const statement::Ref& ref) const;

  node::Node* node_ = nullptr;
  casework::CaseworkOptions options_;
  std::unique_ptr<federation::Federation> federation_;
  std::unique_ptr<http::MemoryNonceCache> nonces_;
  std::unique_ptr<Authenticator> authenticator_;
  std::unique_ptr<casework::BodyStore> bodies_;
  std::unique_ptr<casework::BodiesApi> bodies_api_;
};

}  // namespace accord::party

#endif  // ACCORD_PARTY_PARTY_H_
