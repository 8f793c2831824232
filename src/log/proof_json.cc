#include "src/log/proof_json.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "src/note/checkpoint.h"
#include "src/tlog/proof.h"
#include "src/util/encoding.h"
#include "src/util/json.h"

namespace accord::log {
namespace {

using nlohmann::json;

std::string B64(const tlog::Hash& h) { return util::Base64Encode(h); }

nlohmann::ordered_json HashesJson(const std::vector<tlog::Hash>& hashes) {
  nlohmann::ordered_json a = nlohmann::ordered_json::array();
  for (const auto& h : hashes) a.push_back(B64(h));
  return a;
}

absl::Status Bad(std::string_view field, std::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("proof JSON: field \"", std::string(field), "\" ", std::string(why)));
}

absl::Status GetUint(const json& j, const char* field, uint64_t& out) {
  auto it = j.find(field);
  if (it == j.end()) return Bad(field, "is missing");
  if (!it->is_number_unsigned()) return Bad(field, "must be a non-negative integer");
  out = it->get<uint64_t>();
  return absl::OkStatus();
}

absl::Status ParseHash(const json& v, std::string_view field, tlog::Hash& out) {
  if (!v.is_string()) return Bad(field, "must be a base64 string");
  auto bytes = util::Base64Decode(v.get<std::string>());
  if (!bytes || bytes->size() != tlog::kHashSize) return Bad(field, "must be 32 bytes in base64");
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return absl::OkStatus();
}

absl::Status GetHash(const json& j, const char* field, tlog::Hash& out) {
  auto it = j.find(field);
  if (it == j.end()) return Bad(field, "is missing");
  return ParseHash(*it, field, out);
}

absl::Status GetHashes(const json& j, std::vector<tlog::Hash>& out) {
  auto it = j.find("hashes");
  if (it == j.end()) return Bad("hashes", "is missing");
  if (!it->is_array() || it->size() > 64) return Bad("hashes", "must be an array of at most 64");
  out.resize(it->size());
  for (size_t i = 0; i < it->size(); ++i) {
    if (auto s = ParseHash((*it)[i], absl::StrCat("hashes[", i, "]"), out[i]); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status GetCheckpoint(const json& j, std::string& out) {
  auto it = j.find("checkpoint");
  if (it == j.end()) return absl::OkStatus();
  if (!it->is_string()) return Bad("checkpoint", "must be a string (a signed note)");
  out = it->get<std::string>();
  return absl::OkStatus();
}

// Checks that `signed_note` is a checkpoint signed by `verifier` for (size, root).
absl::Status CheckCheckpoint(const std::string& signed_note, uint64_t size, const tlog::Hash& root,
                             const note::Verifier& verifier) {
  if (signed_note.empty()) {
    return absl::InvalidArgumentError("the proof carries no checkpoint to check the key against");
  }
  auto opened = note::OpenCheckpoint(signed_note, verifier.Name(), verifier);
  if (!opened.ok()) return opened.status();
  if (opened->checkpoint.size != size || opened->checkpoint.root_hash != root) {
    return absl::UnauthenticatedError(
        absl::StrCat("the signed checkpoint (size ", opened->checkpoint.size,
                     ") is not the tree the proof is for (size ", size, ")"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string ProofToJson(const ProofDoc& doc) {
  nlohmann::ordered_json j;  // fields in the documented order, for people reading it
  if (const auto* p = std::get_if<InclusionProofDoc>(&doc)) {
    j = {{"type", "inclusion"},
         {"index", p->index},
         {"tree_size", p->tree_size},
         {"leaf_hash", B64(p->leaf_hash)},
         {"root_hash", B64(p->root_hash)},
         {"hashes", HashesJson(p->hashes)}};
    if (!p->checkpoint.empty()) j["checkpoint"] = p->checkpoint;
  } else {
    const auto& c = std::get<ConsistencyProofDoc>(doc);
    j = {{"type", "consistency"},       {"old_size", c.old_size},
         {"new_size", c.new_size},      {"old_root", B64(c.old_root)},
         {"new_root", B64(c.new_root)}, {"hashes", HashesJson(c.hashes)}};
    if (!c.checkpoint.empty()) j["checkpoint"] = c.checkpoint;
  }
  return j.dump(2);
}

absl::StatusOr<ProofDoc> ParseProofJson(std::string_view text) {
  auto parsed = util::ParseJson(text);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("proof JSON: ", parsed.status().message()));
  }
  const json j = *std::move(parsed);
  if (!j.is_object()) return absl::InvalidArgumentError("proof JSON: not an object");
  auto type = j.find("type");
  if (type == j.end() || !type->is_string()) return Bad("type", "is missing");
  absl::Status s;
  if (*type == "inclusion") {
    InclusionProofDoc p;
    for (auto st : {GetUint(j, "index", p.index), GetUint(j, "tree_size", p.tree_size),
                    GetHash(j, "leaf_hash", p.leaf_hash), GetHash(j, "root_hash", p.root_hash),
                    GetHashes(j, p.hashes), GetCheckpoint(j, p.checkpoint)}) {
      if (!st.ok()) return st;
    }
    return p;
  }
  if (*type == "consistency") {
    ConsistencyProofDoc c;
    for (auto st : {GetUint(j, "old_size", c.old_size), GetUint(j, "new_size", c.new_size),
                    GetHash(j, "old_root", c.old_root), GetHash(j, "new_root", c.new_root),
                    GetHashes(j, c.hashes), GetCheckpoint(j, c.checkpoint)}) {
      if (!st.ok()) return st;
    }
    return c;
  }
  return Bad("type", "must be \"inclusion\" or \"consistency\"");
}

absl::Status VerifyProofDoc(const ProofDoc& doc, const note::Verifier* verifier) {
  if (const auto* p = std::get_if<InclusionProofDoc>(&doc)) {
    if (auto s =
            tlog::VerifyInclusion(p->index, p->tree_size, p->leaf_hash, p->hashes, p->root_hash);
        !s.ok()) {
      return s;
    }
    return verifier ? CheckCheckpoint(p->checkpoint, p->tree_size, p->root_hash, *verifier)
                    : absl::OkStatus();
  }
  const auto& c = std::get<ConsistencyProofDoc>(doc);
  if (auto s = tlog::VerifyConsistency(c.old_size, c.new_size, c.old_root, c.new_root, c.hashes);
      !s.ok()) {
    return s;
  }
  return verifier ? CheckCheckpoint(c.checkpoint, c.new_size, c.new_root, *verifier)
                  : absl::OkStatus();
}

}  // namespace accord::log
