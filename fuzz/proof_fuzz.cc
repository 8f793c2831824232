// Fuzzes the JSON a verifier is handed about a log: proof documents
// (src/log/proof_json.cc: log::ParseProofJson, VerifyProofDoc, as `accord log
// check-proof` reads them) and a node's receipts for submitted statements
// (src/node/client.cc: node::ParseReceipt, VerifyReceipt, as `accord submit` reads them).
// The first input byte chooses: even, a proof document; odd, a receipt for the envelope
// "entry 3".
//
// The seeds are proofs and receipts over the tree of FixedLeaves(64), with checkpoints
// signed by the fixed log key; nothing else is ever signed with that key as a checkpoint
// of log.fuzz.example.
//
// Invariants: a parsed document prints (ProofToJson) to one that parses to the same
// document; tlog's proof verification agrees with an independent one written here from
// the recursive definitions of RFC 9162 §2.1.3.1 (PATH) and §2.1.4.1 (PROOF, SUBPROOF);
// and soundness: a proof or receipt that verifies under the fixed log key speaks of the
// real tree (its leaf is the real leaf at its index, its roots the real roots).
#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "fuzz/fuzz_support.h"
#include "src/log/proof_json.h"
#include "src/node/client.h"
#include "src/tlog/proof.h"
#include "src/util/encoding.h"

namespace accord::fuzz {
namespace {

using tlog::Hash;
constexpr uint64_t kTreeSize = 64;
constexpr std::string_view kEnvelope = "entry 3";

MemoryTree& RealTree() {
  static MemoryTree* tree = new MemoryTree(FixedLeaves(kTreeSize));
  return *tree;
}

// Consumes proof hashes from the end (the hash nearest the root comes last).
class Path {
 public:
  explicit Path(std::span<const Hash> proof) : proof_(proof) {}
  std::optional<Hash> Pop() {
    if (proof_.empty()) return std::nullopt;
    const Hash h = proof_.back();
    proof_ = proof_.first(proof_.size() - 1);
    return h;
  }
  bool empty() const { return proof_.empty(); }

