#include "src/log/log.h"

#include "absl/strings/str_cat.h"
#include "src/tlog/proof.h"
#include "src/tlog/tile.h"

namespace accord::log {
namespace {

using tlog::TileId;

// Reads tiles from a LogStorage at their C2SP paths.
class StorageTileSource final : public tlog::TileSource {
 public:
  explicit StorageTileSource(store::LogStorage& storage) : storage_(storage) {}
  absl::StatusOr<std::string> ReadTile(const TileId& id) override {
    return storage_.Read(tlog::TilePath(id));
  }

 private:
  store::LogStorage& storage_;
};

absl::Status Annotate(const absl::Status& s, std::string_view context) {
  return absl::Status(s.code(), absl::StrCat(std::string(context), ": ", s.message()));
}

struct LoadedCheckpoint {
  note::Checkpoint checkpoint;
  std::string note;
};

absl::StatusOr<LoadedCheckpoint> LoadCheckpoint(store::LogStorage& storage,
                                                const note::Verifier& verifier) {
  auto bytes = storage.Read(store::kCheckpointPath);
  if (!bytes.ok()) {
    return Annotate(bytes.status(),
                    absl::StrCat("cannot read the checkpoint of ", storage.Describe()));
  }
  auto opened = note::OpenCheckpoint(*bytes, verifier.Name(), verifier);
  if (!opened.ok())
    return Annotate(opened.status(), absl::StrCat(storage.Describe(), "/checkpoint"));
  return LoadedCheckpoint{opened->checkpoint, *std::move(bytes)};
}

}  // namespace

Log::Log(std::unique_ptr<store::LogStorage> storage, std::optional<note::Ed25519Signer> signer,
         std::string origin, const Options& options)
    : storage_(std::move(storage)),
      signer_(std::move(signer)),
      origin_(std::move(origin)),
      options_(options),
      cache_(options.tile_cache_tiles) {}

Log::~Log() = default;

absl::StatusOr<std::unique_ptr<Log>> Log::Create(std::unique_ptr<store::LogStorage> storage,
                                                 note::Ed25519Signer signer,
                                                 const Options& options) {
  if (absl::Status s = storage->LockForWriting(/*create=*/true); !s.ok()) return s;
  auto existing = storage->Read(store::kCheckpointPath);
  if (existing.ok()) {
    return absl::AlreadyExistsError(
        absl::StrCat(storage->Describe(), " already holds a log (it has a checkpoint)"));
  }
  if (!absl::IsNotFound(existing.status())) return existing.status();
  note::Checkpoint cp{std::string(signer.Name()), 0, tlog::EmptyTreeHash(), {}};
  auto signed_cp = note::SignCheckpoint(cp, signer);
  if (!signed_cp.ok()) return signed_cp.status();
  if (auto s = storage->Commit({}, *signed_cp); !s.ok()) {
    return Annotate(s, absl::StrCat("cannot create a log in ", storage->Describe()));
  }
  return OpenForAppend(std::move(storage), std::move(signer), options);
}

absl::StatusOr<std::unique_ptr<Log>> Log::OpenReadOnly(std::unique_ptr<store::LogStorage> storage,
                                                       const note::Verifier& verifier,
                                                       const Options& options) {
  auto loaded = LoadCheckpoint(*storage, verifier);
  if (!loaded.ok()) return loaded.status();
  std::unique_ptr<Log> log(
      new Log(std::move(storage), std::nullopt, std::string(verifier.Name()), options));
  absl::MutexLock lock(&log->mu_);
  log->checkpoint_ = std::move(loaded->checkpoint);
  log->signed_checkpoint_ = std::move(loaded->note);
  return log;
}

absl::StatusOr<std::unique_ptr<Log>> Log::OpenUnverified(std::unique_ptr<store::LogStorage> storage,
                                                         const Options& options) {
  auto bytes = storage->Read(store::kCheckpointPath);
  if (!bytes.ok()) {
    return Annotate(bytes.status(),
                    absl::StrCat("cannot read the checkpoint of ", storage->Describe()));
  }
  auto parsed = note::Parse(*bytes);
  if (!parsed.ok())
    return Annotate(parsed.status(), absl::StrCat(storage->Describe(), "/checkpoint"));
  auto cp = note::ParseCheckpoint(parsed->text);
  if (!cp.ok()) return Annotate(cp.status(), absl::StrCat(storage->Describe(), "/checkpoint"));
  std::string origin = cp->origin;
  std::unique_ptr<Log> log(new Log(std::move(storage), std::nullopt, std::move(origin), options));
  absl::MutexLock lock(&log->mu_);
  log->checkpoint_ = *std::move(cp);
  log->signed_checkpoint_ = *std::move(bytes);
  return log;
}

absl::StatusOr<std::unique_ptr<Log>> Log::OpenForAppend(std::unique_ptr<store::LogStorage> storage,
                                                        note::Ed25519Signer signer,
                                                        const Options& options) {
  // The writer's lock comes before the first read: what is read is then what this
  // process alone extends.
  if (absl::Status s = storage->LockForWriting(/*create=*/false); !s.ok()) {
    return absl::IsNotFound(s)
               ? absl::NotFoundError(absl::StrCat("no log in ", storage->Describe()))
               : s;
  }
  auto verifier = note::NewVerifier(signer.VerifierKeyString());
  if (!verifier.ok()) return verifier.status();
  auto loaded = LoadCheckpoint(*storage, **verifier);
  if (!loaded.ok()) return loaded.status();
  std::string origin(signer.Name());
  std::unique_ptr<Log> log(
      new Log(std::move(storage), std::move(signer), std::move(origin), options));
  {
    absl::MutexLock lock(&log->mu_);
    log->checkpoint_ = std::move(loaded->checkpoint);
    log->signed_checkpoint_ = std::move(loaded->note);
  }
  if (auto s = log->LoadRightEdge(); !s.ok()) return s;
  return log;
}

// Restores the appender from the partial tiles of every level and the partial entry
// bundle, checking the bundle against the level-0 tile and the result against the
// signed root: the tiles on disk are not trusted until they reproduce it.
absl::Status Log::LoadRightEdge() {
  absl::MutexLock append_lock(&append_mu_);
  const note::Checkpoint cp = checkpoint();
  const uint64_t size = cp.size;
  hasher_ = std::make_unique<tlog::TreeHasher>(options_.hash_backend);
  std::vector<std::vector<Hash>> partials;
  for (int level = 0; tlog::LevelWidth(level, size) > 0; ++level) {
    const uint64_t width = tlog::LevelWidth(level, size);
    partials.emplace_back();
    if (width % tlog::kTileWidth == 0) continue;
    const TileId id = tlog::TileForTree(level, width / tlog::kTileWidth, size);
    const std::string path = tlog::TilePath(id);
    auto data = storage_->Read(path);
    if (!data.ok()) return Annotate(data.status(), absl::StrCat("cannot read ", path));
    auto hashes = tlog::DecodeHashTile(*data, id.width);
    if (!hashes.ok()) return Annotate(hashes.status(), path);
    partials.back() = *std::move(hashes);
  }
  partial_bundle_.clear();
  if (const uint32_t w = size % tlog::kTileWidth; w > 0) {
    const TileId id{TileId::kEntriesLevel, size / tlog::kTileWidth, w};
    const std::string path = tlog::TilePath(id);
    auto data = storage_->Read(path);
    if (!data.ok()) return Annotate(data.status(), absl::StrCat("cannot read ", path));
    auto entries = tlog::DecodeEntryBundle(*data, w);
    if (!entries.ok()) return Annotate(entries.status(), path);
    std::vector<Hash> leaves(w);
    hasher_->LeafHashes(*entries, leaves);
    if (leaves != partials[0]) {
      return absl::DataLossError(
          absl::StrCat(storage_->Describe(), ": ", path, " does not match its level-0 tile"));
    }
    partial_bundle_ = *std::move(data);
  }
  auto tree = tlog::TreeAppender::Restore(size, std::move(partials), *hasher_);
  if (!tree.ok()) return Annotate(tree.status(), storage_->Describe());
  if (tree->Root() != cp.root_hash) {
    return absl::DataLossError(absl::StrCat(storage_->Describe(),
                                            ": the stored tiles do not reproduce the root of the "
                                            "signed checkpoint (size ",
                                            size, ")"));
  }
  tree_ = *std::move(tree);
  return absl::OkStatus();
}

absl::StatusOr<AppendResult> Log::Append(std::span<const std::span<const uint8_t>> entries) {
  if (!signer_) return absl::FailedPreconditionError("the log is open read-only");
  if (entries.empty()) return absl::InvalidArgumentError("nothing to append");
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].size() > tlog::kMaxEntrySize) {
      return absl::InvalidArgumentError(absl::StrCat(
          "entry ", i, " of the batch has ", entries[i].size(), " bytes; the limit is 65535"));
    }
  }
  absl::MutexLock append_lock(&append_mu_);
  if (!failed_.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the log stopped after a storage failure and must be reopened: ", failed_.message()));
  }
  const uint64_t old_size = tree_.size();

  std::vector<Hash> leaves(entries.size());
  hasher_->LeafHashes(entries, leaves);
  const tlog::TreeUpdate update = tree_.Append(leaves, *hasher_);

  // Objects: entry bundles, then hash tiles; the checkpoint is written after them.
  std::vector<store::LogObject> objects;
  std::vector<std::string> completed;  // full tiles and bundles whose partials go
  uint64_t bundle_index = old_size / tlog::kTileWidth;
  uint32_t in_bundle = old_size % tlog::kTileWidth;
  for (const auto& e : entries) {
    (void)tlog::AppendBundleEntry(partial_bundle_, e);  // sizes checked above
    if (++in_bundle == tlog::kTileWidth) {
      const TileId id{TileId::kEntriesLevel, bundle_index, tlog::kTileWidth};
      objects.push_back({tlog::TilePath(id), std::move(partial_bundle_)});
      completed.push_back(objects.back().path);
      partial_bundle_.clear();
      in_bundle = 0;
      ++bundle_index;
    }
  }
  if (in_bundle > 0) {
    objects.push_back(
        {tlog::TilePath({TileId::kEntriesLevel, bundle_index, in_bundle}), partial_bundle_});
  }
  for (const auto& t : update.tiles) {
    objects.push_back({tlog::TilePath(t.id), tlog::EncodeHashTile(t.hashes)});
    if (t.id.is_full()) completed.push_back(objects.back().path);
  }

  note::Checkpoint cp{origin_, update.new_size, update.root, {}};
  auto signed_cp = note::SignCheckpoint(cp, *signer_);
  if (!signed_cp.ok()) {
    failed_ = signed_cp.status();
    return Annotate(failed_, "cannot sign the checkpoint");
  }
  if (auto s = storage_->Commit(objects, *signed_cp); !s.ok()) {
    failed_ = s;
    return Annotate(s, absl::StrCat("cannot commit to ", storage_->Describe()));
  }
  {
    absl::MutexLock lock(&mu_);
    checkpoint_ = cp;
    signed_checkpoint_ = *signed_cp;
  }
  if (options_.delete_superseded_partials) {
    // Best effort: a partial left behind is harmless, and readers fall back to the
    // full tile when one is gone.
    for (const auto& path : completed) (void)storage_->DeletePartials(path);
  }
  return AppendResult{old_size, update.new_size, update.root, *std::move(signed_cp)};
}

