// Split views (equivocation.h): checking one, and its JSON form in an `equivocation`
// statement (docs/schemas/equivocation.v1.json).
#include "src/federation/equivocation.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "src/note/checkpoint.h"
#include "src/note/note.h"
#include "src/tlog/proof.h"
#include "src/util/encoding.h"
#include "src/util/time.h"

namespace accord::federation {
namespace {

using nlohmann::json;

// The schema allows at most 32 addressees.
constexpr size_t kMaxAddressees = 32;

absl::StatusOr<note::Checkpoint> OpenOne(const std::string& signed_note, std::string_view which,
                                         std::string_view origin, const note::Verifier& key) {
  auto opened = note::OpenCheckpoint(signed_note, origin, key);
  if (!opened.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("split view of ", std::string(origin), ": ",
                                                   std::string(which),
                                                   " checkpoint: ", opened.status().message()));
  }
  return opened->checkpoint;
}

absl::StatusOr<tlog::Hash> DecodeHash(const json& j, std::string_view where) {
  if (!j.is_string())
    return absl::InvalidArgumentError(absl::StrCat(std::string(where), ": not a string"));
  auto bytes = util::Base64Decode(j.get<std::string>());
  tlog::Hash h{};
  if (!bytes.has_value() || bytes->size() != h.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(where), ": not a base64 32-byte hash"));
  }
  std::memcpy(h.data(), bytes->data(), h.size());
  return h;
}

}  // namespace

absl::Status VerifySplitView(const SplitView& view, const note::Verifier& log_key) {
  auto a = OpenOne(view.first, "first", view.origin, log_key);
  if (!a.ok()) return a.status();
  auto b = OpenOne(view.second, "second", view.origin, log_key);
  if (!b.ok()) return b.status();
  const std::string what = absl::StrCat("split view of ", view.origin, ": ");
  if (a->size == b->size) {
    if (a->root_hash == b->root_hash) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, "both checkpoints have the same tree (size ", a->size, ")"));
    }
    if (view.old_root.has_value() || !view.proof.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, "a consistency proof between checkpoints of one size"));
    }
    return absl::OkStatus();
  }
  const note::Checkpoint& small = a->size < b->size ? *a : *b;
  const note::Checkpoint& large = a->size < b->size ? *b : *a;
  if (small.size == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, "the empty tree is a prefix of every tree"));
  }
  if (!view.old_root.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, "sizes ", small.size, " and ", large.size, " differ: old_root needed"));
  }
  if (*view.old_root == small.root_hash) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, "old_root is the smaller checkpoint's root: the histories agree at size ",
        small.size));
  }
  if (absl::Status s = tlog::VerifyConsistency(small.size, large.size, *view.old_root,
                                               large.root_hash, view.proof);
      !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, "the consistency proof does not put old_root at size ", small.size,
                     " of the tree of size ", large.size, ": ", s.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<SplitView> SplitViewOf(const statement::Statement& equivocation) {
  if (equivocation.kind != statement::Kind::kEquivocation) {
    return absl::InvalidArgumentError(absl::StrCat(
        "not an equivocation statement but ", std::string(statement::KindName(equivocation.kind))));
  }
  const json& p = equivocation.payload;
  SplitView view;
  auto origin = p.find("origin");
  auto cps = p.find("checkpoints");
  if (origin == p.end() || !origin->is_string() || cps == p.end() || !cps->is_array() ||
      cps->size() != 2 || !(*cps)[0].is_string() || !(*cps)[1].is_string()) {
    return absl::InvalidArgumentError("equivocation: origin and two checkpoints needed");
  }
  view.origin = origin->get<std::string>();
  view.first = (*cps)[0].get<std::string>();
  view.second = (*cps)[1].get<std::string>();
  if (auto proof = p.find("consistency_proof"); proof != p.end()) {
    if (!proof->is_object() || !proof->contains("old_root") || !proof->contains("hashes") ||
        !proof->at("hashes").is_array()) {
      return absl::InvalidArgumentError("equivocation: malformed consistency_proof");
    }
    auto old_root = DecodeHash(proof->at("old_root"), "/consistency_proof/old_root");
    if (!old_root.ok()) return old_root.status();
    view.old_root = *old_root;
    const json& hashes = proof->at("hashes");
    for (size_t i = 0; i < hashes.size(); ++i) {
      auto h = DecodeHash(hashes[i], absl::StrCat("/consistency_proof/hashes/", i));
      if (!h.ok()) return h.status();
      view.proof.push_back(*h);
    }
  }
  return view;
}

namespace {

// The note with only the log's own signature lines: a split view needs nothing else, and
// witnesses' cosignatures would soon exceed the schema's 4,096 characters per checkpoint.
std::string LogSignedOnly(const std::string& signed_note, std::string_view origin) {
  auto parsed = note::Parse(signed_note);
  if (!parsed.ok()) return signed_note;
  std::string out = parsed->text + "\n";
  for (const note::Signature& sig : parsed->unverified) {
    if (sig.name == origin) out += note::FormatSignatureLine(sig);
  }
  return out;
}

}  // namespace

std::string EquivocationPayload(const SplitView& view, std::string_view issuer,
                                const std::vector<std::string>& to, absl::Time issued,
                                std::string_view note) {
  json p = {{"kind", "equivocation"},
            {"issuer", issuer},
            {"issued", util::Rfc3339(issued)},
            {"origin", view.origin},
            {"checkpoints",
             {LogSignedOnly(view.first, view.origin), LogSignedOnly(view.second, view.origin)}}};
  if (view.old_root.has_value()) {
    json hashes = json::array();
    for (const tlog::Hash& h : view.proof) hashes.push_back(util::Base64Encode(h));
    p["consistency_proof"] = {{"old_root", util::Base64Encode(*view.old_root)},
                              {"hashes", std::move(hashes)}};
  }
  if (!to.empty()) {
    json addressees = json::array();
    for (size_t i = 0; i < std::min(to.size(), kMaxAddressees); ++i) addressees.push_back(to[i]);
    p["to"] = std::move(addressees);
  }
  if (!note.empty()) p["note"] = note;
  return p.dump();
}

}  // namespace accord::federation