 private:
  std::span<const Hash> proof_;
};

// The root PATH(index, D[n]) leads to from `leaf`, by RFC 9162 §2.1.3.1's recursion.
std::optional<Hash> InclusionRoot(uint64_t index, uint64_t n, const Hash& leaf, Path& path) {
  if (n == 1) return leaf;
  const uint64_t k = std::bit_floor(n - 1);
  const std::optional<Hash> sibling = path.Pop();
  if (!sibling) return std::nullopt;
  if (index < k) {
    auto left = InclusionRoot(index, k, leaf, path);
    if (!left) return std::nullopt;
    return tlog::NodeHash(*left, *sibling);
  }
  auto right = InclusionRoot(index - k, n - k, leaf, path);
  if (!right) return std::nullopt;
  return tlog::NodeHash(*sibling, *right);
}

bool ReferenceInclusion(uint64_t index, uint64_t size, const Hash& leaf,
                        std::span<const Hash> proof, const Hash& root) {
  if (index >= size) return false;
  Path path(proof);
  auto r = InclusionRoot(index, size, leaf, path);
  return r && path.empty() && *r == root;
}

// (MTH(D[0:m]), MTH(D[0:n])) of one subtree from SUBPROOF(m, D[n], b) (§2.1.4.1).
std::optional<std::pair<Hash, Hash>> SubproofRoots(uint64_t m, uint64_t n, bool b,
                                                   const Hash& old_root, Path& path) {
  if (m == n) {
    if (b) return std::pair{old_root, old_root};
    auto h = path.Pop();
    if (!h) return std::nullopt;
    return std::pair{*h, *h};
  }
  const uint64_t k = std::bit_floor(n - 1);
  const std::optional<Hash> other = path.Pop();
  if (!other) return std::nullopt;
  if (m <= k) {
    auto sub = SubproofRoots(m, k, b, old_root, path);
    if (!sub) return std::nullopt;
    return std::pair{sub->first, tlog::NodeHash(sub->second, *other)};
  }
  auto sub = SubproofRoots(m - k, n - k, false, old_root, path);
  if (!sub) return std::nullopt;
  return std::pair{tlog::NodeHash(*other, sub->first), tlog::NodeHash(*other, sub->second)};
}

bool ReferenceConsistency(uint64_t m, uint64_t n, const Hash& old_root, const Hash& new_root,
                          std::span<const Hash> proof) {
  if (m == 0 || m > n) return false;  // accord refuses a proof from the empty tree
  if (m == n) return proof.empty() && old_root == new_root;
  Path path(proof);
  auto roots = SubproofRoots(m, n, true, old_root, path);
  return roots && path.empty() && roots->first == old_root && roots->second == new_root;
}

void CheckProofDoc(std::string_view json) {
  auto doc = log::ParseProofJson(json);
  if (!doc.ok()) {
    ACCORD_FUZZ_CHECK(absl::IsInvalidArgument(doc.status()), doc.status().ToString());
    return;
  }
  const std::string printed = log::ProofToJson(*doc);
  auto again = log::ParseProofJson(printed);
  ACCORD_FUZZ_CHECK(again.ok(), "a printed proof does not parse: ", printed);
  ACCORD_FUZZ_CHECK(log::ProofToJson(*again) == printed, "a proof changes in a round trip");

  const bool hashes_ok = log::VerifyProofDoc(*doc, nullptr).ok();
  const bool signed_ok = log::VerifyProofDoc(*doc, FixedKeys().log_verifier.get()).ok();
  ACCORD_FUZZ_CHECK(hashes_ok || !signed_ok);
  MemoryTree& real = RealTree();
  if (const auto* p = std::get_if<log::InclusionProofDoc>(&*doc)) {
    const bool reference =
        ReferenceInclusion(p->index, p->tree_size, p->leaf_hash, p->hashes, p->root_hash);
    ACCORD_FUZZ_CHECK(hashes_ok == reference, "VerifyInclusion says ", hashes_ok,
                      ", RFC 9162's definition ", reference, ": ", printed);
    if (signed_ok) {
      ACCORD_FUZZ_CHECK(p->tree_size <= real.size() && p->index < p->tree_size);
      ACCORD_FUZZ_CHECK(p->root_hash == real.Root(p->tree_size), "a forged root verified");
      ACCORD_FUZZ_CHECK(*real.ReadNode(0, p->index) == p->leaf_hash, "a forged leaf verified");
    }
  } else {
    const auto& c = std::get<log::ConsistencyProofDoc>(*doc);
    const bool reference =
        ReferenceConsistency(c.old_size, c.new_size, c.old_root, c.new_root, c.hashes);
    ACCORD_FUZZ_CHECK(hashes_ok == reference, "VerifyConsistency says ", hashes_ok,
                      ", RFC 9162's definition ", reference, ": ", printed);
    if (signed_ok) {
      ACCORD_FUZZ_CHECK(c.new_size <= real.size());
      ACCORD_FUZZ_CHECK(c.new_root == real.Root(c.new_size), "a forged new root verified");
      ACCORD_FUZZ_CHECK(c.old_root == real.Root(c.old_size), "a forged old root verified");
    }
  }
}

void CheckReceipt(std::string_view body) {
  auto receipt = node::ParseReceipt(std::string(body));
  if (!receipt.ok()) {
    ACCORD_FUZZ_CHECK(absl::IsInvalidArgument(receipt.status()), receipt.status().ToString());
    return;
  }
  ACCORD_FUZZ_CHECK(receipt->inclusion_proof.size() <= 64);
  const absl::Status verified = node::VerifyReceipt(*receipt, kEnvelope, *FixedKeys().log_verifier);
  if (!verified.ok()) return;
  ACCORD_FUZZ_CHECK(receipt->index == 3, "a receipt for entry 3 verified at index ",
                    receipt->index);
  ACCORD_FUZZ_CHECK(receipt->tree_size <= kTreeSize && receipt->index < receipt->tree_size);
  ACCORD_FUZZ_CHECK(
      ReferenceInclusion(receipt->index, receipt->tree_size, receipt->leaf_hash,
                         receipt->inclusion_proof, RealTree().Root(receipt->tree_size)),
      "a receipt verified that RFC 9162's definition refuses");
}

}  // namespace
}  // namespace accord::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)accord::fuzz::FixedKeys();
  (void)accord::fuzz::RealTree();
  return 0;
}

namespace accord::fuzz {

int FuzzOne(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest = AsString(data + 1, size - 1);
  if (data[0] % 2 == 0) {
    CheckProofDoc(rest);
  } else {
    CheckReceipt(rest);
  }
  return 0;
}

}  // namespace accord::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return accord::fuzz::FuzzOne(data, size);
}
