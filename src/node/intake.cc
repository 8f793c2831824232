#include "src/node/intake.h"

#include <algorithm>
#include <optional>

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

Intake::Intake(std::shared_ptr<const note::Verifier> party_key,
               const statement::Validator& validator)
    : party_key_(std::move(party_key)),
      origin_(party_key_->Name()),
      party_keyid_(statement::KeyId(*party_key_)),
      validator_(validator) {}

void Intake::ResetOfficers() {
  absl::MutexLock lock(&mu_);
  officers_ = OfficerRegistry();
  ++officers_version_;
}

size_t Intake::officers() const {
  absl::MutexLock lock(&mu_);
  return officers_.active();
}

uint64_t Intake::officers_version() const {
  absl::MutexLock lock(&mu_);
  return officers_version_;
}

store::IndexedStatement Intake::MetaOf(const statement::Statement& s, std::string signer) const {
  store::IndexedStatement m;  // leaf_hash: of the logged bytes, set by the caller
  m.kind = std::string(statement::KindName(s.kind));
  m.issuer = s.issuer;
  m.issued_unix = absl::ToUnixSeconds(s.issued);
  m.signer = std::move(signer);
  m.digest = statement::StatementDigest(s.envelope);
  for (const auto& r : s.refs) m.refs.push_back({r.origin, r.index, r.leaf_hash});
  m.addressees = s.addressees;
  m.private_commitment = s.private_commitment;
  return m;
}

absl::StatusOr<store::IndexedStatement> Intake::Describe(std::string_view entry) const {
  auto parsed = validator_.Parse(entry);
  if (!parsed.ok()) return parsed.status();
  std::string signer =
      parsed->envelope.signatures.empty() ? "" : parsed->envelope.signatures[0].keyid;
  auto meta = MetaOf(*parsed, std::move(signer));
  meta.leaf_hash = statement::LeafHashOf(entry);
  return meta;
}

absl::StatusOr<Accepted> Intake::Admit(std::string_view envelope, absl::Time now) const {
  return Accept(envelope, now, /*logged=*/false);
}

absl::StatusOr<Accepted> Intake::Verify(std::string_view entry) const {
  return Accept(entry, std::nullopt, /*logged=*/true);
}

absl::StatusOr<Accepted> Intake::Accept(std::string_view envelope, std::optional<absl::Time> now,
                                        bool logged) const {
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
  if (logged && !statement::IsLoggedForm(envelope, st.envelope)) {
    return WithProblemName(
        absl::InvalidArgumentError("the entry is not in the logged form (one signature, one "
                                   "spelling): the same statement could appear twice"),
        kProblemBadEnvelope);
  }
  // Which signatures come from keys allowed to sign this statement, here and now? The
  // keys are collected under the lock and the signatures verified after it, in parallel
  // across threads. The party key comes first, then officers in keyid order, so the
  // signature kept is the same whatever order the submission listed them in.
  std::vector<const statement::Signature*> sigs;
  for (const auto& sig : st.envelope.signatures) sigs.push_back(&sig);
  std::sort(sigs.begin(), sigs.end(), [this](const auto* a, const auto* b) {
    const bool pa = a->keyid == party_keyid_, pb = b->keyid == party_keyid_;
    return pa != pb ? pa : a->keyid < b->keyid;
  });
  std::vector<std::pair<const statement::Signature*, std::shared_ptr<const note::Verifier>>>
      candidates;
  absl::Status refused;  // why a known officer key may not sign this one
  uint64_t version = 0;
  {
    absl::MutexLock lock(&mu_);
    version = officers_version_;
    for (const statement::Signature* sig : sigs) {
      if (sig->keyid == party_keyid_) {
        candidates.emplace_back(sig, nullptr);  // the party key, owned by this
      } else if (st.kind != statement::Kind::kOfficer) {
        auto key = officers_.SignerFor(sig->keyid, st.issued, now);
        if (key.ok()) {
          candidates.emplace_back(sig, *std::move(key));
        } else if (absl::IsPermissionDenied(key.status()) && refused.ok()) {
          refused = key.status();
        }
      }
    }
  }
  const statement::Signature* kept = nullptr;
  for (const auto& [sig, key] : candidates) {
    statement::Envelope one{st.envelope.payload_type, st.envelope.payload, {*sig}};
    if (statement::VerifiedBy(one, key ? *key : *party_key_)) {
      kept = sig;
      break;
    }
  }
  if (kept == nullptr) {
    if (!candidates.empty()) {
      return WithProblemName(
          absl::UnauthenticatedError("the signature by an authorised key does not verify"),
          kProblemBadSignature);
    }
    if (!refused.ok()) return WithProblemName(refused, kProblemUnknownSigner);
    return WithProblemName(
        absl::PermissionDeniedError(absl::StrCat(
            "no signature by ", origin_, "'s party key",
            st.kind == statement::Kind::kOfficer ? "" : " or an authorised officer key")),
        kProblemUnknownSigner);
  }
  // Only the party's word is weighed: whether its decision changes anything is checked
  // once the signature is known to be the party's.
  if (st.kind == statement::Kind::kOfficer) {
    absl::MutexLock lock(&mu_);
    if (officers_version_ != version) version = ~uint64_t{0};  // judged across a change
    if (absl::Status c = officers_.Check(st); !c.ok()) {
      return WithProblemName(
          c, absl::IsFailedPrecondition(c) ? kProblemOfficerDecision : kProblemSchema);
    }
  }
  Accepted out;
  out.entry = logged ? std::string(envelope) : statement::LoggedForm(st.envelope, *kept);
  out.meta = MetaOf(st, kept->keyid);
  out.meta.leaf_hash = statement::LeafHashOf(out.entry);
  out.statement = std::move(st);
  out.officers_version = version;
  return out;
}

absl::Status Intake::Apply(const statement::Statement& officer) {
  absl::MutexLock lock(&mu_);
  absl::Status s = officers_.Apply(officer);
  if (s.ok()) ++officers_version_;
  return s;
}

}  // namespace accord::node
