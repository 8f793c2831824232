#include "src/node/intake.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"

namespace accord::node {
namespace {
constexpr char kProblemPayloadUrl[] = "urn:accord:problem-type";
}  // namespace

std::optional<std::string> ProblemName(const absl::Status& status) {
  auto p = status.GetPayload(kProblemPayloadUrl);
  if (!p) return std::nullopt;
  return std::string(*p);
}

absl::Status WithProblemName(absl::Status status, std::string_view type) {
  status.SetPayload(kProblemPayloadUrl, absl::Cord(std::string(type)));
  return status;
}

Intake::Intake(std::unique_ptr<note::Verifier> party_key, const statement::Validator& validator)
    : party_key_(std::move(party_key)),
      origin_(party_key_->Name()),
      party_keyid_(statement::KeyId(*party_key_)),
      validator_(validator) {}

size_t Intake::officers() const {
  absl::MutexLock lock(&mu_);
  return officers_.size();
}

store::IndexedStatement Intake::MetaOf(const statement::Statement& s, std::string signer) const {
  store::IndexedStatement m;  // leaf_hash: of the exact bytes, set by the caller
  m.kind = std::string(statement::KindName(s.kind));
  m.issuer = s.issuer;
  m.issued_unix = absl::ToUnixSeconds(s.issued);
  m.signer = std::move(signer);
  for (const auto& r : s.refs) m.refs.push_back({r.origin, r.index, r.leaf_hash});
  m.addressees = s.addressees;
  m.private_commitment = s.private_commitment;
  return m;
}

absl::StatusOr<store::IndexedStatement> Intake::Describe(std::string_view envelope) const {
  auto parsed = validator_.Parse(envelope);
  if (!parsed.ok()) return parsed.status();
  std::string signer =
      parsed->envelope.signatures.empty() ? "" : parsed->envelope.signatures[0].keyid;
  auto meta = MetaOf(*parsed, std::move(signer));
  meta.leaf_hash = statement::LeafHashOf(envelope);
  return meta;
}

absl::StatusOr<Accepted> Intake::Check(std::string_view envelope) const {
  auto parsed = validator_.Parse(envelope);
  if (!parsed.ok()) {
    std::string_view name = kProblemSchema;
    switch (statement::FaultOf(parsed.status()).value_or(statement::Fault::kBadPayload)) {
      case statement::Fault::kTooLarge:
        name = kProblemTooLarge;
        break;
      case statement::Fault::kBadJson:
        name = kProblemBadJson;
        break;
      case statement::Fault::kBadEnvelope:
        name = kProblemBadEnvelope;
        break;
      case statement::Fault::kBadPayload:
        name = kProblemSchema;
        break;
    }
    return WithProblemName(parsed.status(), name);
  }
  statement::Statement& st = *parsed;
  if (st.issuer != origin_) {
    return WithProblemName(
        absl::InvalidArgumentError(absl::StrCat("the statement's issuer \"", st.issuer,
                                                "\" is not this node's party \"", origin_, "\"")),
        kProblemWrongIssuer);
  }
  // Which signatures come from keys allowed to sign this statement? The keys are
  // collected under the lock and the signatures verified after it, in parallel across
  // threads.
  std::vector<std::pair<std::string, std::shared_ptr<const note::Verifier>>> candidates;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& sig : st.envelope.signatures) {
      if (sig.keyid == party_keyid_) {
        candidates.emplace_back(sig.keyid, nullptr);  // the party key, owned by this
      } else if (st.kind != statement::Kind::kOfficer) {
        if (auto it = officers_.find(sig.keyid); it != officers_.end()) {
          candidates.emplace_back(sig.keyid, it->second);
        }
      }
    }
  }
  std::string signer;
  const bool known_keyid = !candidates.empty();
  for (const auto& [keyid, key] : candidates) {
    if (statement::VerifiedBy(st.envelope, key ? *key : *party_key_)) {
      signer = keyid;
      break;
    }
  }
  if (signer.empty()) {
    if (known_keyid) {
      return WithProblemName(
          absl::UnauthenticatedError("the signature by an authorised key does not verify"),
          kProblemBadSignature);
    }
    return WithProblemName(
        absl::PermissionDeniedError(absl::StrCat(
            "no signature by ", origin_, "'s party key",
            st.kind == statement::Kind::kOfficer ? "" : " or an authorised officer key")),
        kProblemUnknownSigner);
  }
  Accepted out{std::move(st), {}};
  out.meta = MetaOf(out.statement, std::move(signer));
  out.meta.leaf_hash = statement::LeafHashOf(envelope);
  return out;
}

absl::Status Intake::Apply(const statement::Statement& officer) {
  if (officer.kind != statement::Kind::kOfficer) {
    return absl::InvalidArgumentError("not an officer statement");
  }
  const auto& p = officer.payload;
  const std::string action = p.value("action", "");
  const std::string vkey = p.value("key", "");
  auto verifier = note::NewVerifier(vkey);
  if (!verifier.ok()) return verifier.status();
  const std::string keyid = statement::KeyId(**verifier);
  absl::MutexLock lock(&mu_);
  if (action == "authorize") {
    officers_[keyid] = std::shared_ptr<const note::Verifier>(*std::move(verifier));
  } else if (action == "revoke") {
    officers_.erase(keyid);
  } else {
    return absl::InvalidArgumentError(absl::StrCat("unknown officer action \"", action, "\""));
  }
  return absl::OkStatus();
}

}  // namespace accord::node
