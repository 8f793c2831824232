#include "src/node/audit.h"

#include <memory>

#include "absl/strings/str_cat.h"

namespace accord::node {

absl::StatusOr<AuditReport> AuditLog(const log::Log& log, const note::Verifier& party_key,
                                     const statement::Validator& validator, uint64_t begin,
                                     uint64_t end, const AuditProgress& progress) {
  AuditReport report;
  const std::string origin(party_key.Name());
  const std::string party_keyid = statement::KeyId(party_key);
  std::map<std::string, std::unique_ptr<note::Verifier>> officers;  // keyid → key
  constexpr uint64_t kChunk = 4096;
  for (uint64_t first = 0; first < end; first += kChunk) {
    const uint64_t last = std::min(end, first + kChunk);
    auto entries = log.ReadEntries(first, last);
    if (!entries.ok()) return entries.status();
    for (uint64_t i = first; i < last; ++i) {
      const std::string& entry = (*entries)[i - first];
      auto bad = [&](std::string_view why) {
        return absl::DataLossError(
            absl::StrCat(log.origin(), " entry ", i, ": ", std::string(why)));
      };
      auto st = validator.Parse(entry);
      // Entries before `begin` are read only for officer changes.
      if (!st.ok()) {
        if (i < begin) continue;
        return bad(absl::StrCat("not a valid statement: ", st.status().message()));
      }
      if (i >= begin) {
        if (st->issuer != origin)
          return bad(absl::StrCat("issued by ", st->issuer, ", not ", origin));
        std::string signer;
        for (const auto& sig : st->envelope.signatures) {
          const note::Verifier* key = nullptr;
          if (sig.keyid == party_keyid) {
            key = &party_key;
          } else if (st->kind != statement::Kind::kOfficer) {
            if (auto it = officers.find(sig.keyid); it != officers.end()) key = it->second.get();
          }
          if (key != nullptr && statement::VerifiedBy(st->envelope, *key)) {
            signer = sig.keyid;
            break;
          }
        }
        if (signer.empty()) return bad("no valid signature by the party or an authorised officer");
        ++report.statements;
        ++report.by_kind[std::string(statement::KindName(st->kind))];
        ++report.by_signer[signer];
      }
      if (st->kind == statement::Kind::kOfficer && statement::VerifiedBy(st->envelope, party_key)) {
        auto key = note::NewVerifier(st->payload.value("key", ""));
        if (!key.ok()) return bad("officer statement with an invalid key");
        const std::string keyid = statement::KeyId(**key);
        if (st->payload.value("action", "") == "revoke") {
          officers.erase(keyid);
        } else {
          officers[keyid] = *std::move(key);
        }
      }
    }
    if (progress && last > begin) progress(last - std::min(begin, last), end - begin);
  }
  return report;
}

}  // namespace accord::node
