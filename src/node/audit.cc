#include "src/node/audit.h"

#include <memory>
#include <unordered_map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/node/intake.h"

namespace accord::node {

absl::StatusOr<AuditReport> AuditLog(const log::Log& log, const note::Verifier& party_key,
                                     const statement::Validator& validator, uint64_t begin,
                                     uint64_t end, const AuditProgress& progress) {
  AuditReport report;
  // The same rules as the node's intake and the monitors (Intake::Verify), replayed
  // from entry 0 so that each statement is judged by the keys valid at its position.
  // (`party_key` outlives `intake`: the pointer does not own it.)
  Intake intake(std::shared_ptr<const note::Verifier>(&party_key, [](const note::Verifier*) {}),
                validator);
  // A log holds each statement once (its digest); a second copy is a replay.
  std::unordered_map<crypto::Digest, uint64_t, crypto::DigestHash> seen;
  // Every entry's leaf hash and kind ("" if invalid), for refs into this log.
  struct Cited {
    crypto::Digest leaf_hash;
    std::string_view kind;
  };
  std::vector<Cited> cited;
  cited.reserve(end);
  constexpr uint64_t kChunk = 4096;
  for (uint64_t first = 0; first < end; first += kChunk) {
    const uint64_t last = std::min(end, first + kChunk);
    auto entries = log.ReadEntries(first, last);
    if (!entries.ok()) return entries.status();
    for (uint64_t i = first; i < last; ++i) {
      auto bad = [&](std::string_view why) {
        return absl::DataLossError(
            absl::StrCat(log.origin(), " entry ", i, ": ", std::string(why)));
      };
      auto accepted = intake.Verify((*entries)[i - first]);
      cited.push_back({statement::LeafHashOf((*entries)[i - first]),
                       accepted.ok() ? statement::KindName(accepted->statement.kind) : ""});
      // Entries before `begin` are read for officer decisions and refs.
      if (!accepted.ok()) {
        if (i < begin) continue;
        return bad(absl::StrCat("not a valid statement of ", log.origin(),
                                " at its position: ", accepted.status().message()));
      }
      const auto [it, fresh] = seen.emplace(accepted->meta.digest, i);
      if (i >= begin) {
        if (!fresh) return bad(absl::StrCat("repeats the statement at entry ", it->second));
        ++report.statements;
        ++report.by_kind[accepted->meta.kind];
        ++report.by_signer[accepted->meta.signer];
        for (const statement::Ref& ref : accepted->statement.refs) {
          if (ref.origin != log.origin()) {
            ++report.foreign_refs;
            continue;
          }
          if (ref.index >= i) {
            return bad(absl::StrCat("cites entry ", ref.index, ", which is not before it"));
          }
          const Cited& c = cited[ref.index];
          if (absl::Status s = statement::CheckCited(ref, c.leaf_hash, c.kind); !s.ok()) {
            return bad(absl::StrCat("cites what is not there: ", s.message()));
          }
          ++report.refs_checked;
        }
      }
      if (accepted->statement.kind == statement::Kind::kOfficer) {
        (void)intake.Apply(accepted->statement);  // one that changes nothing is ignored
      }
    }
    if (progress && last > begin) progress(last - std::min(begin, last), end - begin);
  }
  return report;
}

}  // namespace accord::node
