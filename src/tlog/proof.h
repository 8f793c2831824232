// Inclusion and consistency proofs of RFC 9162 §2.1.3–2.1.4 (the same audit paths as
// RFC 6962 §2.1.1–2.1.2): generation from any source of complete-subtree hashes, and
// verification by the algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2.
#ifndef ACCORD_TLOG_PROOF_H_
#define ACCORD_TLOG_PROOF_H_

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "src/tlog/hash.h"

namespace accord::tlog {

// Supplies hashes of complete subtrees: the node at tree `level` (0 = leaves) and
// `index` covers leaves [index·2^level, (index+1)·2^level).
class HashReader {
 public:
  virtual ~HashReader() = default;
  virtual absl::StatusOr<Hash> ReadNode(int level, uint64_t index) = 0;
};

// MTH(D[0:size]). Reads at most popcount(size) nodes.
absl::StatusOr<Hash> RootHash(uint64_t size, HashReader& reader);

// PATH(index, D[0:size]). InvalidArgument unless index < size.
absl::StatusOr<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size, HashReader& reader);

// PROOF(old_size, D[0:new_size]). InvalidArgument unless 0 < old_size <= new_size.
absl::StatusOr<std::vector<Hash>> ConsistencyProof(uint64_t old_size, uint64_t new_size,
                                                   HashReader& reader);

// OK iff `proof` proves that `leaf_hash` is leaf `index` of the tree of `size` whose
// root is `root`. InvalidArgument for an impossible index/size or a proof of the
// wrong length; Unauthenticated when the hashes do not match.
absl::Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                             std::span<const Hash> proof, const Hash& root);

// OK iff `proof` proves the tree (old_size, old_root) is a prefix of (new_size,
// new_root). As in transparency-dev/merkle, a proof from the empty tree is refused as
// meaningless (every tree extends it; callers handle old_size 0 themselves), and equal
// sizes need an empty proof and equal roots.
absl::Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                               const Hash& new_root, std::span<const Hash> proof);

// True iff `status` is a verification failure of the two functions above (the proof
// and the roots disagree), as opposed to malformed input.
bool IsProofMismatch(const absl::Status& status);

}  // namespace accord::tlog

#endif  // ACCORD_TLOG_PROOF_H_
