// A compact range over the leaves [0, size) of an RFC 6962 / RFC 9162 Merkle tree (the
// "frontier" of transparency-dev/merkle's compact package): the root of every complete
// subtree on the tree's right edge, one per set bit of the size, largest first. It is
// all a follower needs to keep between polls to extend the tree and recompute its root:
// O(log n) hashes, about one node hash per appended leaf.
#ifndef ACCORD_TLOG_COMPACT_RANGE_H_
#define ACCORD_TLOG_COMPACT_RANGE_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "src/tlog/hash.h"

namespace accord::tlog {

class CompactRange {
 public:
  CompactRange() = default;  // the empty tree

  // Appends leaves, given by their leaf hashes (LeafHash).
  void Append(const Hash& leaf_hash);
  void Append(std::span<const Hash> leaf_hashes);

  uint64_t size() const { return size_; }
  // MTH(D[0:size]); the empty-tree hash for size 0.
  Hash Root() const;
  // The subtree roots, largest (leftmost) first: popcount(size) of them.
  std::span<const Hash> nodes() const { return nodes_; }

  // 8-byte big-endian size, then the popcount(size) subtree roots.
  std::string Serialize() const;
  // DataLoss unless `data` is exactly such an encoding.
  static absl::StatusOr<CompactRange> Deserialize(std::string_view data);

  friend bool operator==(const CompactRange&, const CompactRange&) = default;

 private:
  uint64_t size_ = 0;
  std::vector<Hash> nodes_;
};

}  // namespace accord::tlog

#endif  // ACCORD_TLOG_COMPACT_RANGE_H_
