// VerifyDisclosure: statement (signature, schema, log inclusion), then packets
// (each against its listed leaf, all against the sealed root), then the report.
#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "src/note/checkpoint.h"
#include "src/seal/multiproof.h"
#include "src/seal/seal.h"
#include "src/statement/statement.h"
#include "src/tlog/proof.h"
#include "src/util/encoding.h"

namespace accord::seal {
namespace {

// The validator compiles every schema when made: once per process (it is immutable and
// thread-safe).
absl::StatusOr<const statement::Validator*> TheValidator() {
  static const auto* validator =
      new absl::StatusOr<std::unique_ptr<statement::Validator>>(statement::Validator::Create());
  if (!validator->ok()) return validator->status();
  return validator->value().get();
}

// The statement: who signed it, that it is a capture's evidence, and its facts.
absl::StatusOr<EvidenceFacts> CheckStatement(const EvidenceRecord& e,
                                             const note::Verifier& verifier) {
  if (tlog::LeafHash(util::AsBytes(e.statement)) != e.leaf_hash) {
    return absl::DataLossError("the evidence record's leaf hash is not that of its statement");
  }
  if (e.origin != verifier.Name()) {
    return absl::FailedPreconditionError(absl::StrCat("the disclosure's evidence is in log ",
                                                      e.origin, "; the key given is ",
                                                      std::string(verifier.Name())));
  }
  auto validator = TheValidator();
  if (!validator.ok()) return validator.status();
  auto st = (*validator)->Parse(e.statement);
  if (!st.ok()) {
    return absl::Status(st.status().code(),
                        absl::StrCat("the evidence statement: ", st.status().message()));
  }
  if (!statement::VerifiedBy(st->envelope, verifier)) {
    return absl::UnauthenticatedError(
        absl::StrCat("the evidence statement is not signed by ", std::string(verifier.Name())));
  }
  if (st->kind != statement::Kind::kEvidence) {
    return absl::FailedPreconditionError("the cited statement is not an evidence statement");
  }
  if (st->issuer != e.origin) {
    return absl::FailedPreconditionError(absl::StrCat("the evidence statement was issued by ",
                                                      st->issuer, " but logged in ", e.origin));
  }
  return ReadEvidenceFacts(st->payload);
}

// The statement is in the log: against the log's current signed checkpoint, or the
// one embedded in the disclosure.
absl::Status CheckLogged(const EvidenceRecord& e, const note::Verifier& verifier, EvidenceLog* log,
                         DisclosureReport& report) {
  note::Checkpoint checkpoint;
  std::vector<tlog::Hash> proof;
  if (log != nullptr) {
    if (log->Origin() != e.origin) {
      return absl::FailedPreconditionError(
          absl::StrCat("the ", log->Describe(), " is ", log->Origin(), ", not ", e.origin));
    }
    auto inclusion = log->ProveIncluded(e.index);
    if (absl::IsNotFound(inclusion.status())) {
      return absl::UnauthenticatedError(
          absl::StrCat("the evidence statement is not in the log: ", inclusion.status().message()));
    }
    if (!inclusion.ok()) return inclusion.status();
    checkpoint = inclusion->checkpoint;
    proof = std::move(inclusion->proof);
    report.checked_against = log->Describe();
  } else {
    if (e.checkpoint.empty()) {
      return absl::FailedPreconditionError(
          "the disclosure carries no checkpoint: give the evidence's log to verify against");
    }
    auto opened = note::OpenCheckpoint(e.checkpoint, e.origin, verifier);
    if (!opened.ok()) {
      return absl::Status(opened.status().code(),
                          absl::StrCat("the embedded checkpoint: ", opened.status().message()));
    }
    checkpoint = opened->checkpoint;
    proof = e.inclusion_proof;
    report.checked_against = "the signed checkpoint embedded in the disclosure";
  }
  if (e.index >= checkpoint.size) {
    return absl::UnauthenticatedError(absl::StrCat("the evidence statement's index ", e.index,
                                                   " is beyond the checkpoint's ", checkpoint.size,
                                                   " entries"));
  }
  absl::Status s =
      tlog::VerifyInclusion(e.index, checkpoint.size, e.leaf_hash, proof, checkpoint.root_hash);
  if (!s.ok()) {
    return absl::UnauthenticatedError(absl::StrCat("the evidence statement is not entry ", e.index,
                                                   " of ", e.origin, ": ", s.message()));
  }
  report.checkpoint_size = checkpoint.size;
  return absl::OkStatus();
}

// Names the first packet that is not the one the records list, and how.
absl::Status CheckPackets(const Disclosure& d, const EvidenceFacts& facts) {
  if (d.packets.size() != d.indices.size()) {
    return absl::DataLossError(absl::StrCat("the file holds ", d.packets.size(),
                                            " packets but its records list ", d.indices.size(),
                                            ": packets were added or removed"));
  }
  if (d.indices.empty()) return absl::DataLossError("the disclosure lists no packets");
  for (size_t k = 0; k < d.packets.size(); ++k) {
    if (d.packets[k].leaf == d.listed_leaves[k]) continue;
    const std::string where =
        absl::StrCat("packet ", k + 1, " of the file (block at offset ", d.packets[k].offset, ")");
    auto it = std::find(d.listed_leaves.begin(), d.listed_leaves.end(), d.packets[k].leaf);
    if (it != d.listed_leaves.end()) {
      return absl::DataLossError(absl::StrCat(where, " is sealed packet ",
                                              d.indices[it - d.listed_leaves.begin()] + 1,
                                              ", listed elsewhere: packets were reordered"));
    }
    return absl::DataLossError(absl::StrCat(where, " is not sealed packet ", d.indices[k] + 1,
                                            ": it was modified or comes from elsewhere"));
  }
  std::vector<tlog::Hash> leaves;
  leaves.reserve(d.packets.size());
  for (const DisclosedPacket& p : d.packets) leaves.push_back(p.leaf);
  absl::Status s = VerifyMultiInclusion(d.indices, leaves, facts.packets, d.proof, facts.root);
  if (!s.ok()) {
    return absl::UnauthenticatedError(absl::StrCat(
        "the disclosed packets are not packets ", "of the sealed capture (", facts.packets,
        " packets, root ", util::Base64Encode(facts.root), "): ", s.message()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<DisclosureReport> VerifyDisclosure(const std::string& path,
                                                  const note::Verifier& verifier,
                                                  EvidenceLog* log) {
  auto d = ReadDisclosure(path);
  if (!d.ok()) return d.status();
  return VerifyDisclosure(*d, verifier, log);
}

absl::StatusOr<DisclosureReport> VerifyDisclosure(const Disclosure& disclosure,
                                                  const note::Verifier& verifier,
                                                  EvidenceLog* log) {
  DisclosureReport report;
  auto facts = CheckStatement(disclosure.evidence, verifier);
  if (!facts.ok()) return facts.status();
  if (auto s = CheckLogged(disclosure.evidence, verifier, log, report); !s.ok()) return s;
  if (auto s = CheckPackets(disclosure, *facts); !s.ok()) return s;
  report.party = disclosure.evidence.origin;
  report.statement_index = disclosure.evidence.index;
  report.statement_leaf_hash = disclosure.evidence.leaf_hash;
  report.facts = *std::move(facts);
  report.indices = disclosure.indices;
  for (const DisclosedPacket& p : disclosure.packets) {
    report.link_types.insert(p.link_type);
    if (!report.first_ns || p.time_ns < *report.first_ns) report.first_ns = p.time_ns;
    if (!report.last_ns || p.time_ns > *report.last_ns) report.last_ns = p.time_ns;
  }
  return report;
}

nlohmann::ordered_json DisclosureReport::ToJson() const {
  nlohmann::ordered_json j;
  j["verified"] = true;
  j["party"] = party;
  j["statement"] = {{"origin", party},
                    {"index", statement_index},
                    {"leaf_hash", util::Base64Encode(statement_leaf_hash)}};
  j["checked_against"] = checked_against;
  j["checkpoint_size"] = checkpoint_size;
  j["sealed"] = {{"issued", facts.issued},
                 {"packets", facts.packets},
                 {"root", util::Base64Encode(facts.root)},
                 {"first_observed", facts.first_observed},
                 {"last_observed", facts.last_observed},
                 {"file", {{"sha256", facts.file_sha256}, {"name", facts.file_name}}},
                 {"collector", facts.collector},
                 {"sensor", facts.sensor},
                 {"tool", facts.tool}};
  if (facts.file_bytes) j["sealed"]["file"]["bytes"] = *facts.file_bytes;
  if (!facts.note.empty()) j["sealed"]["note"] = facts.note;
  std::vector<uint64_t> numbers;
  for (uint64_t i : indices) numbers.push_back(i + 1);
  j["disclosed"] = {{"packets", indices.size()},
                    {"packet_numbers", numbers},
                    {"first", first_ns ? FormatTimeNs(*first_ns) : ""},
                    {"last", last_ns ? FormatTimeNs(*last_ns) : ""},
                    {"link_types", link_types}};
  return j;
}

std::string DisclosureReport::ToText() const {
  std::string numbers;
  for (size_t i = 0; i < indices.size() && i < 20; ++i) {
    absl::StrAppend(&numbers, i ? "," : "", indices[i] + 1);
  }
  if (indices.size() > 20) absl::StrAppend(&numbers, ",…");
  return absl::StrCat(
      "verified: ", indices.size(), " of ", facts.packets, " sealed packets (", numbers, ")\n",
      "  sealed by    ", party, " at ", facts.issued, " (evidence statement ", statement_index,
      ", included in the signed checkpoint of size ", checkpoint_size, " from ", checked_against,
      ")\n", "  capture      ", facts.file_name.empty() ? "(unnamed)" : facts.file_name,
      ", sha256 ", facts.file_sha256, "\n", "  captured     ", facts.first_observed, " to ",
      facts.last_observed, "\n", "  disclosed    ", first_ns ? FormatTimeNs(*first_ns) : "-",
      " to ", last_ns ? FormatTimeNs(*last_ns) : "-", ", link types ",
      absl::StrJoin(link_types, ","), "\n", "  collector    ", facts.collector.dump(), "; sensor ",
      facts.sensor.dump(), "\n");
}

}  // namespace accord::seal
