#include "src/tlog/tree.h"

#include "absl/strings/str_cat.h"

namespace accord::tlog {
namespace {

// The root of a complete subtree whose 2^j leaves-at-this-level are `row`.
Hash CompleteSubtreeHash(std::span<const Hash> row, TreeHasher& hasher) {
  std::vector<Hash> cur(row.begin(), row.end());
  while (cur.size() > 1) {
    hasher.NodeHashes(cur, std::span<Hash>(cur.data(), cur.size() / 2));
    cur.resize(cur.size() / 2);
  }
  return cur[0];
}

}  // namespace

TreeAppender::TreeAppender() = default;

absl::StatusOr<TreeAppender> TreeAppender::Restore(uint64_t size,
                                                   std::vector<std::vector<Hash>> partial_tiles,
                                                   TreeHasher& hasher) {
  TreeAppender t;
  t.size_ = size;
  for (int level = 0; LevelWidth(level, size) > 0; ++level) {
    const uint64_t want = LevelWidth(level, size) % kTileWidth;
    const size_t have =
        static_cast<size_t>(level) < partial_tiles.size() ? partial_tiles[level].size() : 0;
    if (have != want) {
      return absl::InvalidArgumentError(absl::StrCat("tree of size ", size,
                                                     " needs a partial tile of width ", want,
                                                     " at level ", level, ", got ", have));
    }
  }
  for (size_t level = 0; level < partial_tiles.size(); ++level) {
    if (LevelWidth(static_cast<int>(level), size) == 0 && !partial_tiles[level].empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("tree of size ", size, " has no tile at level ", level));
    }
  }
  t.partial_ = std::move(partial_tiles);
  // Frontier node at tree level h = 8L + j is the root of 2^j consecutive hashes of the
  // level-L partial tile (complete subtrees never straddle tiles).
  for (int h = 0; h < 64; ++h) {
    if (((size >> h) & 1) == 0) continue;
    const int level = h / kTileHeight, j = h % kTileHeight;
    const uint64_t node = (size >> h) - 1;
    const uint64_t tile_start = LevelWidth(level, size) / kTileWidth * kTileWidth;
    const uint64_t first = (node << j) - tile_start;
    t.frontier_[h] = CompleteSubtreeHash(
        std::span<const Hash>(t.partial_[level]).subspan(first, uint64_t{1} << j), hasher);
  }
  return t;
}

TreeUpdate TreeAppender::Append(std::span<const Hash> leaf_hashes, TreeHasher& hasher) {
  TreeUpdate out;
  out.old_size = size_;
  out.new_size = size_ + leaf_hashes.size();
  const uint64_t old_size = size_, new_size = out.new_size;
  full_used_ = 0;

  // cur_: the new complete nodes of level h, i.e. indices [old >> h, new >> h).
  cur_.assign(leaf_hashes.begin(), leaf_hashes.end());
  for (int h = 0; h < 64 && !cur_.empty(); ++h) {
    const uint64_t lo = old_size >> h, hi = new_size >> h;
    if (h % kTileHeight == 0) EmitRow(h / kTileHeight, lo, cur_, out);
    // Parents [old >> (h+1), new >> (h+1)); if lo is odd, the left sibling of the first
    // is the old frontier node of this level, so read it before replacing it.
    const uint64_t parents = (new_size >> (h + 1)) - (old_size >> (h + 1));
    children_.clear();
    if (parents > 0 && (lo & 1)) children_.push_back(frontier_[h]);
    if (hi & 1) frontier_[h] = cur_.back();
    if (parents == 0) break;
    children_.insert(children_.end(), cur_.begin(), cur_.end());
    children_.resize(2 * parents);
    cur_.resize(parents);
    hasher.NodeHashes(children_, cur_);
  }
  size_ = new_size;
  out.root = Root();
  return out;
}

void TreeAppender::EmitRow(int level, uint64_t row_start, std::span<const Hash> hashes,
                           TreeUpdate& out) {
  if (partial_.size() <= static_cast<size_t>(level)) partial_.resize(level + 1);
  std::vector<Hash>& partial = partial_[level];
  uint64_t tile_index = row_start / kTileWidth;
  while (!hashes.empty()) {
    const size_t take = std::min<size_t>(kTileWidth - partial.size(), hashes.size());
    partial.insert(partial.end(), hashes.begin(), hashes.begin() + take);
    hashes = hashes.subspan(take);
    if (partial.size() == kTileWidth) {
      // The full tile moves to scratch storage that lives until the next Append; the
      // vectors' buffers do not move when full_ grows, so earlier spans stay valid.
      if (full_used_ == full_.size()) full_.emplace_back();
      std::swap(full_[full_used_], partial);
      out.tiles.push_back({TileId{level, tile_index, kTileWidth}, full_[full_used_]});
      ++full_used_;
      partial.clear();
      partial.reserve(kTileWidth);
      ++tile_index;
    }
  }
  if (!partial.empty()) {
    out.tiles.push_back(
        {TileId{level, tile_index, static_cast<uint32_t>(partial.size())}, partial});
  }
}

Hash TreeAppender::Root() const {
  if (size_ == 0) return EmptyTreeHash();
  int h = 0;
  while (((size_ >> h) & 1) == 0) ++h;
  Hash root = frontier_[h];
  for (++h; h < 64; ++h) {
    if ((size_ >> h) & 1) root = NodeHash(frontier_[h], root);
  }
  return root;
}

std::span<const Hash> TreeAppender::PartialTile(int level) const {
  if (level < 0 || static_cast<size_t>(level) >= partial_.size()) return {};
  return partial_[level];
}

}  // namespace accord::tlog
