#include "src/log/verify.h"

#include "absl/strings/str_cat.h"
#include "src/tlog/hash.h"
#include "src/tlog/tile.h"
#include "src/tlog/tree.h"

namespace accord::log {
namespace {

using tlog::Hash;
using tlog::TileId;

}  // namespace

absl::StatusOr<std::string> ReadObject(store::LogStorage& storage, const TileId& id) {
  const std::string path = tlog::TilePath(id);
  auto data = storage.Read(path);
  if (!data.ok() && absl::IsNotFound(data.status()) && !id.is_full()) {
    TileId full = id;
    full.width = tlog::kTileWidth;
    if (auto whole = storage.Read(tlog::TilePath(full)); whole.ok()) {
      if (!id.is_entries()) {
        if (whole->size() != tlog::kTileWidth * tlog::kHashSize) {
          return absl::DataLossError(
              absl::StrCat(storage.Describe(), ": ", tlog::TilePath(full), " is not a full tile"));
        }
        return whole->substr(0, size_t{id.width} * tlog::kHashSize);
      }
      auto entries = tlog::DecodeEntryBundle(*whole, tlog::kTileWidth);
      if (!entries.ok()) {
        return absl::DataLossError(absl::StrCat(storage.Describe(), ": ", tlog::TilePath(full),
                                                ": ", entries.status().message()));
      }
      const auto& last = (*entries)[id.width - 1];
      const size_t end = static_cast<size_t>(reinterpret_cast<const char*>(last.data()) +
                                             last.size() - whole->data());
      return whole->substr(0, end);
    }
  }
  if (!data.ok()) {
    return absl::Status(data.status().code(), absl::StrCat(storage.Describe(), ": cannot read ",
                                                           path, ": ", data.status().message()));
  }
  return data;
}

namespace {

// Compares a tile the verifier computed with the stored one.
absl::Status CheckTile(store::LogStorage& storage, const tlog::TileWrite& tile) {
  auto stored = ReadObject(storage, tile.id);
  if (!stored.ok()) return stored.status();
  if (*stored != tlog::EncodeHashTile(tile.hashes)) {
    // Which of the two was changed cannot be told; name both.
    const std::string below =
        tile.id.level == 0
            ? absl::StrCat("the entries in ",
                           tlog::TilePath({TileId::kEntriesLevel, tile.id.index, tile.id.width}))
            : absl::StrCat("the level-", tile.id.level - 1, " tiles below it");
    return absl::DataLossError(
        absl::StrCat(storage.Describe(), ": ", tlog::TilePath(tile.id), " does not match ", below));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<VerifyReport> VerifyLog(store::LogStorage& storage, const note::Verifier& verifier,
                                       const VerifyProgress& progress) {
  VerifyReport report;
  auto note_bytes = storage.Read(store::kCheckpointPath);
  if (!note_bytes.ok()) {
    return absl::Status(note_bytes.status().code(),
                        absl::StrCat(storage.Describe(), ": cannot read the checkpoint: ",
                                     note_bytes.status().message()));
  }
  auto opened = note::OpenCheckpoint(*note_bytes, verifier.Name(), verifier);
  if (!opened.ok()) {
    return absl::Status(
        opened.status().code(),
        absl::StrCat(storage.Describe(), "/checkpoint: ", opened.status().message()));
  }
  report.checkpoint = opened->checkpoint;
  const uint64_t size = report.checkpoint.size;

  tlog::TreeHasher hasher;
  tlog::TreeAppender tree;
  std::vector<Hash> leaves;
  for (uint64_t start = 0; start < size; start += tlog::kTileWidth) {
    const TileId id = tlog::TileForTree(TileId::kEntriesLevel, start / tlog::kTileWidth, size);
    auto data = ReadObject(storage, id);
    if (!data.ok()) return data.status();
    auto entries = tlog::DecodeEntryBundle(*data, id.width);
    if (!entries.ok()) {
      return absl::DataLossError(absl::StrCat(storage.Describe(), ": ", tlog::TilePath(id), ": ",
                                              entries.status().message()));
    }
    ++report.entry_bundles;
    report.entry_bytes += data->size();
    leaves.resize(entries->size());
    hasher.LeafHashes(*entries, leaves);
    const tlog::TreeUpdate update = tree.Append(leaves, hasher);
    // Full tiles are final when produced; partial ones are checked at the end, for the
    // checkpoint's tree only (earlier partials may rightly be gone).
    for (const auto& tile : update.tiles) {
      if (!tile.id.is_full()) continue;
      if (auto s = CheckTile(storage, tile); !s.ok()) return s;
      ++report.hash_tiles;
    }
    if (progress) progress(tree.size(), size);
  }
  for (int level = 0; tlog::LevelWidth(level, size) > 0; ++level) {
    const auto hashes = tree.PartialTile(level);
    if (hashes.empty()) continue;
    const tlog::TileWrite tile{
        tlog::TileForTree(level, tlog::LevelWidth(level, size) / tlog::kTileWidth, size), hashes};
    if (auto s = CheckTile(storage, tile); !s.ok()) return s;
    ++report.hash_tiles;
  }
  if (tree.Root() != report.checkpoint.root_hash) {
    return absl::DataLossError(absl::StrCat(storage.Describe(),
                                            ": the entries hash to a root that "
                                            "differs from the signed checkpoint's"));
  }
  return report;
}

}  // namespace accord::log
