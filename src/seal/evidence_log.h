// Where seal finds evidence statements and proves them logged: a log (src/log) in any
// LogStorage — a folder, or a node's C2SP read paths over HTTP — read through the same
// interface, so disclose and verify-disclosure do not care which.
#ifndef ACCORD_SEAL_EVIDENCE_LOG_H_
#define ACCORD_SEAL_EVIDENCE_LOG_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/note/checkpoint.h"
#include "src/note/keys.h"
#include "src/seal/disclosure.h"
#include "src/store/log_storage.h"
#include "src/tlog/hash.h"

namespace accord::seal {

struct LogInclusion {
  std::string signed_checkpoint;
  note::Checkpoint checkpoint;
  std::vector<tlog::Hash> proof;  // RFC 9162 inclusion proof in checkpoint's tree
};

class EvidenceLog {
 public:
  virtual ~EvidenceLog() = default;
  virtual std::string Describe() const = 0;  // for messages: "log at /x", "log at http://…"
  virtual std::string Origin() const = 0;
  // Entry `index`, checked against its leaf hash. NotFound past the end.
  virtual absl::StatusOr<std::string> ReadEntry(uint64_t index) = 0;
  // The index of the entry whose RFC 6962 leaf hash is `leaf_hash`. NotFound if absent.
  virtual absl::StatusOr<uint64_t> FindEntry(const tlog::Hash& leaf_hash) = 0;
  // The log's latest checkpoint (verified if the log was opened with a verifier) and
  // the inclusion proof of entry `index` in it.
  virtual absl::StatusOr<LogInclusion> ProveIncluded(uint64_t index) = 0;
};

// The log in `storage`: a folder (store::PosixLogStorage), or a node's read paths over
// HTTP (node::HttpLogStorage), which the caller composes. With a verifier, the
// checkpoint's signature is checked on open (verification); without, the stored
// checkpoint is trusted (disclosure, whose recipient verifies everything).
absl::StatusOr<std::unique_ptr<EvidenceLog>> OpenEvidenceLog(
    std::unique_ptr<store::LogStorage> storage, const note::Verifier* verifier);
// OpenEvidenceLog over the folder `dir`.
absl::StatusOr<std::unique_ptr<EvidenceLog>> OpenLogFolder(const std::string& dir,
                                                           const note::Verifier* verifier);

// How a disclosure names its evidence statement: by index, by a full reference, or by
// the statement's bytes (the envelope `accord seal` wrote), or several of these, which
// must then agree.
struct EvidenceQuery {
  std::optional<uint64_t> index;
  std::optional<std::string> origin;
  std::optional<tlog::Hash> leaf_hash;
  std::optional<std::string> statement;
};

// Parses REF: "INDEX", or "ORIGIN@INDEX" or "ORIGIN@INDEX#LEAFHASH" (leaf hash in
// base64 or hex). InvalidArgument otherwise.
absl::StatusOr<EvidenceQuery> ParseEvidenceRef(std::string_view ref);

// Finds the statement in `log` and proves it included: the evidence record a
// disclosure carries. NotFound / FailedPrecondition naming what disagrees.
absl::StatusOr<EvidenceRecord> ResolveEvidence(EvidenceLog& log, const EvidenceQuery& query);

}  // namespace accord::seal

#endif  // ACCORD_SEAL_EVIDENCE_LOG_H_
