// Fuzzes C2SP tlog-tiles parsing (src/tlog/tile.h): the first line of the input is a tile
// path (ParseTilePath), the rest the tile's bytes, decoded as that tile says (an entry
// bundle, DecodeEntryBundle, or a hash tile, DecodeHashTile, then expanded as the tile
// cache does, ExpandTile). A path that does not parse still decodes the bytes, with a
// width and kind taken from the first byte after the newline.
//
// Invariants: a parsed path formats back to itself; decoded bytes re-encode to
// themselves; every interior node of an expanded tile is the hash of its two children.
#include <cstddef>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "fuzz/fuzz_support.h"
#include "src/tlog/hash.h"
#include "src/tlog/tile.h"
#include "src/tlog/tile_reader.h"

namespace accord::fuzz {
namespace {

void CheckBundle(std::string_view data, uint32_t width) {
  auto entries = tlog::DecodeEntryBundle(data, width);
  if (!entries.ok()) {
    ACCORD_FUZZ_CHECK(absl::IsDataLoss(entries.status()), entries.status().ToString());
    return;
  }
  ACCORD_FUZZ_CHECK(entries->size() == width);
  std::string again;
  for (const auto& entry : *entries) {
    ACCORD_FUZZ_CHECK(tlog::AppendBundleEntry(again, entry).ok());
  }
  ACCORD_FUZZ_CHECK(again == data, "an entry bundle does not re-encode to itself");
}

void CheckHashTile(std::string_view data, uint32_t width) {
  auto hashes = tlog::DecodeHashTile(data, width);
  if (!hashes.ok()) {
    ACCORD_FUZZ_CHECK(absl::IsDataLoss(hashes.status()), hashes.status().ToString());
    return;
  }
  ACCORD_FUZZ_CHECK(hashes->size() == width);
  ACCORD_FUZZ_CHECK(tlog::EncodeHashTile(*hashes) == data, "a hash tile does not re-encode");
  if (width == 0) return;
  tlog::TreeHasher hasher;
  auto expanded = tlog::ExpandTile(*hashes, hasher);
  ACCORD_FUZZ_CHECK(expanded->width == width);
  ACCORD_FUZZ_CHECK(expanded->rows[0] == *hashes);
  for (int j = 1; j < tlog::kTileHeight; ++j) {
    const auto& row = expanded->rows[j];
    const auto& below = expanded->rows[j - 1];
    ACCORD_FUZZ_CHECK(row.size() == (width >> j), "row ", j, " holds ", row.size());
    for (size_t i = 0; i < row.size(); ++i) {
      ACCORD_FUZZ_CHECK(row[i] == tlog::NodeHash(below[2 * i], below[2 * i + 1]), "expanded node ",
                        j, "/", i, " is not its children's hash");
    }
  }
}

}  // namespace
}  // namespace accord::fuzz

namespace accord::fuzz {

int FuzzOne(const uint8_t* data, size_t size) {
  using accord::tlog::TileId;
  const std::string_view input = AsString(data, size);
  const size_t nl = input.find('\n');
  const std::string_view path = input.substr(0, nl);
  std::string_view bytes = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);

  auto id = accord::tlog::ParseTilePath(path);
  TileId tile;
  if (id.ok()) {
    ACCORD_FUZZ_CHECK(accord::tlog::TilePath(*id) == path,
                      "tile path does not round-trip: ", accord::tlog::TilePath(*id));
    ACCORD_FUZZ_CHECK(id->width >= 1 && id->width <= accord::tlog::kTileWidth);
    ACCORD_FUZZ_CHECK(id->is_entries() ||
                      (id->level >= 0 && id->level <= accord::tlog::kMaxTileLevel));
    tile = *id;
  } else {
    ACCORD_FUZZ_CHECK(absl::IsInvalidArgument(id.status()), id.status().ToString());
    if (bytes.empty()) return 0;
    const uint8_t b = static_cast<uint8_t>(bytes[0]);
    bytes.remove_prefix(1);
    tile.level = b & 1 ? TileId::kEntriesLevel : 0;
    tile.width = (b >> 1) + 1;  // 1..128
  }
  if (tile.is_entries()) {
    CheckBundle(bytes, tile.width);
  } else {
    CheckHashTile(bytes, tile.width);
  }
  return 0;
}

}  // namespace accord::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return accord::fuzz::FuzzOne(data, size);
}
