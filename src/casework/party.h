// A party's node as it runs in production: the federation (directory, witness,
// witnessing, monitor — src/federation) and casework on top of it:
//  - every submitted request is checked against its procedure (CheckRequest), and every
//    response against the state machine of the request it answers (CheckResponse): the
//    request is found in this party's log (a withdrawal) or in the monitor's inbox, the
//    earlier answers in both;
//  - confidential bodies (PUT/GET /v1/bodies/{commitment}) with requests authenticated by
//    RFC 9421 signatures under the parties' log keys from the directory, each release to
//    another party recorded as an `access` statement before the body leaves.
//
// Files in the node's data folder, besides the federation's: box.key / box.pub (the
// X25519 key bodies addressed to this party are sealed to), bodies/ (sealed copies).
#ifndef ACCORD_CASEWORK_PARTY_H_
#define ACCORD_CASEWORK_PARTY_H_

#include <filesystem>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "src/casework/bodies_api.h"
#include "src/casework/body_store.h"
#include "src/casework/cases.h"
#include "src/casework/procedures.h"
#include "src/federation/federation.h"
#include "src/http/signature.h"
#include "src/node/api.h"

namespace accord::casework {

class PartyExtension final : public node::NodeExtension {
 public:
  static node::ExtensionFactory Factory(std::filesystem::path data_dir,
                                        federation::FederationOptions federation,
                                        CaseworkOptions casework = {});
  static absl::StatusOr<std::unique_ptr<PartyExtension>> Attach(
      node::Node& node, http::Router& router, http::Registry& metrics,
      const std::filesystem::path& data_dir, const federation::FederationOptions& federation,
      CaseworkOptions casework);
  ~PartyExtension() override;

  void Stop() override;
  std::string name() const override { return "federation"; }
  nlohmann::json Health(bool& healthy) const override;

  federation::Federation& federation() { return *federation_; }

  // Every case this node knows of, evaluated now (GET /v1/cases).
  absl::StatusOr<std::vector<Case>> Cases() const;

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
  CaseworkOptions options_;
  std::unique_ptr<federation::Federation> federation_;
  std::unique_ptr<http::MemoryNonceCache> nonces_;
  std::unique_ptr<Authenticator> authenticator_;
  std::unique_ptr<BodyStore> bodies_;
  std::unique_ptr<BodiesApi> bodies_api_;
};

// The RFC 9421 signer for requests by the party whose private key (signed-note format)
// is `skey`: keyid = statement::KeyId of its verifier.
absl::StatusOr<http::RequestSigner> PartyRequestSigner(std::string_view skey);

}  // namespace accord::casework

#endif  // ACCORD_CASEWORK_PARTY_H_
