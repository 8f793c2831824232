// The client side of confidential bodies (docs/casework-bodies.md): a party stores the
// sealed copies of a body on its own node before it publishes the statement carrying the
// commitment, and an addressee fetches its copy from the issuer's node, opens it with its
// box key and checks it against the commitment. Requests are signed (RFC 9421) with the
// party's log key.
#ifndef ACCORD_CASEWORK_BODY_CLIENT_H_
#define ACCORD_CASEWORK_BODY_CLIENT_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "src/casework/confidential.h"
#include "src/http/signature.h"

namespace accord::casework {

// The RFC 9421 signer for requests by the party whose private key (signed-note format)
// is `skey`: keyid = statement::KeyId of its verifier. InvalidArgument unless `skey` is
// an Ed25519 note key.
absl::StatusOr<http::RequestSigner> PartyRequestSigner(std::string_view skey);

// Seals `body` to each addressee's box key and PUTs the copies to the node at `node_url`
// (this party's own), signing with the party's private key `skey`. Errors carry the
// node's problem detail.
absl::Status PutBody(std::string_view node_url, std::string_view skey, const Body& body,
                     const std::vector<std::pair<std::string, BoxPublicKey>>& addressees);

struct FetchedBody {
  std::string plaintext;  // verified against the commitment
  BodyContent content;
  nlohmann::json statement;  // the ref of the statement that entitled the fetch
};

// GETs this party's copy of body `commitment` from the issuer's node, signing with
// `skey`, opens it with `box` and verifies it: DataLoss if it does not match the
// commitment (tampered), PermissionDenied if the node refuses (not an addressee).
absl::StatusOr<FetchedBody> FetchBody(std::string_view node_url, std::string_view skey,
                                      const BoxKeyPair& box, std::string_view commitment);

}  // namespace accord::casework

#endif  // ACCORD_CASEWORK_BODY_CLIENT_H_
