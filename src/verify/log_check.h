// What anyone checks of a party's log from its published bytes alone (`accord verify`,
// `accord demo`, the console): nothing the node says is trusted. The log is read over
// its C2SP read paths (node::HttpLogStorage) and checked against a key the verifier
// holds — given, or the directory's entry for the checkpoint's origin:
//  - the checkpoint's signature by that key;
//  - with a directory, its cosignatures by the directory's witnesses, at least the
//    quorum asked for (default: the directory's witness_quorum);
//  - then either the whole log — every tile and entry bundle against the signed root
//    (log::VerifyLog) and every statement valid at its position (node::AuditLog) — or the
//    statements asked for, each with an inclusion proof computed from the tiles and
//    checked against the signed root, and judged at its position.
// Every verification failure is an error naming what failed (see CheckLog); a report is
// only returned for a log that passed everything asked.
#ifndef ACCORD_VERIFY_LOG_CHECK_H_
#define ACCORD_VERIFY_LOG_CHECK_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/federation/directory.h"
#include "src/log/verify.h"
#include "src/node/audit.h"
#include "src/note/checkpoint.h"
#include "src/note/note.h"
#include "src/tlog/hash.h"

namespace accord::verify {

// What the verifier trusts. At least one of `key` and `directory`.
struct LogTrust {
  // The log's key; null: the directory's log key for the checkpoint's origin.
  const note::Verifier* key = nullptr;
  // The directory: the log key (unless `key`) and the witnesses whose cosignatures count.
  const federation::Directory* directory = nullptr;
  // Cosignatures by the directory's witnesses required; nullopt: its witness_quorum.
  std::optional<size_t> witnesses_required;
};

struct StatementProof {
  uint64_t index = 0;
  tlog::Hash leaf_hash{};
  std::string kind;
  std::string signer;  // keyid of the key that signed it (the party's or an officer's)
};

struct LogReport {
  note::Checkpoint checkpoint;
  // With a directory: the directory witnesses that cosigned the checkpoint.
  bool witnesses_checked = false;
  std::vector<std::string> witnesses;
  size_t witnesses_required = 0;
  // The whole log (no indices asked): its tiles and its statements.
  bool whole_log = false;
  log::VerifyReport tiles;
  node::AuditReport audit;
  // The statements asked for, in the order asked.
  std::vector<StatementProof> statements;

  // The report `accord verify --json` prints ("ok": true).
  nlohmann::ordered_json ToJson() const;
  // The report for people, several lines.
  std::string ToText() const;
};

// Checks the log served at `url` (see the top of this file); `indices` empty: the whole
// log. Errors: InvalidArgument if `trust` holds neither a key nor a directory; NotFound
// for an origin the directory does not list; FailedPrecondition for a checkpoint short
// of the witness quorum; Unauthenticated/InvalidArgument for the checkpoint's signature;
// DataLoss for a tile, entry or statement that does not verify, naming it; the
// transport's errors as they are.
absl::StatusOr<LogReport> CheckLog(const std::string& url, const LogTrust& trust,
                                   std::span<const uint64_t> indices = {},
                                   const node::AuditProgress& progress = nullptr);

}  // namespace accord::verify

#endif  // ACCORD_VERIFY_LOG_CHECK_H_
