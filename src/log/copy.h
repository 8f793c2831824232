// Copying a whole log from one storage to another — `accord store export` (a static
// folder any web server or CDN can serve) and `accord store migrate` (the embedded
// backend to PostgreSQL and back) — verified entry by entry on arrival.
#ifndef ACCORD_LOG_COPY_H_
#define ACCORD_LOG_COPY_H_

#include <cstdint>
#include <functional>

#include "absl/status/statusor.h"
#include "src/log/verify.h"
#include "src/note/note.h"
#include "src/store/log_storage.h"

namespace accord::log {

struct CopyReport {
  VerifyReport verified;  // of the copy, read back from `to`
  uint64_t objects = 0;   // tiles and bundles copied
  uint64_t bytes = 0;
};

// Called as objects are staged: (entries copied, tree size).
using CopyProgress = std::function<void(uint64_t done, uint64_t total)>;

// Copies the log in `from`, whose checkpoint must carry a valid signature by `verifier`,
// into `to`, which must hold no log (FailedPrecondition otherwise, nothing written):
// every entry bundle and hash tile of the checkpoint's tree, staged in chunks
// (LogStorage::Stage); then the staged copy is verified completely as read back from
// `to` (VerifyLog), so a source that changed or lied under the copy is caught; and only
// then is the checkpoint committed. A copy that fails or stops half-way leaves `to`
// without a checkpoint: never served, and the next copy may go into it again.
absl::StatusOr<CopyReport> CopyLog(store::LogStorage& from, store::LogStorage& to,
                                   const note::Verifier& verifier,
                                   const CopyProgress& progress = nullptr);

}  // namespace accord::log

#endif  // ACCORD_LOG_COPY_H_
