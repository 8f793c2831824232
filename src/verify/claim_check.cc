#include "src/verify/claim_check.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "src/log/log.h"
#include "src/node/audit.h"
#include "src/node/client.h"
#include "src/seal/disclosure.h"
#include "src/seal/evidence_log.h"
#include "src/seal/seal.h"
#include "src/util/encoding.h"

namespace accord::verify {
namespace {

using nlohmann::ordered_json;

std::string Position(const std::string& origin, uint64_t index) {
  return absl::StrCat(origin, " #", index);
}

ordered_json PublishedJson(const PublishedStatement& p) {
  return {{"kind", std::string(statement::KindName(p.statement.kind))},
          {"leaf_hash", util::Base64Encode(p.leaf_hash)},
          {"checkpoint_size", p.checkpoint_size},
          {"witnesses", p.witnesses},
          {"witnessed", p.witnessed}};
}

// The finding for a statement read from its log: proven if witnessed, else not shown.
ClaimFinding Found(std::string what, const PublishedStatement& p) {
  ClaimFinding f{p.witnessed ? "proven" : "not shown", std::move(what), Position(p.origin, p.index),
                 PublishedJson(p)};
  if (!p.witnessed) f.detail["why"] = "its checkpoint lacks the directory's witness quorum";
  return f;
}

}  // namespace

absl::StatusOr<PublishedStatement> ReadPublished(const federation::Directory& directory,
                                                 const statement::Validator& validator,
                                                 const std::string& origin, uint64_t index,
                                                 std::optional<crypto::Digest> leaf_hash) {
  const federation::Party* party = directory.FindByOrigin(origin);
  if (party == nullptr) {
    return absl::NotFoundError(absl::StrCat(origin, " is not a party of the directory"));
  }
  auto storage = node::HttpLogStorage::Create(party->url);
  if (!storage.ok()) return storage.status();
  auto log = log::Log::OpenReadOnly(*std::move(storage), *party->log_verifier);
  if (!log.ok()) return log.status();
  PublishedStatement p;
  p.origin = origin;
  p.index = index;
  p.checkpoint_size = (*log)->size();
  if (index >= p.checkpoint_size) {
    return absl::DataLossError(absl::StrCat(
        Position(origin, index), " does not exist: the log has ", p.checkpoint_size, " entries"));
  }
  p.witnesses = federation::CosigningWitnesses(directory, origin, (*log)->signed_checkpoint());
  p.witnessed = p.witnesses.size() >= directory.witness_quorum;
  auto entry = (*log)->ReadEntry(index);
  if (!entry.ok()) return entry.status();
  p.leaf_hash = statement::LeafHashOf(*entry);
  if (leaf_hash && *leaf_hash != p.leaf_hash) {
    return absl::DataLossError(
        absl::StrCat(Position(origin, index), " is not the statement cited (leaf hash differs)"));
  }
  // Judged at its position, as every verifier judges it (officers replayed from entry 0).
  if (auto audit = node::AuditLog(**log, *party->log_verifier, validator, index, index + 1);
      !audit.ok()) {
    return audit.status();
  }
  auto st = validator.Parse(*entry);
  if (!st.ok()) return st.status();
  p.statement = *std::move(st);
  return p;
}

absl::StatusOr<ClaimReport> CheckClaim(const federation::Directory& directory,
                                       const statement::Validator& validator,
                                       const std::string& origin, uint64_t index,
                                       const std::vector<std::filesystem::path>& disclosures) {
  auto claim = ReadPublished(directory, validator, origin, index, std::nullopt);
  if (!claim.ok()) return claim.status();
  if (claim->statement.kind != statement::Kind::kClaim) {
    return absl::InvalidArgumentError(
        absl::StrCat(Position(origin, index), " is ",
                     std::string(statement::KindName(claim->statement.kind)), ", not a claim"));
  }
  ClaimReport report;
  report.claim = *claim;
  report.findings.push_back(
      Found(absl::StrCat("the claim is in ", origin, "'s log, signed for it"), *claim));
  // Every statement it cites, in its own log; evidence kept for the disclosures.
  std::vector<statement::Ref> evidence;
  for (const statement::Ref& ref : claim->statement.refs) {
    const std::string what = absl::StrCat(
        "the cited ", ref.kind ? std::string(statement::KindName(*ref.kind)) : "statement",
        " is in ", ref.origin, "'s log as cited");
    auto cited = ReadPublished(directory, validator, ref.origin, ref.index, ref.leaf_hash);
    absl::Status matches = cited.ok()
                               ? statement::CheckCited(ref, cited->leaf_hash,
                                                       statement::KindName(cited->statement.kind))
                               : cited.status();
    if (!matches.ok()) {
      report.findings.push_back({"failed",
                                 what,
                                 Position(ref.origin, ref.index),
                                 {{"why", std::string(matches.message())}}});
      continue;
    }
    report.findings.push_back(Found(what, *cited));
    if (cited->statement.kind == statement::Kind::kEvidence) evidence.push_back(ref);
  }
  // Each disclosure: packets proven sealed in one of the cited pieces of evidence.
  std::vector<bool> disclosed(evidence.size(), false);
  for (const std::filesystem::path& file : disclosures) {
    const std::string name = file.filename().string();
    const std::string what = "packets disclosed with proofs, sealed in cited evidence";
    auto read = seal::ReadDisclosure(file.string());
    const federation::Party* party =
        read.ok() ? directory.FindByOrigin(read->evidence.origin) : nullptr;
    absl::Status fault = read.ok() ? absl::OkStatus() : read.status();
    if (fault.ok() && party == nullptr) {
      fault = absl::NotFoundError(
          absl::StrCat(read->evidence.origin, " is not a party of the directory"));
    }
    std::optional<seal::DisclosureReport> shown;
    if (fault.ok()) {
      auto storage = node::HttpLogStorage::Create(party->url);
      auto log = storage.ok()
                     ? seal::OpenEvidenceLog(*std::move(storage), party->log_verifier.get())
                     : absl::StatusOr<std::unique_ptr<seal::EvidenceLog>>(storage.status());
      auto verified = log.ok() ? seal::VerifyDisclosure(*read, *party->log_verifier, log->get())
                               : absl::StatusOr<seal::DisclosureReport>(log.status());
      if (verified.ok()) {
        shown = *std::move(verified);
      } else {
        fault = verified.status();
      }
    }
    size_t which = evidence.size();
    for (size_t i = 0; shown && i < evidence.size(); ++i) {
      if (evidence[i].origin == shown->party && evidence[i].index == shown->statement_index &&
          evidence[i].leaf_hash == shown->statement_leaf_hash) {
        which = i;
      }
    }
    if (fault.ok() && which == evidence.size()) {
      fault = absl::InvalidArgumentError("it discloses evidence the claim does not cite");
    }
    if (!fault.ok()) {
      report.findings.push_back({"failed", what, name, {{"why", std::string(fault.message())}}});
      continue;
    }
    disclosed[which] = true;
    report.findings.push_back({"proven",
                               what,
                               name,
                               {{"evidence", Position(shown->party, shown->statement_index)},
                                {"packets", shown->indices.size()},
                                {"checked_against", shown->checked_against}}});
  }
  for (size_t i = 0; i < evidence.size(); ++i) {
    if (disclosed[i]) continue;
    report.findings.push_back({"not shown",
                               "packets of the cited evidence",
                               Position(evidence[i].origin, evidence[i].index),
                               {{"why", "no disclosure of it was supplied"}}});
  }
  return report;
}

bool ClaimReport::ok() const {
  for (const ClaimFinding& f : findings) {
    if (f.result == "failed") return false;
  }
  return true;
}

nlohmann::ordered_json ClaimReport::ToJson() const {
  ordered_json findings_json = ordered_json::array();
  for (const ClaimFinding& f : findings) {
    findings_json.push_back(
        {{"result", f.result}, {"what", f.what}, {"position", f.position}, {"detail", f.detail}});
  }
  return {{"claim", Position(claim.origin, claim.index)},
          {"ok", ok()},
          {"attribution", claim.statement.payload.value("attribution", "")},
          {"findings", std::move(findings_json)}};
}

std::string ClaimReport::ToText() const {
  std::string out =
      absl::StrCat("claim ", Position(claim.origin, claim.index), ": ",
                   ok() ? "everything shown verifies" : "SOMETHING DOES NOT VERIFY", "\n");
  for (const ClaimFinding& f : findings) {
    std::string why;
    if (f.detail.contains("why")) why = absl::StrCat(" — ", f.detail["why"].get<std::string>());
    absl::StrAppend(&out, "  ",
                    f.result == "proven"   ? "proven    "
                    : f.result == "failed" ? "FAILED    "
                                           : "not shown ",
                    f.what, " (", f.position, ")", why, "\n");
  }
  return out;
}

}  // namespace accord::verify
