// The growing edge of an RFC 6962 Merkle tree kept as C2SP tiles: appends leaf hashes
// in batches and reports exactly which tiles changed, and the new root.
//
// State is O(log N): the tree size, the "frontier" (the root of every complete subtree
// on the right edge, one per set bit of the size), and the rightmost partial tile of
// every level. Appending B leaves to a tree of N costs about 2B + log2(N) hashes and
// returns at most the tiles those leaves touch — never O(N). Leaves are hashed, then
// each level's new nodes, as one batch per level through TreeHasher, so a multi-buffer
// SHA-256 can work on many independent nodes at once.
#ifndef ACCORD_TLOG_TREE_H_
#define ACCORD_TLOG_TREE_H_

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "src/tlog/hash.h"
#include "src/tlog/tile.h"

namespace accord::tlog {

// One hash tile (level ≥ 0) whose contents changed, with its full contents.
struct TileWrite {
  TileId id;
  std::span<const Hash> hashes;  // id.width hashes
};

struct TreeUpdate {
  uint64_t old_size = 0;
  uint64_t new_size = 0;
  Hash root;
  // Every hash tile of the new tree that the batch created or extended: zero or more
  // full tiles and at most one partial tile per level, ordered by level then index.
  // The hashes are owned by the TreeAppender and valid until its next Append.
  std::vector<TileWrite> tiles;
};

class TreeAppender {
 public:
  // An empty tree.
  TreeAppender();

  // Restores the edge of a tree of `size` leaves from its rightmost partial tiles:
  // partial_tiles[L] must hold the (size >> 8L) % 256 hashes of the partial tile at
  // level L (empty where that level has no partial tile), for every L with
  // (size >> 8L) > 0. InvalidArgument if the shapes do not fit `size`. The caller
  // checks Root() against a signed checkpoint: tiles alone are not trusted.
  static absl::StatusOr<TreeAppender> Restore(uint64_t size,
                                              std::vector<std::vector<Hash>> partial_tiles,
                                              TreeHasher& hasher);

  // Appends leaves (their leaf hashes, see LeafHash) and returns what changed.
  TreeUpdate Append(std::span<const Hash> leaf_hashes, TreeHasher& hasher);

  uint64_t size() const { return size_; }
  Hash Root() const;
  // The partial tile of tile level `level` (empty if none), as Restore takes it.
  std::span<const Hash> PartialTile(int level) const;

 private:
  void EmitRow(int level, uint64_t row_start, std::span<const Hash> hashes, TreeUpdate& out);

  uint64_t size_ = 0;
  std::array<Hash, 64> frontier_{};         // frontier_[h] valid iff bit h of size_ is set
  std::vector<std::vector<Hash>> partial_;  // partial_[L]: hashes of level L's partial tile
  // Scratch reused across appends (no allocation per append once warm): full tiles
  // completed by the last Append, and each level's new nodes.
  std::vector<std::vector<Hash>> full_;
  size_t full_used_ = 0;
  std::vector<Hash> cur_, children_;
};

}  // namespace accord::tlog

#endif  // ACCORD_TLOG_TREE_H_
