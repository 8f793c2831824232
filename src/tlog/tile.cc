#include "src/tlog/tile.h"

#include <charconv>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace accord::tlog {
namespace {

// Parses a decimal with no sign, no leading zeros (except "0" itself when allowed).
bool ParseDecimal(std::string_view s, uint64_t& out) {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

absl::Status BadPath(std::string_view path, std::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("invalid tile path \"", std::string(path), "\": ", std::string(why)));
}

}  // namespace

namespace {
// Appends "x001/x234/067" for 1234067 (on the hot path of every append: no formatting
// library, no allocation beyond the output).
void AppendTileIndex(std::string& out, uint64_t index) {
  char groups[7][3];
  int n = 0;
  do {
    const unsigned g = index % 1000;
    groups[n][0] = static_cast<char>('0' + g / 100);
    groups[n][1] = static_cast<char>('0' + g / 10 % 10);
    groups[n][2] = static_cast<char>('0' + g % 10);
    ++n;
    index /= 1000;
  } while (index > 0);
  while (n-- > 0) {
    if (n > 0) out.push_back('x');
    out.append(groups[n], 3);
    if (n > 0) out.push_back('/');
  }
}
}  // namespace

std::string EncodeTileIndex(uint64_t index) {
  std::string out;
  AppendTileIndex(out, index);
  return out;
}

std::string TilePath(const TileId& id) {
  std::string out;
  out.reserve(40);
  if (id.is_entries()) {
    out = "tile/entries/";
  } else {
    out = "tile/";
    out += std::to_string(id.level);
    out.push_back('/');
  }
  AppendTileIndex(out, id.index);
  if (!id.is_full()) {
    out += ".p/";
    out += std::to_string(id.width);
  }
  return out;
}

absl::StatusOr<TileId> ParseTilePath(std::string_view path) {
  const std::string_view original = path;
  if (!path.starts_with("tile/")) return BadPath(original, "does not start with tile/");
  path.remove_prefix(5);
  TileId id;
  const size_t slash = path.find('/');
  if (slash == std::string_view::npos) return BadPath(original, "no tile index");
  const std::string_view level = path.substr(0, slash);
  path.remove_prefix(slash + 1);
  if (level == "entries") {
    id.level = TileId::kEntriesLevel;
  } else {
    uint64_t l = 0;
    if (!ParseDecimal(level, l) || l > kMaxTileLevel) return BadPath(original, "bad level");
    id.level = static_cast<int>(l);
  }
  // Split off ".p/<W>".
  if (const size_t p = path.find(".p/"); p != std::string_view::npos) {
    uint64_t w = 0;
    if (!ParseDecimal(path.substr(p + 3), w) || w == 0 || w >= kTileWidth) {
      return BadPath(original, "bad partial width");
    }
    id.width = static_cast<uint32_t>(w);
    path = path.substr(0, p);
  }
  // Index: "x001/x234/067".
  uint64_t index = 0;
  int groups = 0;
  while (true) {
    const size_t slash_pos = path.find('/');
    const bool last = slash_pos == std::string_view::npos;
    std::string_view group = path.substr(0, slash_pos);
    if (!last) {
      if (!group.starts_with('x')) return BadPath(original, "index group lacks 'x'");
      group.remove_prefix(1);
    }
    if (group.size() != 3 || group.find_first_not_of("0123456789") != std::string_view::npos) {
      return BadPath(original, "index groups must be 3 digits");
    }
    const uint64_t g =
        uint64_t(group[0] - '0') * 100 + uint64_t(group[1] - '0') * 10 + uint64_t(group[2] - '0');
    constexpr uint64_t kMaxPrefix = UINT64_MAX / 1000;
    if (++groups > 7 || index > kMaxPrefix || (index == kMaxPrefix && g > UINT64_MAX % 1000)) {
      return BadPath(original, "index out of range");
    }
    if (groups == 1 && !last && g == 0) return BadPath(original, "index has a leading x000");
    index = index * 1000 + g;
    if (last) break;
    path.remove_prefix(slash_pos + 1);
  }
  id.index = index;
  return id;
}

uint64_t LevelWidth(int level, uint64_t tree_size) {
  const int l = level == TileId::kEntriesLevel ? 0 : level;
  const int shift = l * kTileHeight;
  return shift >= 64 ? 0 : tree_size >> shift;
}

TileId TileForTree(int level, uint64_t tile_index, uint64_t tree_size) {
  const uint64_t row = LevelWidth(level, tree_size);
  const uint64_t start = tile_index * kTileWidth;
  const uint64_t w = row - start >= kTileWidth ? kTileWidth : row - start;
  return TileId{level, tile_index, static_cast<uint32_t>(w)};
}

std::string EncodeHashTile(std::span<const Hash> hashes) {
  std::string out(hashes.size() * kHashSize, '\0');
  if (!hashes.empty()) std::memcpy(out.data(), hashes.data(), out.size());
  return out;
}

absl::StatusOr<std::vector<Hash>> DecodeHashTile(std::string_view data, uint32_t width) {
  if (data.size() != size_t{width} * kHashSize) {
    return absl::DataLossError(absl::StrCat("hash tile holds ", data.size(), " bytes, want ",
                                            size_t{width} * kHashSize, " for width ", width));
  }
  std::vector<Hash> out(width);
  if (width > 0) std::memcpy(out.data(), data.data(), data.size());
  return out;
}

absl::Status AppendBundleEntry(std::string& bundle, std::span<const uint8_t> entry) {
  if (entry.size() > kMaxEntrySize) {
    return absl::InvalidArgumentError(
        absl::StrCat("entry of ", entry.size(), " bytes exceeds the 65535-byte limit"));
  }
  bundle.push_back(static_cast<char>(entry.size() >> 8));
  bundle.push_back(static_cast<char>(entry.size() & 0xff));
  bundle.append(reinterpret_cast<const char*>(entry.data()), entry.size());
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::span<const uint8_t>>> DecodeEntryBundle(std::string_view data,
                                                                        uint32_t width) {
  std::vector<std::span<const uint8_t>> out;
  out.reserve(width);
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());
  size_t off = 0;
  while (off < data.size()) {
    if (out.size() == width) {
      return absl::DataLossError(absl::StrCat("entry bundle has trailing bytes at offset ", off,
                                              " after ", width, " entries"));
    }
    if (data.size() - off < 2) {
      return absl::DataLossError(
          absl::StrCat("entry bundle truncated in a length at offset ", off));
    }
    const size_t len = size_t{p[off]} << 8 | p[off + 1];
    if (data.size() - off - 2 < len) {
      return absl::DataLossError(absl::StrCat("entry bundle truncated: entry ", out.size(),
                                              " at offset ", off, " claims ", len, " bytes"));
    }
    out.emplace_back(p + off + 2, len);
    off += 2 + len;
  }
  if (out.size() != width) {
    return absl::DataLossError(
        absl::StrCat("entry bundle holds ", out.size(), " entries, want ", width));
  }
  return out;
}

}  // namespace accord::tlog
