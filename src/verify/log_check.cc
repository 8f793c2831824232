#include "src/verify/log_check.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "src/log/log.h"
#include "src/node/client.h"
#include "src/statement/statement.h"
#include "src/store/log_storage.h"
#include "src/tlog/proof.h"
#include "src/util/encoding.h"

namespace accord::verify {
namespace {

using nlohmann::ordered_json;

// The key of the log whose checkpoint `storage` serves: the directory's entry for its
// origin. Only the origin is read here; the signature is checked when the log is opened.
absl::StatusOr<std::unique_ptr<note::Verifier>> DirectoryKey(store::LogStorage& storage,
                                                             const federation::Directory& d) {
  auto text = storage.Read(store::kCheckpointPath);
  if (!text.ok()) return text.status();
  auto parsed = note::Parse(*text);
  if (!parsed.ok()) return parsed.status();
  auto cp = note::ParseCheckpoint(parsed->text);
  if (!cp.ok()) return cp.status();
  const federation::Party* party = d.FindByOrigin(cp->origin);
  if (party == nullptr) {
    return absl::NotFoundError(absl::StrCat("the directory does not list the log ", cp->origin));
  }
  return note::NewVerifier(party->log_key);
}

}  // namespace

absl::StatusOr<LogReport> CheckLog(const std::string& url, const LogTrust& trust,
                                   std::span<const uint64_t> indices,
                                   const node::AuditProgress& progress) {
  if (trust.key == nullptr && trust.directory == nullptr) {
    return absl::InvalidArgumentError("give the log's key or a directory that lists it");
  }
  auto storage = node::HttpLogStorage::Create(url);
  if (!storage.ok()) return storage.status();
  store::LogStorage& remote = **storage;
  std::unique_ptr<note::Verifier> listed;
  if (trust.key == nullptr) {
    auto key = DirectoryKey(remote, *trust.directory);
    if (!key.ok()) return key.status();
    listed = *std::move(key);
  }
  const note::Verifier& key = trust.key != nullptr ? *trust.key : *listed;
  auto validator = statement::Validator::Create();
  if (!validator.ok()) return validator.status();
  auto log = log::Log::OpenReadOnly(*std::move(storage), key);
  if (!log.ok()) return log.status();

  LogReport report;
  report.checkpoint = (*log)->checkpoint();
  const note::Checkpoint& cp = report.checkpoint;
  if (trust.directory != nullptr) {
    report.witnesses_checked = true;
    report.witnesses =
        federation::CosigningWitnesses(*trust.directory, cp.origin, (*log)->signed_checkpoint());
    report.witnesses_required = trust.witnesses_required.value_or(trust.directory->witness_quorum);
    if (report.witnesses.size() < report.witnesses_required) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the checkpoint of ", cp.origin, " at size ", cp.size, " carries ",
          report.witnesses.size(), " valid cosignatures by the directory's witnesses; ",
          report.witnesses_required, " are required"));
    }
  }
  if (indices.empty()) {
    report.whole_log = true;
    auto tiles = log::VerifyLog(remote, key);
    if (!tiles.ok()) return tiles.status();
    report.tiles = *std::move(tiles);
    auto audit = node::AuditLog(**log, key, **validator, 0, cp.size, progress);
    if (!audit.ok()) return audit.status();
    report.audit = *std::move(audit);
    return report;
  }
  for (uint64_t i : indices) {
    auto entry = (*log)->ReadEntry(i);
    if (!entry.ok()) return entry.status();
    const tlog::Hash leaf = tlog::LeafHash(util::AsBytes(*entry));
    auto proof = (*log)->InclusionProof(i, cp.size);
    if (!proof.ok()) return proof.status();
    if (auto s = tlog::VerifyInclusion(i, cp.size, leaf, *proof, cp.root_hash); !s.ok()) {
      return absl::DataLossError(
          absl::StrCat("statement ", i, " is not in the signed tree: ", s.message()));
    }
    auto audit = node::AuditLog(**log, key, **validator, i, i + 1);
    if (!audit.ok()) return audit.status();
    report.statements.push_back(
        {i, leaf, audit->by_kind.begin()->first, audit->by_signer.begin()->first});
  }
  return report;
}

ordered_json LogReport::ToJson() const {
  ordered_json j = {{"origin", checkpoint.origin},
                    {"size", checkpoint.size},
                    {"root_hash", util::Base64Encode(checkpoint.root_hash)}};
  if (witnesses_checked) {
    j["witnesses"] = witnesses;
    j["witnesses_required"] = witnesses_required;
  }
  if (whole_log) {
    j["statements"] = audit.statements;
    j["by_kind"] = audit.by_kind;
    j["by_signer"] = audit.by_signer;
    j["refs_checked"] = audit.refs_checked;
    j["refs_into_other_logs"] = audit.foreign_refs;
    j["tiles_checked"] = tiles.hash_tiles;
  } else {
    ordered_json items = ordered_json::array();
    for (const StatementProof& s : statements) {
      items.push_back({{"index", s.index},
                       {"leaf_hash", util::Base64Encode(s.leaf_hash)},
                       {"kind", s.kind},
                       {"signer", s.signer},
                       {"included", true}});
    }
    j["statements"] = std::move(items);
  }
  j["ok"] = true;
  return j;
}

std::string LogReport::ToText() const {
  std::string out =
      absl::StrCat("ok: ", checkpoint.origin, ", ", checkpoint.size, " statements, root ",
                   util::Base64Encode(checkpoint.root_hash), ": checkpoint signature verified\n");
  if (witnesses_checked) {
    std::string names;
    for (const std::string& n : witnesses) absl::StrAppend(&names, names.empty() ? "" : ", ", n);
    absl::StrAppend(&out, "   witnessed: ", witnesses.size(), " cosignature(s) (",
                    names.empty() ? "none" : names, "), ", witnesses_required, " required\n");
  }
  if (whole_log) {
    absl::StrAppend(&out,
                    "   every tile and entry verified; every statement valid and signed by the\n"
                    "   party or an authorised officer (",
                    ordered_json(audit.by_kind).dump(), ")\n");
    absl::StrAppend(&out, "   refs: ", audit.refs_checked, " into this log checked; ",
                    audit.foreign_refs, " into other logs not checked here\n");
  } else {
    for (const StatementProof& s : statements) {
      absl::StrAppend(&out, "   statement ", s.index, ": ", s.kind, " by ", s.signer,
                      ", included in the signed tree\n");
    }
  }
  return out;
}

}  // namespace accord::verify
