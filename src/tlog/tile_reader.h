// Reading a tiled tree: complete-subtree hashes for proofs (HashReader) served from
// C2SP hash tiles, with a cache of "expanded" tiles (a tile's 256 hashes plus the seven
// levels of interior nodes above them), so a proof on a warm cache does no hashing.
#ifndef ACCORD_TLOG_TILE_READER_H_
#define ACCORD_TLOG_TILE_READER_H_

#include <array>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "src/tlog/proof.h"
#include "src/tlog/tile.h"

namespace accord::tlog {

// Where tile bytes come from (a folder, a store, an HTTP client).
class TileSource {
 public:
  virtual ~TileSource() = default;
  // The bytes stored for exactly `id`; NotFound if absent.
  virtual absl::StatusOr<std::string> ReadTile(const TileId& id) = 0;
};

// A tile with its interior nodes: rows[j] holds the width >> j complete nodes at height
// j above the tile's base (rows[0] is the tile itself).
struct ExpandedTile {
  uint32_t width = 0;
  std::array<std::vector<Hash>, kTileHeight> rows;
};

// Expands a tile's hashes (1..256 of them).
std::shared_ptr<const ExpandedTile> ExpandTile(std::vector<Hash> hashes, TreeHasher& hasher);

// An LRU cache of expanded hash tiles, keyed by (level, index). Thread-safe.
// A cached entry of width w answers any request for width <= w: a log only grows, so
// a narrower tile is a prefix of a wider one. Only cache tiles from a trusted source.
class TileCache {
 public:
  explicit TileCache(size_t capacity_tiles);
  std::shared_ptr<const ExpandedTile> Lookup(int level, uint64_t index, uint32_t min_width);
  void Insert(int level, uint64_t index, std::shared_ptr<const ExpandedTile> tile);
  size_t size() const;

 private:
  using Key = std::pair<int, uint64_t>;
  struct KeyHash {
    size_t operator()(const Key& k) const { return std::hash<uint64_t>()(k.second * 67 + k.first); }
  };
  struct Entry {
    std::shared_ptr<const ExpandedTile> tile;
    std::list<Key>::iterator lru;
  };
  const size_t capacity_;
  mutable absl::Mutex mu_;
  std::list<Key> lru_ ABSL_GUARDED_BY(mu_);  // front: most recently used
  std::unordered_map<Key, Entry, KeyHash> map_ ABSL_GUARDED_BY(mu_);
};

// HashReader over the tiles of a tree of a given size. A partial tile that is absent is
// read from the full tile instead, as C2SP tlog-tiles allows. The source is trusted:
// tiles are not authenticated against a root here (a verifier recomputes the tree).
// Not thread-safe (owns a hasher); many readers may share one TileCache.
class TileHashReader final : public HashReader {
 public:
  TileHashReader(uint64_t tree_size, TileSource& source, TileCache* cache = nullptr,
                 crypto::HashBackend backend = crypto::HashBackend::kAuto);
  absl::StatusOr<Hash> ReadNode(int level, uint64_t index) override;

 private:
  absl::StatusOr<std::shared_ptr<const ExpandedTile>> LoadTile(int tile_level, uint64_t tile_index,
                                                               uint32_t width);
  const uint64_t tree_size_;
  TileSource& source_;
  TileCache* cache_;
  const crypto::HashBackend backend_;
  std::unique_ptr<TreeHasher> hasher_;  // made on the first tile load: a warm cache needs none
  // Without a shared cache, the last tile read is kept: proofs touch each tile in a row.
  int last_level_ = -1;
  uint64_t last_index_ = 0;
  std::shared_ptr<const ExpandedTile> last_;
};

}  // namespace accord::tlog

#endif  // ACCORD_TLOG_TILE_READER_H_
