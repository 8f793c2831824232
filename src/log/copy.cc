#include "src/log/copy.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "src/note/checkpoint.h"
#include "src/tlog/tile.h"

namespace accord::log {
namespace {

using tlog::TileId;

constexpr size_t kStageBytes = 8 << 20;  // per Stage call: bounded memory, few round trips

// `staged` as it will be once `checkpoint` is committed: what VerifyLog reads before the
// commit, so that a copy that does not verify is never published.
class AsCommitted final : public store::LogStorage {
 public:
  AsCommitted(store::LogStorage& staged, std::string_view checkpoint)
      : staged_(staged), checkpoint_(checkpoint) {}
  absl::StatusOr<std::string> Read(std::string_view path) override {
    if (path == store::kCheckpointPath) return checkpoint_;
    return staged_.Read(path);
  }
  absl::Status Commit(std::span<const store::LogObject>, std::optional<std::string_view>,
                      std::string_view) override {
    return absl::UnimplementedError("read-only view");
  }
  absl::Status Stage(std::span<const store::LogObject>) override {
    return absl::UnimplementedError("read-only view");
  }
  absl::Status DeletePartials(std::string_view) override {
    return absl::UnimplementedError("read-only view");
  }
  std::string Describe() const override { return staged_.Describe(); }

 private:
  store::LogStorage& staged_;
  const std::string checkpoint_;
};

}  // namespace

absl::StatusOr<CopyReport> CopyLog(store::LogStorage& from, store::LogStorage& to,
                                   const note::Verifier& verifier, const CopyProgress& progress) {
  auto note_bytes = from.Read(store::kCheckpointPath);
  if (!note_bytes.ok()) {
    return absl::Status(note_bytes.status().code(),
                        absl::StrCat(from.Describe(), ": cannot read the checkpoint: ",
                                     note_bytes.status().message()));
  }
  auto opened = note::OpenCheckpoint(*note_bytes, verifier.Name(), verifier);
  if (!opened.ok()) {
    return absl::Status(opened.status().code(),
                        absl::StrCat(from.Describe(), "/checkpoint: ", opened.status().message()));
  }
  const uint64_t size = opened->checkpoint.size;
  if (auto held = to.Read(store::kCheckpointPath); held.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat(to.Describe(), " already holds a log: copy into an empty one"));
  } else if (!absl::IsNotFound(held.status())) {
    return held.status();
  }

  CopyReport report;
  std::vector<store::LogObject> chunk;
  size_t chunk_bytes = 0;
  uint64_t entries_done = 0;
  const auto flush = [&]() -> absl::Status {
    if (chunk.empty()) return absl::OkStatus();
    if (auto s = to.Stage(chunk); !s.ok()) return s;
    chunk.clear();
    chunk_bytes = 0;
    if (progress) progress(entries_done, size);
    return absl::OkStatus();
  };
  const auto copy = [&](const TileId& id) -> absl::Status {
    auto data = ReadObject(from, id);
    if (!data.ok()) return data.status();
    report.bytes += data->size();
    ++report.objects;
    chunk_bytes += data->size();
    chunk.push_back({tlog::TilePath(id), *std::move(data)});
    return chunk_bytes >= kStageBytes ? flush() : absl::OkStatus();
  };
  // Entry bundles, then each level of hash tiles: the objects of the tree of `size`.
  for (uint64_t n = 0; n * tlog::kTileWidth < size; ++n) {
    if (auto s = copy(tlog::TileForTree(TileId::kEntriesLevel, n, size)); !s.ok()) return s;
    entries_done = std::min(size, (n + 1) * tlog::kTileWidth);
  }
  for (int level = 0; tlog::LevelWidth(level, size) > 0; ++level) {
    const uint64_t width = tlog::LevelWidth(level, size);
    for (uint64_t n = 0; n * tlog::kTileWidth < width; ++n) {
      if (auto s = copy(tlog::TileForTree(level, n, size)); !s.ok()) return s;
    }
  }
  if (auto s = flush(); !s.ok()) return s;
  AsCommitted view(to, *note_bytes);
  auto verified = VerifyLog(view, verifier);
  if (!verified.ok()) {
    return absl::Status(verified.status().code(),
                        absl::StrCat("the copy does not verify, so it was not committed: ",
                                     verified.status().message()));
  }
  if (auto s = to.Commit({}, std::nullopt, *note_bytes); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat("cannot commit the copy's checkpoint to ",
                                               to.Describe(), ": ", s.message()));
  }
  report.verified = *std::move(verified);
  return report;
}

}  // namespace accord::log
