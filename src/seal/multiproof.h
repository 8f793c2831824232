// Compact multi-leaf inclusion proofs for RFC 6962 / RFC 9162 Merkle trees: one proof
// that a set of leaves sits at given indices of the tree of `size` leaves with a given
// root, sharing every hash two single-leaf proofs would both carry.
//
// Definition. Walk the tree as RFC 9162 §2.1.1 defines MTH: a range [lo, hi) of n > 1
// leaves splits at k, the largest power of two < n, into [lo, lo+k) and [lo+k, hi).
// Starting from [0, size), a range holding no proven index is *maximal*: its MTH is one
// proof hash and the walk does not descend into it; a range of one proven leaf is that
// leaf; any other range is split. The proof is the MTH of every maximal range, in
// left-to-right order (the order a depth-first walk meets them).
//
// It is minimal: each proof hash covers a subtree no proven leaf is in, whose parent
// holds one — none of them can be computed from the leaves or from the others. For one
// leaf it holds exactly the hashes of the RFC 9162 inclusion path (in left-to-right
// rather than bottom-up order). For k leaves it holds at most k·⌈log2 size⌉ hashes, and
// fewer the closer the leaves lie together; proving every leaf needs no hashes.
//
// As with RFC 9162 inclusion proofs, a proof does not authenticate the tree size: a
// maximal range's hash is opaque, so a proof may also verify for another size whose
// tree has the same shape around the proven leaves. The verifier must take `size`, like
// `root`, from a signed source (for seal: the evidence statement).
#ifndef ACCORD_SEAL_MULTIPROOF_H_
#define ACCORD_SEAL_MULTIPROOF_H_

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "src/tlog/hash.h"
#include "src/tlog/proof.h"

namespace accord::seal {

// The proof for `indices` (strictly increasing, each < size, at least one) in the
// tree of `size` leaves whose complete-subtree hashes `reader` supplies.
// InvalidArgument for bad indices; the reader's errors otherwise.
absl::StatusOr<std::vector<tlog::Hash>> MultiInclusionProof(std::span<const uint64_t> indices,
                                                            uint64_t size,
                                                            tlog::HashReader& reader);

// OK iff `proof` proves that leaf_hashes[i] is leaf indices[i] of the tree of `size`
// leaves whose root is `root`, for every i. InvalidArgument if the indices are not
// strictly increasing and < size, are empty, or do not match leaf_hashes in number, or
// the proof has too few or too many hashes; Unauthenticated (tlog::IsProofMismatch)
// when the hashes do not lead to `root`.
absl::Status VerifyMultiInclusion(std::span<const uint64_t> indices,
                                  std::span<const tlog::Hash> leaf_hashes, uint64_t size,
                                  std::span<const tlog::Hash> proof, const tlog::Hash& root);

// The number of hashes a proof for `indices` in a tree of `size` holds (for sizing and
// tests). REQUIRES: valid indices, as above.
uint64_t MultiInclusionProofSize(std::span<const uint64_t> indices, uint64_t size);

}  // namespace accord::seal

#endif  // ACCORD_SEAL_MULTIPROOF_H_
