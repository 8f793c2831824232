#include "src/log/log.h"

#include "absl/strings/cord.h"
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

constexpr absl::string_view kLostRacePayload = "accord.log.lost-race";

absl::Status LostRace(std::string_view message) {
  absl::Status s = absl::AbortedError(std::string(message));
  s.SetPayload(kLostRacePayload, absl::Cord("1"));
  return s;
}

}  // namespace

bool IsLostRace(const absl::Status& s) {
  return absl::IsAborted(s) && s.GetPayload(kLostRacePayload).has_value();
}

Log::Log(std::unique_ptr<store::LogStorage> storage, std::optional<note::Ed25519Signer> signer,
         std::string origin, const Options& options)
    : storage_(std::move(storage)),
      signer_(std::move(signer)),
      origin_(std::move(origin)),
      options_(options),
      cache_(options.tile_cache_tiles) {}

Log::~Log() = default;

namespace {

// Commits the empty log's signed checkpoint by compare-and-swap from "no checkpoint":
// of several creators one wins. OK if this one did, AlreadyExists if the storage
// already held a log (another writer created it first, or earlier).
absl::Status CreateEmpty(store::LogStorage& storage, const note::Ed25519Signer& signer) {
  const auto already = [&storage] {
    return absl::AlreadyExistsError(
        absl::StrCat(storage.Describe(), " already holds a log (it has a checkpoint)"));
  };
  auto existing = storage.Read(store::kCheckpointPath);
  if (existing.ok()) return already();
  if (!absl::IsNotFound(existing.status())) return existing.status();
  note::Checkpoint cp{std::string(signer.Name()), 0, tlog::EmptyTreeHash(), {}};
  auto signed_cp = note::SignCheckpoint(cp, signer);
  if (!signed_cp.ok()) return signed_cp.status();
  if (auto s = storage.Commit({}, std::nullopt, *signed_cp); !s.ok()) {
    if (absl::IsFailedPrecondition(s)) return already();
    return Annotate(s, absl::StrCat("cannot create a log in ", storage.Describe()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Log>> Log::Create(std::unique_ptr<store::LogStorage> storage,
                                                 note::Ed25519Signer signer,
                                                 const Options& options) {
  if (absl::Status s = CreateEmpty(*storage, signer); !s.ok()) return s;
  return OpenForAppend(std::move(storage), std::move(signer), options);
}

absl::StatusOr<std::unique_ptr<Log>> Log::OpenOrCreate(std::unique_ptr<store::LogStorage> storage,
                                                       note::Ed25519Signer signer,
                                                       const Options& options) {
  // A log that exists already, or that another writer created a moment ago, is as good.
  if (absl::Status s = CreateEmpty(*storage, signer); !s.ok() && !absl::IsAlreadyExists(s)) {
    return s;
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
  auto verifier = note::NewVerifier(signer.VerifierKeyString());
  if (!verifier.ok()) return verifier.status();
  auto loaded = LoadCheckpoint(*storage, **verifier);
  if (!loaded.ok()) {
    return absl::IsNotFound(loaded.status())
               ? absl::NotFoundError(absl::StrCat("no log in ", storage->Describe()))
               : loaded.status();
  }
  std::string origin(signer.Name());
  std::unique_ptr<Log> log(
      new Log(std::move(storage), std::move(signer), std::move(origin), options));
  log->verifier_ = *std::move(verifier);
  absl::MutexLock append_lock(&log->append_mu_);
  if (auto s = log->LoadRightEdge(loaded->checkpoint); !s.ok()) return s;
  absl::MutexLock lock(&log->mu_);
  log->checkpoint_ = std::move(loaded->checkpoint);
  log->signed_checkpoint_ = std::move(loaded->note);
  return log;
}

// Restores the appender from the partial tiles of every level and the partial entry
// bundle of `cp`, checking the bundle against the level-0 tile and the result against
// the signed root: the tiles in storage are not trusted until they reproduce it.
absl::Status Log::LoadRightEdge(const note::Checkpoint& cp) {
  const uint64_t size = cp.size;
  if (!hasher_) hasher_ = std::make_unique<tlog::TreeHasher>(options_.hash_backend);
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
  for (int attempt = 1;; ++attempt) {
    auto result = TryAppend(entries);
    if (result.ok() || !IsLostRace(result.status())) return result;
    if (attempt == kMaxCommitAttempts) {
      return absl::UnavailableError(
          absl::StrCat("other writers of ", storage_->Describe(), " committed first ", attempt,
                       " times in a row; nothing of this batch was written, try again"));
    }
  }
}

absl::StatusOr<AppendResult> Log::TryAppend(std::span<const std::span<const uint8_t>> entries) {
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
  std::vector<Hash> leaves(entries.size());
  hasher_->LeafHashes(entries, leaves);
  auto result = CommitBatch(entries, leaves);
  if (result.ok() || !absl::IsFailedPrecondition(result.status())) return result;
  // Another writer committed first: nothing of this batch was written. Take up the log
  // where the winner left it.
  if (auto s = CatchUp(); !s.ok()) {
    failed_ = s;
    return s;
  }
  return LostRace(absl::StrCat("another writer of ", storage_->Describe(),
                               " committed first; the log is now at size ", size()));
}

// One attempt: sequences the batch after tree_, and commits it if the stored checkpoint
// is still ours. Leaves tree_ and partial_bundle_ advanced by the batch whatever the
// outcome: after a lost race CatchUp reloads them, after any other failure the log is
// stopped (sticky).
absl::StatusOr<AppendResult> Log::CommitBatch(std::span<const std::span<const uint8_t>> entries,
                                              std::span<const Hash> leaves) {
  const uint64_t old_size = tree_.size();
  const tlog::TreeUpdate update = tree_.Append(leaves, *hasher_);

  // Objects: entry bundles, then hash tiles; the checkpoint is written after them.
  std::vector<store::LogObject> objects;
  std::vector<std::string> completed;  // full tiles and bundles whose partials go
  uint64_t bundle_index = old_size / tlog::kTileWidth;
  uint32_t in_bundle = old_size % tlog::kTileWidth;
  for (const auto& e : entries) {
    (void)tlog::AppendBundleEntry(partial_bundle_, e);  // sizes checked by Append
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
  const std::string expected = signed_checkpoint();
  if (auto s = storage_->Commit(objects, expected, *signed_cp); !s.ok()) {
    if (absl::IsFailedPrecondition(s)) return s;  // the lost race: nothing written
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

absl::Status Log::Recover() {
  if (!signer_) return absl::FailedPreconditionError("the log is open read-only");
  absl::MutexLock append_lock(&append_mu_);
  if (failed_.ok()) return absl::OkStatus();
  // What the start-up path would do: trust nothing held in memory beyond the last
  // checkpoint this Log published, read what is stored, check that it extends it.
  if (auto s = CatchUp(); !s.ok()) return s;
  failed_ = absl::OkStatus();
  return absl::OkStatus();
}

absl::StatusOr<bool> Log::Refresh() {
  if (!signer_) return absl::FailedPreconditionError("the log is open read-only");
  absl::MutexLock append_lock(&append_mu_);
  if (!failed_.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the log stopped after a storage failure and must be reopened: ", failed_.message()));
  }
  const uint64_t before = size();
  if (auto s = CatchUp(); !s.ok()) {
    failed_ = s;
    return s;
  }
  return size() != before;
}

// Adopts the stored checkpoint if another writer moved it: its signature must be the
// log's own, and it must extend the checkpoint this Log held — proved from the stored
// tiles by a consistency proof checked against both signed roots. Anything else is a
// fork or a damaged store, reported as DataLoss naming both sizes.
absl::Status Log::CatchUp() {
  auto loaded = LoadCheckpoint(*storage_, *verifier_);
  if (!loaded.ok()) return loaded.status();
  const note::Checkpoint old = checkpoint();
  if (loaded->note == signed_checkpoint()) {
    // Ours still, but tree_ may have been advanced by a failed attempt.
    return LoadRightEdge(old);
  }
  const note::Checkpoint& now = loaded->checkpoint;
  const auto fork = [&](const std::string& why) {
    return absl::DataLossError(absl::StrCat(storage_->Describe(), ": the stored checkpoint (size ",
                                            now.size,
                                            ") does not extend the one this writer "
                                            "held (size ",
                                            old.size, "): ", why));
  };
  if (now.size < old.size) return fork("it is smaller");
  if (now.size == old.size) {
    if (now.root_hash != old.root_hash) return fork("same size, another root");
  } else if (old.size > 0) {
    StorageTileSource source(*storage_);
    tlog::TileHashReader reader(now.size, source, &cache_, options_.hash_backend);
    auto proof = tlog::ConsistencyProof(old.size, now.size, reader);
    if (!proof.ok()) return fork(std::string(proof.status().message()));
    if (auto s = tlog::VerifyConsistency(old.size, now.size, old.root_hash, now.root_hash, *proof);
        !s.ok()) {
      return fork(std::string(s.message()));
    }
  }
  if (auto s = LoadRightEdge(now); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  checkpoint_ = now;
  signed_checkpoint_ = std::move(loaded->note);
  return absl::OkStatus();
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
