// Full verification of a log from its stored objects alone, trusting nothing but the
// verifier key: the checkpoint's signature, every entry bundle, every full tile, the
// partial tiles of the checkpoint's tree, and the root. One streaming pass over the
// entries (memory stays O(tile), whatever the log's size); the leaves are hashed and
// the tree rebuilt with the same batched hashing that appends use.
#ifndef ACCORD_LOG_VERIFY_H_
#define ACCORD_LOG_VERIFY_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "src/note/checkpoint.h"
#include "src/note/note.h"
#include "src/store/log_storage.h"
#include "src/tlog/tile.h"

namespace accord::log {

struct VerifyReport {
  note::Checkpoint checkpoint;
  uint64_t entry_bundles = 0;  // bundles read (full and partial)
  uint64_t hash_tiles = 0;     // hash tiles compared
  uint64_t entry_bytes = 0;
};

// Called after each entry bundle with (entries verified, tree size).
using VerifyProgress = std::function<void(uint64_t done, uint64_t total)>;

// OK with a report if the log is intact. Otherwise the first fault, naming the object:
// Unauthenticated/InvalidArgument for the checkpoint's signature or syntax, DataLoss
// for a tile or bundle that is corrupt or disagrees with the tree, NotFound for a
// missing object.
absl::StatusOr<VerifyReport> VerifyLog(store::LogStorage& storage, const note::Verifier& verifier,
                                       const VerifyProgress& progress = nullptr);

// The bytes of tile or bundle `id` as a tree of its width has it. A partial tile or
// bundle that is gone because the full one superseded it is cut from the full one, as
// C2SP tlog-tiles lets clients do (that is how a log is read as of an older checkpoint).
// Errors name the storage and the path.
absl::StatusOr<std::string> ReadObject(store::LogStorage& storage, const tlog::TileId& id);

}  // namespace accord::log

#endif  // ACCORD_LOG_VERIFY_H_
