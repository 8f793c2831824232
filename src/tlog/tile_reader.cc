#include "src/tlog/tile_reader.h"

#include "absl/strings/str_cat.h"

namespace accord::tlog {

std::shared_ptr<const ExpandedTile> ExpandTile(std::vector<Hash> hashes, TreeHasher& hasher) {
  auto t = std::make_shared<ExpandedTile>();
  t->width = static_cast<uint32_t>(hashes.size());
  t->rows[0] = std::move(hashes);
  for (int j = 1; j < kTileHeight; ++j) {
    const auto& below = t->rows[j - 1];
    t->rows[j].resize(below.size() / 2);
    hasher.NodeHashes(std::span<const Hash>(below.data(), 2 * t->rows[j].size()), t->rows[j]);
  }
  return t;
}

TileCache::TileCache(size_t capacity_tiles) : capacity_(capacity_tiles) {}

std::shared_ptr<const ExpandedTile> TileCache::Lookup(int level, uint64_t index,
                                                      uint32_t min_width) {
  absl::MutexLock lock(&mu_);
  auto it = map_.find({level, index});
  if (it == map_.end() || it->second.tile->width < min_width) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return it->second.tile;
}

void TileCache::Insert(int level, uint64_t index, std::shared_ptr<const ExpandedTile> tile) {
  if (capacity_ == 0) return;
  absl::MutexLock lock(&mu_);
  const Key key{level, index};
  if (auto it = map_.find(key); it != map_.end()) {
    if (it->second.tile->width < tile->width) it->second.tile = std::move(tile);
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return;
  }
  if (map_.size() >= capacity_) {
    map_.erase(lru_.back());
    lru_.pop_back();
  }
  lru_.push_front(key);
  map_.emplace(key, Entry{std::move(tile), lru_.begin()});
}

size_t TileCache::size() const {
  absl::MutexLock lock(&mu_);
  return map_.size();
}

TileHashReader::TileHashReader(uint64_t tree_size, TileSource& source, TileCache* cache,
                               crypto::HashBackend backend)
    : tree_size_(tree_size), source_(source), cache_(cache), backend_(backend) {}

absl::StatusOr<std::shared_ptr<const ExpandedTile>> TileHashReader::LoadTile(int tile_level,
                                                                             uint64_t tile_index,
                                                                             uint32_t width) {
  if (last_ && last_level_ == tile_level && last_index_ == tile_index && last_->width >= width) {
    return last_;
  }
  std::shared_ptr<const ExpandedTile> tile;
  if (cache_ != nullptr) tile = cache_->Lookup(tile_level, tile_index, width);
  if (!tile) {
    TileId id{tile_level, tile_index, width};
    auto data = source_.ReadTile(id);
    if (!data.ok() && absl::IsNotFound(data.status()) && !id.is_full()) {
      id.width = kTileWidth;  // the partial tile may have been superseded
      data = source_.ReadTile(id);
    }
    if (!data.ok()) return data.status();
    auto hashes = DecodeHashTile(*data, id.width);
    if (!hashes.ok()) {
      return absl::DataLossError(absl::StrCat(TilePath(id), ": ", hashes.status().message()));
    }
    if (!hasher_) hasher_ = std::make_unique<TreeHasher>(backend_);
    tile = ExpandTile(*std::move(hashes), *hasher_);
    if (cache_ != nullptr) cache_->Insert(tile_level, tile_index, tile);
  }
  last_level_ = tile_level;
  last_index_ = tile_index;
  last_ = tile;
  return tile;
}

absl::StatusOr<Hash> TileHashReader::ReadNode(int level, uint64_t index) {
  if (level < 0 || level >= 64 || (index + 1) > (tree_size_ >> level)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "node ", level, "/", index, " is not complete in a tree of size ", tree_size_));
  }
  const int tile_level = level / kTileHeight, j = level % kTileHeight;
  const uint64_t first = index << j;  // position in the tile level's row
  const uint64_t tile_index = first / kTileWidth;
  const uint32_t width = TileForTree(tile_level, tile_index, tree_size_).width;
  auto tile = LoadTile(tile_level, tile_index, width);
  if (!tile.ok()) return tile.status();
  return (*tile)->rows[j][(first % kTileWidth) >> j];
}

}  // namespace accord::tlog
