#include "src/casework/body_client.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "src/casework/bodies_api.h"
#include "src/http/client.h"
#include "src/note/keys.h"
#include "src/statement/statement.h"
#include "src/util/encoding.h"
#include "src/util/json.h"

namespace accord::casework {

absl::StatusOr<http::RequestSigner> PartyRequestSigner(std::string_view skey) {
  auto signer = note::NewSigner(skey);
  if (!signer.ok()) return signer.status();
  auto key = note::ParsePrivateKey(skey);
  if (!key.ok()) return key.status();
  if (key->key.size() != crypto::kEd25519SeedSize)
    return absl::InvalidArgumentError("not an Ed25519 private key");
  crypto::Ed25519Seed seed;
  std::copy(key->key.begin(), key->key.end(), seed.begin());
  auto verifier = note::NewVerifier(signer->VerifierKeyString());
  if (!verifier.ok()) return verifier.status();
  return http::RequestSigner(statement::KeyId(**verifier),
                             crypto::Ed25519PrivateKey::FromSeed(seed));
}

absl::Status PutBody(std::string_view node_url, std::string_view skey, const Body& body,
                     const std::vector<std::pair<std::string, BoxPublicKey>>& addressees) {
  std::vector<SealedCopy> copies;
  for (const auto& [origin, key] : addressees) {
    auto sealed = Seal(body.plaintext, key);
    if (!sealed.ok()) return sealed.status();
    copies.push_back({origin, *std::move(sealed)});
  }
  auto client = http::Client::Create(node_url);
  if (!client.ok()) return client.status();
  auto signer = PartyRequestSigner(skey);
  if (!signer.ok()) return signer.status();
  http::ClientRequest req;
  req.method = "PUT";
  req.target = absl::StrCat("/v1/bodies/", body.commitment);
  req.headers.Set("Content-Type", "application/json");
  req.body = PutBodiesRequest(copies);
  if (auto s = signer->Sign((*client)->url(), req); !s.ok()) return s;
  auto r = (*client)->Do(req);
  if (!r.ok()) return r.status();
  if (r->status != 201) return http::StatusFromResponse(*r);
  return absl::OkStatus();
}

absl::StatusOr<FetchedBody> FetchBody(std::string_view node_url, std::string_view skey,
                                      const BoxKeyPair& box, std::string_view commitment) {
  auto client = http::Client::Create(node_url);
  if (!client.ok()) return client.status();
  auto signer = PartyRequestSigner(skey);
  if (!signer.ok()) return signer.status();
  http::ClientRequest req;
  req.target = absl::StrCat("/v1/bodies/", std::string(commitment));
  if (auto s = signer->Sign((*client)->url(), req); !s.ok()) return s;
  auto r = (*client)->Do(req);
  if (!r.ok()) return r.status();
  if (r->status != 200) return http::StatusFromResponse(*r);
  const auto j = util::ParseJson(r->body).value_or(nlohmann::json());
  if (!j.is_object() || !j.contains("sealed") || !j["sealed"].is_string())
    return absl::DataLossError("the node's answer carries no sealed copy");
  auto sealed = util::Base64Decode(j["sealed"].get<std::string>());
  if (!sealed) return absl::DataLossError("the sealed copy is not base64");
  auto plaintext = Open(util::AsChars(*sealed), box);
  if (!plaintext.ok()) return plaintext.status();
  if (auto s = VerifyCommitment(*plaintext, commitment); !s.ok()) return s;
  auto content = ParseBody(*plaintext);
  if (!content.ok()) return content.status();
  FetchedBody out;
  out.plaintext = *std::move(plaintext);
  out.content = *std::move(content);
  out.statement = j.value("statement", nlohmann::json::object());
  return out;
}

}  // namespace accord::casework
