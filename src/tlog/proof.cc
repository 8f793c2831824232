#include "src/tlog/proof.h"

#include <bit>

#include "absl/strings/str_cat.h"

namespace accord::tlog {
namespace {

// Largest power of two strictly less than n. REQUIRES: n > 1.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

// MTH(D[lo:hi]) where lo is a multiple of a power of two >= hi - lo, as every range in
// the RFC's recursions is: the range is then a run of complete subtrees, largest first,
// whose hashes fold from the right.
absl::StatusOr<Hash> RangeHash(uint64_t lo, uint64_t hi, HashReader& reader) {
  Hash nodes[64];
  int n = 0;
  for (uint64_t pos = lo; pos < hi;) {
    const int level = std::bit_width(hi - pos) - 1;
    auto node = reader.ReadNode(level, pos >> level);
    if (!node.ok()) return node.status();
    nodes[n++] = *node;
    pos += uint64_t{1} << level;
  }
  Hash acc = nodes[--n];
  while (n > 0) acc = NodeHash(nodes[--n], acc);
  return acc;
}

// PATH(m, D[lo:hi]) of RFC 9162 §2.1.3.1, appending to `out` (leaf end first).
absl::Status Path(uint64_t m, uint64_t lo, uint64_t hi, HashReader& reader,
                  std::vector<Hash>& out) {
  if (hi - lo == 1) return absl::OkStatus();
  const uint64_t k = SplitPoint(hi - lo);
  absl::StatusOr<Hash> sibling;
  if (m < lo + k) {
    if (auto s = Path(m, lo, lo + k, reader, out); !s.ok()) return s;
    sibling = RangeHash(lo + k, hi, reader);
  } else {
    if (auto s = Path(m, lo + k, hi, reader, out); !s.ok()) return s;
    sibling = RangeHash(lo, lo + k, reader);
  }
  if (!sibling.ok()) return sibling.status();
  out.push_back(*sibling);
  return absl::OkStatus();
}

// SUBPROOF(m, D[lo:hi], b) of RFC 9162 §2.1.4.1, m relative to lo.
absl::Status SubProof(uint64_t m, uint64_t lo, uint64_t hi, bool b, HashReader& reader,
                      std::vector<Hash>& out) {
  const uint64_t n = hi - lo;
  if (m == n) {
    if (b) return absl::OkStatus();
    auto h = RangeHash(lo, hi, reader);
    if (!h.ok()) return h.status();
    out.push_back(*h);
    return absl::OkStatus();
  }
  const uint64_t k = SplitPoint(n);
  absl::StatusOr<Hash> sibling;
  if (m <= k) {
    if (auto s = SubProof(m, lo, lo + k, b, reader, out); !s.ok()) return s;
    sibling = RangeHash(lo + k, hi, reader);
  } else {
    if (auto s = SubProof(m - k, lo + k, hi, false, reader, out); !s.ok()) return s;
    sibling = RangeHash(lo, lo + k, reader);
  }
  if (!sibling.ok()) return sibling.status();
  out.push_back(*sibling);
  return absl::OkStatus();
}

absl::Status Mismatch(std::string_view what) {
  return absl::UnauthenticatedError(absl::StrCat("proof does not verify: ", std::string(what)));
}

}  // namespace

absl::StatusOr<Hash> RootHash(uint64_t size, HashReader& reader) {
  if (size == 0) return EmptyTreeHash();
  return RangeHash(0, size, reader);
}

absl::StatusOr<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size,
                                                 HashReader& reader) {
  if (index >= size) {
    return absl::InvalidArgumentError(
        absl::StrCat("no inclusion proof for index ", index, " in a tree of size ", size));
  }
  std::vector<Hash> out;
  if (auto s = Path(index, 0, size, reader, out); !s.ok()) return s;
  return out;
}

absl::StatusOr<std::vector<Hash>> ConsistencyProof(uint64_t old_size, uint64_t new_size,
                                                   HashReader& reader) {
  if (old_size == 0 || old_size > new_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("no consistency proof from size ", old_size, " to size ", new_size));
  }
  std::vector<Hash> out;
  if (old_size == new_size) return out;
  if (auto s = SubProof(old_size, 0, new_size, true, reader, out); !s.ok()) return s;
  return out;
}

absl::Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                             std::span<const Hash> proof, const Hash& root) {
  if (index >= size) {
    return absl::InvalidArgumentError(
        absl::StrCat("index ", index, " is beyond a tree of size ", size));
  }
  uint64_t fn = index, sn = size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) return absl::InvalidArgumentError("inclusion proof is too long");
    if ((fn & 1) || fn == sn) {
      r = NodeHash(p, r);
      while (!(fn & 1) && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return absl::InvalidArgumentError("inclusion proof is too short");
  if (r != root) return Mismatch("computed root differs from the tree's root");
  return absl::OkStatus();
}

absl::Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                               const Hash& new_root, std::span<const Hash> proof) {
  if (old_size > new_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("old size ", old_size, " exceeds new size ", new_size));
  }
  if (old_size == 0) {
    return absl::InvalidArgumentError("a consistency proof from the empty tree is meaningless");
  }
  if (old_size == new_size) {
    if (!proof.empty())
      return absl::InvalidArgumentError("proof between equal sizes must be empty");
    if (old_root != new_root) return Mismatch("equal sizes but different roots");
    return absl::OkStatus();
  }
  if (proof.empty()) return absl::InvalidArgumentError("consistency proof is empty");
  // RFC 9162 §2.1.4.2, step 2: a power-of-two old tree is itself the first node.
  size_t i = 0;
  Hash fr, sr;
  if (std::has_single_bit(old_size)) {
    fr = sr = old_root;
  } else {
    fr = sr = proof[i++];
  }
  uint64_t fn = old_size - 1, sn = new_size - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  for (; i < proof.size(); ++i) {
    const Hash& c = proof[i];
    if (sn == 0) return absl::InvalidArgumentError("consistency proof is too long");
    if ((fn & 1) || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      while (!(fn & 1) && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return absl::InvalidArgumentError("consistency proof is too short");
  if (fr != old_root) return Mismatch("computed old root differs");
  if (sr != new_root) return Mismatch("computed new root differs");
  return absl::OkStatus();
}

bool IsProofMismatch(const absl::Status& status) { return absl::IsUnauthenticated(status); }

}  // namespace accord::tlog
