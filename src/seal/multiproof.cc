#include "src/seal/multiproof.h"

#include <algorithm>
#include <bit>

#include "absl/strings/str_cat.h"

namespace accord::seal {
namespace {

using tlog::Hash;

// Largest power of two strictly below n (n ≥ 2).
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

absl::Status CheckIndices(std::span<const uint64_t> indices, uint64_t size) {
  if (indices.empty())
    return absl::InvalidArgumentError("a multi-leaf proof needs at least one leaf");
  for (size_t i = 0; i < indices.size(); ++i) {
    if (indices[i] >= size) {
      return absl::InvalidArgumentError(
          absl::StrCat("leaf index ", indices[i], " is outside a tree of ", size));
    }
    if (i > 0 && indices[i] <= indices[i - 1]) {
      return absl::InvalidArgumentError(absl::StrCat("leaf indices are not strictly increasing at ",
                                                     i, " (", indices[i - 1], ", ", indices[i],
                                                     ")"));
    }
  }
  return absl::OkStatus();
}

// MTH(D[lo:hi]) from complete-subtree hashes: a complete aligned range is one node;
// otherwise (only on the tree's right edge) it splits as MTH does.
absl::StatusOr<Hash> RangeHash(uint64_t lo, uint64_t hi, tlog::HashReader& reader) {
  const uint64_t n = hi - lo;
  if (std::has_single_bit(n) && lo % n == 0) {
    return reader.ReadNode(std::countr_zero(n), lo >> std::countr_zero(n));
  }
  const uint64_t k = SplitPoint(n);
  auto left = RangeHash(lo, lo + k, reader);
  if (!left.ok()) return left.status();
  auto right = RangeHash(lo + k, hi, reader);
  if (!right.ok()) return right.status();
  return tlog::NodeHash(*left, *right);
}

// Appends the proof hashes of range [lo, hi), whose proven leaves are `indices`.
absl::Status Generate(uint64_t lo, uint64_t hi, std::span<const uint64_t> indices,
                      tlog::HashReader& reader, std::vector<Hash>& out) {
  if (indices.empty()) {
    auto h = RangeHash(lo, hi, reader);
    if (!h.ok()) return h.status();
    out.push_back(*h);
    return absl::OkStatus();
  }
  if (hi - lo == 1) return absl::OkStatus();
  const uint64_t mid = lo + SplitPoint(hi - lo);
  const size_t cut = std::lower_bound(indices.begin(), indices.end(), mid) - indices.begin();
  if (auto s = Generate(lo, mid, indices.first(cut), reader, out); !s.ok()) return s;
  return Generate(mid, hi, indices.subspan(cut), reader, out);
}

uint64_t Count(uint64_t lo, uint64_t hi, std::span<const uint64_t> indices) {
  if (indices.empty()) return 1;
  if (hi - lo == 1) return 0;
  const uint64_t mid = lo + SplitPoint(hi - lo);
  const size_t cut = std::lower_bound(indices.begin(), indices.end(), mid) - indices.begin();
  return Count(lo, mid, indices.first(cut)) + Count(mid, hi, indices.subspan(cut));
}

struct Verifier {
  std::span<const uint64_t> indices;
  std::span<const Hash> leaves;
  std::span<const Hash> proof;
  size_t used = 0;

  // MTH of [lo, hi), whose proven leaves are indices[a, b).
  absl::StatusOr<Hash> Root(uint64_t lo, uint64_t hi, size_t a, size_t b) {
    if (a == b) {
      if (used == proof.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("multi-leaf proof too short: ", proof.size(), " hashes"));
      }
      return proof[used++];
    }
    if (hi - lo == 1) return leaves[a];
    const uint64_t mid = lo + SplitPoint(hi - lo);
    const size_t cut =
        std::lower_bound(indices.begin() + a, indices.begin() + b, mid) - indices.begin();
    auto left = Root(lo, mid, a, cut);
    if (!left.ok()) return left.status();
    auto right = Root(mid, hi, cut, b);
    if (!right.ok()) return right.status();
    return tlog::NodeHash(*left, *right);
  }
};

}  // namespace

absl::StatusOr<std::vector<Hash>> MultiInclusionProof(std::span<const uint64_t> indices,
                                                      uint64_t size, tlog::HashReader& reader) {
  if (auto s = CheckIndices(indices, size); !s.ok()) return s;
  std::vector<Hash> out;
  if (auto s = Generate(0, size, indices, reader, out); !s.ok()) return s;
  return out;
}

uint64_t MultiInclusionProofSize(std::span<const uint64_t> indices, uint64_t size) {
  return Count(0, size, indices);
}

absl::Status VerifyMultiInclusion(std::span<const uint64_t> indices,
                                  std::span<const Hash> leaf_hashes, uint64_t size,
                                  std::span<const Hash> proof, const Hash& root) {
  if (auto s = CheckIndices(indices, size); !s.ok()) return s;
  if (leaf_hashes.size() != indices.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(indices.size(), " leaf indices but ", leaf_hashes.size(), " leaf hashes"));
  }
  Verifier v{indices, leaf_hashes, proof};
  auto computed = v.Root(0, size, 0, indices.size());
  if (!computed.ok()) return computed.status();
  if (v.used != proof.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("multi-leaf proof too long: ", proof.size(), " hashes, ", v.used, " used"));
  }
  if (*computed != root) {
    return absl::UnauthenticatedError(
        absl::StrCat("multi-leaf proof of ", indices.size(), " leaves does not lead to the root"));
  }
  return absl::OkStatus();
}

}  // namespace accord::seal
