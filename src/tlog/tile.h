// The C2SP tlog-tiles layout (https://c2sp.org/tlog-tiles): tile coordinates, their
// paths, and the byte formats of hash tiles and entry bundles.
//
//   tile/<L>/<N>[.p/<W>]        W hashes of 32 bytes; the n-th tile at level l holds
//                               MTH(D[(n*256+i)*256^l : (n*256+i+1)*256^l]), i < W
//   tile/entries/<N>[.p/<W>]    W entries, each a big-endian uint16 length then bytes
//
// <N> is written in 3-digit groups, all but the last prefixed with 'x'
// (1234067 → x001/x234/067); `.p/<W>` marks a partial tile, 1 ≤ W ≤ 255.
#ifndef ACCORD_TLOG_TILE_H_
#define ACCORD_TLOG_TILE_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "src/tlog/hash.h"

namespace accord::tlog {

inline constexpr int kTileHeight = 8;
inline constexpr uint64_t kTileWidth = 256;  // 1 << kTileHeight
inline constexpr int kMaxTileLevel = 63;     // the spec's bound on <L>
inline constexpr size_t kMaxEntrySize = 65535;

// A tile's coordinates. level == kEntriesLevel names an entry bundle.
struct TileId {
  static constexpr int kEntriesLevel = -1;
  int level = 0;
  uint64_t index = 0;
  uint32_t width = kTileWidth;  // 1..256; 256 is a full tile

  bool is_entries() const { return level == kEntriesLevel; }
  bool is_full() const { return width == kTileWidth; }
  friend bool operator==(const TileId&, const TileId&) = default;
};

// "x001/x234/067" for 1234067.
std::string EncodeTileIndex(uint64_t index);
// "tile/0/x001/234.p/17", "tile/entries/000" …  REQUIRES: a valid id.
std::string TilePath(const TileId& id);
// Parses a path as produced by TilePath (leading "tile/"). Rejects every other spelling
// (leading zeros, missing 'x', width 0 or ≥ 256, level > 63, trailing slashes, "..").
absl::StatusOr<TileId> ParseTilePath(std::string_view path);

// The tile of `level` (or entry bundle, for kEntriesLevel) that covers position
// `index` of that level's row, as it stands in a tree of `tree_size` leaves: full if
// the tree covers all of it, else partial with the width the spec prescribes.
// REQUIRES: the tile is non-empty in that tree.
TileId TileForTree(int level, uint64_t tile_index, uint64_t tree_size);

// Number of hashes at tile level `level` in a tree of `tree_size` leaves
// (= tree_size / 256^level). Entry bundles count leaves (level 0).
uint64_t LevelWidth(int level, uint64_t tree_size);

// Hash tiles.
std::string EncodeHashTile(std::span<const Hash> hashes);
// REQUIRES nothing of `data`: fails with DataLoss unless it is exactly `width` hashes.
absl::StatusOr<std::vector<Hash>> DecodeHashTile(std::string_view data, uint32_t width);

// Entry bundles.
// Appends one length-prefixed entry. InvalidArgument if the entry exceeds 65,535 bytes.
absl::Status AppendBundleEntry(std::string& bundle, std::span<const uint8_t> entry);
// Splits a bundle into exactly `width` entries (views into `data`); DataLoss, naming the
// offset, on truncation, trailing bytes or a wrong count.
absl::StatusOr<std::vector<std::span<const uint8_t>>> DecodeEntryBundle(std::string_view data,
                                                                        uint32_t width);

}  // namespace accord::tlog

#endif  // ACCORD_TLOG_TILE_H_
