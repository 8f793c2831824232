// Auditing a party's log from its published bytes alone: every entry must be a valid
// statement of that party, signed by the party key or by an officer key authorised by
// an earlier `officer` statement and not revoked since. Used by `accord verify` and,
// later, by monitors following a peer's log.
#ifndef ACCORD_NODE_AUDIT_H_
#define ACCORD_NODE_AUDIT_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "src/log/log.h"
#include "src/note/keys.h"
#include "src/statement/statement.h"

namespace accord::node {

struct AuditReport {
  uint64_t statements = 0;
  std::map<std::string, uint64_t> by_kind;
  std::map<std::string, uint64_t> by_signer;  // keyid → statements
  // Refs into this log are checked (statement::CheckCited against the entry cited, which
  // must come before the citing one); refs into other logs need those logs: counted here
  // for the caller to resolve (`accord verify` says so).
  uint64_t refs_checked = 0;
  uint64_t foreign_refs = 0;
};

using AuditProgress = std::function<void(uint64_t done, uint64_t total)>;

// Checks entries [begin, end) of `log` (opened read-only against `party_key`). Officer
// authorisations are replayed from entry 0 so that each statement is judged by the
// keys valid at its position. DataLoss naming the index for the first bad entry.
absl::StatusOr<AuditReport> AuditLog(const log::Log& log, const note::Verifier& party_key,
                                     const statement::Validator& validator, uint64_t begin,
                                     uint64_t end, const AuditProgress& progress = nullptr);

}  // namespace accord::node

#endif  // ACCORD_NODE_AUDIT_H_
