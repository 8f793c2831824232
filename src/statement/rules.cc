// What the schemas cannot say, checked after them, and the shared fields of a
// Statement taken from its payload. Every function here may assume the payload is valid
// against its kind's schema (types, required members, patterns); it re-checks only what
// a pattern cannot (calendar dates, decoded lengths, keys, proofs).
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/note/checkpoint.h"
#include "src/note/note.h"
#include "src/statement/internal.h"
#include "src/statement/taxonomy.h"
#include "src/tlog/proof.h"
#include "src/util/encoding.h"

namespace accord::statement::internal {
namespace {

using Json = nlohmann::json;

// Members that hold timestamps, in every kind's schema (common.v1.json#/definitions/
// timestamp). A new timestamp member in a schema belongs here too.
constexpr std::string_view kTimeMembers[] = {
    "issued",        "detected",   "started",     "ended", "first_observed",
    "last_observed", "first_seen", "last_seen",   "start", "end",
    "respond_by",    "until",      "valid_until", "given"};

// Pairs of members of one object that bound an interval: the second may not be earlier.
constexpr std::pair<std::string_view, std::string_view> kIntervals[] = {
    {"started", "ended"},
    {"first_observed", "last_observed"},
    {"first_seen", "last_seen"},
    {"start", "end"}};

absl::StatusOr<absl::Time> ParseTimestamp(const Json& value, const std::string& where) {
  absl::Time t;
  std::string err;
  if (!value.is_string() ||
      !absl::ParseTime(absl::RFC3339_full, value.get<std::string>(), &t, &err)) {
    return BadPayload(where, absl::StrCat("not an RFC 3339 time: ", err));
  }
  return t;
}

// Checks every timestamp in `node` and the intervals of every object in it.
absl::Status CheckTimes(const Json& node, const std::string& where) {
  if (node.is_array()) {
    for (size_t i = 0; i < node.size(); ++i) {
      if (auto s = CheckTimes(node[i], absl::StrCat(where, "/", i)); !s.ok()) return s;
    }
    return absl::OkStatus();
  }
  if (!node.is_object()) return absl::OkStatus();
  for (const auto& [key, value] : node.items()) {
    const std::string at = absl::StrCat(where, "/", PointerToken(key));
    if (std::find(std::begin(kTimeMembers), std::end(kTimeMembers), key) !=
        std::end(kTimeMembers)) {
      if (auto t = ParseTimestamp(value, at); !t.ok()) return t.status();
    } else if (auto s = CheckTimes(value, at); !s.ok()) {
      return s;
    }
  }
  for (const auto& [first, second] : kIntervals) {
    auto a = node.find(std::string(first));
    auto b = node.find(std::string(second));
    if (a == node.end() || b == node.end()) continue;
    const std::string at = absl::StrCat(where, "/", std::string(second));
    absl::StatusOr<absl::Time> ta = ParseTimestamp(*a, at), tb = ParseTimestamp(*b, at);
    if (ta.ok() && tb.ok() && *tb < *ta) {
      return BadPayload(at, absl::StrCat("is earlier than ", std::string(first)));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<crypto::Digest> DecodeHash(const Json& value, const std::string& where) {
  std::optional<std::vector<uint8_t>> bytes;
  if (value.is_string()) bytes = util::Base64Decode(value.get_ref<const std::string&>());
  crypto::Digest d;
  if (!bytes.has_value() || bytes->size() != d.size()) {
    return BadPayload(where, "must be canonical base64 of a 32-byte hash");
  }
  std::copy(bytes->begin(), bytes->end(), d.begin());
  return d;
}

absl::StatusOr<Ref> ParseRef(const Json& j, const std::string& where, std::optional<Kind> implied) {
  Ref ref;
  ref.origin = j.at("origin").get<std::string>();
  ref.index = j.at("index").get<uint64_t>();
  absl::StatusOr<crypto::Digest> hash = DecodeHash(j.at("leaf_hash"), where + "/leaf_hash");
  if (!hash.ok()) return hash.status();
  ref.leaf_hash = *hash;
  ref.kind = implied;
  if (auto k = j.find("kind"); k != j.end()) ref.kind = ParseKind(k->get<std::string>());
  return ref;
}

// Appends `ref` unless the same statement is already cited.
void AddRef(Ref ref, std::vector<Ref>* refs) {
  for (Ref& r : *refs) {
    if (r.origin == ref.origin && r.index == ref.index && r.leaf_hash == ref.leaf_hash) {
      if (!r.kind.has_value()) r.kind = ref.kind;
      return;
    }
  }
  refs->push_back(std::move(ref));
}

absl::Status ExtractRefs(Statement* out) {
  const Json& p = out->payload;
  if (auto it = p.find("refs"); it != p.end()) {
    for (size_t i = 0; i < it->size(); ++i) {
      absl::StatusOr<Ref> ref = ParseRef((*it)[i], absl::StrCat("/payload/refs/", i), {});
      if (!ref.ok()) return ref.status();
      AddRef(*std::move(ref), &out->refs);
    }
  }
  if (out->kind == Kind::kClaim) {
    const Json& evidence = p.at("evidence");
    for (size_t i = 0; i < evidence.size(); ++i) {
      absl::StatusOr<Ref> ref =
          ParseRef(evidence[i], absl::StrCat("/payload/evidence/", i), Kind::kEvidence);
      if (!ref.ok()) return ref.status();
      AddRef(*std::move(ref), &out->refs);
    }
  } else if (out->kind == Kind::kResponse) {
    absl::StatusOr<Ref> ref = ParseRef(p.at("request"), "/payload/request", Kind::kRequest);
    if (!ref.ok()) return ref.status();
    AddRef(*std::move(ref), &out->refs);
  }
  return absl::OkStatus();
}

// Every offence code an incident, request or claim names is in the shared taxonomy
// (docs/taxonomy/offences.v1.json), so that parties name one conduct one way.
absl::Status CheckOffences(const Json& p) {
  auto it = p.find("offences");
  if (it == p.end()) return absl::OkStatus();
  const Taxonomy& taxonomy = OffenceTaxonomy();
  for (size_t i = 0; i < it->size(); ++i) {
    const std::string& code = (*it)[i].get_ref<const std::string&>();
    if (taxonomy.Find(code) == nullptr) {
      return BadPayload(absl::StrCat("/payload/offences/", i),
                        absl::StrCat("\"", code, "\" is not an offence code of the taxonomy v",
                                     taxonomy.version(), " (docs/taxonomy/offences.v1.json)"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckOfficer(const Json& p) {
  absl::StatusOr<note::VerifierKey> key = note::ParseVerifierKey(p.at("key").get<std::string>());
  if (!key.ok()) return BadPayload("/payload/key", std::string(key.status().message()));
  if (key->type != note::kSignatureTypeEd25519 || key->public_key.size() != 32) {
    return BadPayload("/payload/key", "must be an Ed25519 (type 0x01) verifier key");
  }
  return absl::OkStatus();
}

absl::StatusOr<note::Checkpoint> ParseSignedCheckpoint(const Json& j, const std::string& where,
                                                       const std::string& origin) {
  absl::StatusOr<note::Note> signed_note = note::Parse(j.get<std::string>());
  if (!signed_note.ok()) {
    return BadPayload(where, absl::StrCat("not a signed note: ", signed_note.status().message()));
  }
  absl::StatusOr<note::Checkpoint> cp = note::ParseCheckpoint(signed_note->text);
  if (!cp.ok()) return BadPayload(where, absl::StrCat("not a checkpoint: ", cp.status().message()));
  if (cp->origin != origin) {
    return BadPayload(where, absl::StrCat("checkpoint of \"", cp->origin, "\", not of origin"));
  }
  return cp;
}

absl::Status CheckEquivocation(const Json& p) {
  const std::string origin = p.at("origin").get<std::string>();
  const Json& cps = p.at("checkpoints");
  absl::StatusOr<note::Checkpoint> a =
      ParseSignedCheckpoint(cps[0], "/payload/checkpoints/0", origin);
  if (!a.ok()) return a.status();
  absl::StatusOr<note::Checkpoint> b =
      ParseSignedCheckpoint(cps[1], "/payload/checkpoints/1", origin);
  if (!b.ok()) return b.status();
  auto proof_member = p.find("consistency_proof");
  if (a->size == b->size) {
    if (a->root_hash == b->root_hash) {
      return BadPayload("/payload/checkpoints/1", "same tree as checkpoint 0: no equivocation");
    }
    if (proof_member != p.end()) {
      return BadPayload("/payload/consistency_proof", "not wanted when the sizes are equal");
    }
    return absl::OkStatus();
  }
  const note::Checkpoint& small = a->size < b->size ? *a : *b;
  const note::Checkpoint& large = a->size < b->size ? *b : *a;
  const std::string small_at = absl::StrCat("/payload/checkpoints/", a->size < b->size ? 0 : 1);
  if (small.size == 0) return BadPayload(small_at, "the empty tree is a prefix of every tree");
  if (proof_member == p.end()) {
    return BadPayload("/payload/consistency_proof", "required when the sizes differ");
  }
  absl::StatusOr<crypto::Digest> old_root =
      DecodeHash(proof_member->at("old_root"), "/payload/consistency_proof/old_root");
  if (!old_root.ok()) return old_root.status();
  if (*old_root == small.root_hash) {
    return BadPayload("/payload/consistency_proof/old_root",
                      "equals the smaller checkpoint's root: no equivocation");
  }
  std::vector<crypto::Digest> hashes;
  const Json& hj = proof_member->at("hashes");
  for (size_t i = 0; i < hj.size(); ++i) {
    absl::StatusOr<crypto::Digest> h =
        DecodeHash(hj[i], absl::StrCat("/payload/consistency_proof/hashes/", i));
    if (!h.ok()) return h.status();
    hashes.push_back(*h);
  }
  if (absl::Status s =
          tlog::VerifyConsistency(small.size, large.size, *old_root, large.root_hash, hashes);
      !s.ok()) {
    return BadPayload(
        "/payload/consistency_proof/hashes",
        absl::StrCat("does not prove old_root is the larger tree's prefix: ", s.message()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckAndExtract(Statement* out) {
  const Json& p = out->payload;
  if (auto s = CheckTimes(p, "/payload"); !s.ok()) return s;
  out->issuer = p.at("issuer").get<std::string>();
  out->issued = *ParseTimestamp(p.at("issued"), "/payload/issued");  // checked above
  if (auto s = ExtractRefs(out); !s.ok()) return s;
  if (auto it = p.find("to"); it != p.end()) {
    for (const Json& a : *it) out->addressees.push_back(a.get<std::string>());
  }
  if (auto it = p.find("private"); it != p.end()) {
    std::optional<std::vector<uint8_t>> d = util::HexDecode(it->at("sha256").get<std::string>());
    crypto::Digest digest;
    if (!d.has_value() || d->size() != digest.size()) {
      return BadPayload("/payload/private/sha256", "must be 64 hex digits");
    }
    std::copy(d->begin(), d->end(), digest.begin());
    out->private_commitment = digest;
  }
  switch (out->kind) {
    case Kind::kIncident:
    case Kind::kRequest:
    case Kind::kClaim:
      return CheckOffences(p);
    case Kind::kOfficer:
      return CheckOfficer(p);
    case Kind::kEquivocation:
      return CheckEquivocation(p);
    default:
      return absl::OkStatus();
  }
}

}  // namespace accord::statement::internal

namespace accord::statement {

absl::Status VerifyEquivocation(const Statement& statement, const note::Verifier& log_verifier) {
  if (statement.kind != Kind::kEquivocation) {
    return absl::InvalidArgumentError(
        absl::StrCat("not an equivocation statement but ", std::string(KindName(statement.kind))));
  }
  const std::string origin = statement.payload.at("origin").get<std::string>();
  const nlohmann::json& cps = statement.payload.at("checkpoints");
  for (size_t i = 0; i < cps.size(); ++i) {
    absl::StatusOr<note::OpenedCheckpoint> opened =
        note::OpenCheckpoint(cps[i].get<std::string>(), origin, log_verifier);
    if (!opened.ok()) {
      return absl::Status(opened.status().code(),
                          absl::StrCat("equivocation checkpoint ", i, " of ", origin, ": ",
                                       opened.status().message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace accord::statement