note::Checkpoint Log::checkpoint() const {
  absl::MutexLock lock(&mu_);
  return checkpoint_;
}

std::string Log::signed_checkpoint() const {
  absl::MutexLock lock(&mu_);
  return signed_checkpoint_;
}

uint64_t Log::size() const {
  absl::MutexLock lock(&mu_);
  return checkpoint_.size;
}

absl::Status Log::CheckSize(uint64_t size) const {
  const uint64_t current = this->size();
  if (size > current) {
    return absl::OutOfRangeError(
        absl::StrCat("tree size ", size, " is beyond the log's size ", current));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Hash>> Log::InclusionProof(uint64_t index, uint64_t size) const {
  if (auto s = CheckSize(size); !s.ok()) return s;
  StorageTileSource source(*storage_);
  tlog::TileHashReader reader(size, source, &cache_, options_.hash_backend);
  return tlog::InclusionProof(index, size, reader);
}

absl::StatusOr<std::vector<Hash>> Log::ConsistencyProof(uint64_t old_size,
                                                        uint64_t new_size) const {
  if (auto s = CheckSize(new_size); !s.ok()) return s;
  StorageTileSource source(*storage_);
  tlog::TileHashReader reader(new_size, source, &cache_, options_.hash_backend);
  return tlog::ConsistencyProof(old_size, new_size, reader);
}

absl::StatusOr<Hash> Log::RootHash(uint64_t size) const {
  if (auto s = CheckSize(size); !s.ok()) return s;
  StorageTileSource source(*storage_);
  tlog::TileHashReader reader(size, source, &cache_, options_.hash_backend);
  return tlog::RootHash(size, reader);
}

absl::StatusOr<std::string> Log::ReadEntry(uint64_t index) const {
  auto entries = ReadEntries(index, index + 1);
  if (!entries.ok()) return entries.status();
  return std::move(entries->front());
}

absl::StatusOr<std::vector<std::string>> Log::ReadEntries(uint64_t begin, uint64_t end) const {
  const uint64_t size = this->size();
  if (begin >= end || end > size) {
    return absl::OutOfRangeError(
        absl::StrCat("entries [", begin, ", ", end, ") are not within the log's size ", size));
  }
  StorageTileSource source(*storage_);
  tlog::TileHashReader reader(size, source, &cache_, options_.hash_backend);
  std::vector<std::string> out;
  out.reserve(end - begin);
  for (uint64_t bundle = begin / tlog::kTileWidth; bundle * tlog::kTileWidth < end; ++bundle) {
    TileId id = tlog::TileForTree(TileId::kEntriesLevel, bundle, size);
    auto data = storage_->Read(tlog::TilePath(id));
    if (!data.ok() && absl::IsNotFound(data.status()) && !id.is_full()) {
      id.width = tlog::kTileWidth;
      data = storage_->Read(tlog::TilePath(id));
    }
    if (!data.ok()) return data.status();
    auto entries = tlog::DecodeEntryBundle(*data, id.width);
    if (!entries.ok()) return Annotate(entries.status(), tlog::TilePath(id));
    const uint64_t first = bundle * tlog::kTileWidth;
    for (uint64_t i = std::max(begin, first); i < std::min(end, first + id.width); ++i) {
      const auto entry = (*entries)[i - first];
      auto leaf = reader.ReadNode(0, i);
      if (!leaf.ok()) return leaf.status();
      if (tlog::LeafHash(entry) != *leaf) {
        return absl::DataLossError(
            absl::StrCat(tlog::TilePath(id), ": entry ", i, " does not match its leaf hash"));
      }
      out.emplace_back(reinterpret_cast<const char*>(entry.data()), entry.size());
    }
  }
  return out;
}

}  // namespace accord::log
