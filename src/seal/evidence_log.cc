#include "src/seal/evidence_log.h"

#include <algorithm>
#include <charconv>

#include "absl/strings/str_cat.h"
#include "src/log/log.h"
#include "src/store/log_storage.h"
#include "src/util/encoding.h"

namespace accord::seal {
namespace {

class StorageLog final : public EvidenceLog {
 public:
  StorageLog(std::string where, std::unique_ptr<log::Log> log)
      : where_(std::move(where)), log_(std::move(log)) {}

  std::string Describe() const override { return absl::StrCat("log at ", where_); }
  std::string Origin() const override { return log_->origin(); }

  absl::StatusOr<std::string> ReadEntry(uint64_t index) override {
    if (index >= log_->size()) {
      return absl::NotFoundError(absl::StrCat("the ", Describe(), " has ", log_->size(),
                                              " entries; there is no entry ", index));
    }
    return log_->ReadEntry(index);
  }

  absl::StatusOr<uint64_t> FindEntry(const tlog::Hash& leaf_hash) override {
    constexpr uint64_t kChunk = 4096;
    const uint64_t size = log_->size();
    for (uint64_t begin = 0; begin < size; begin += kChunk) {
      auto entries = log_->ReadEntries(begin, std::min(size, begin + kChunk));
      if (!entries.ok()) return entries.status();
      for (size_t i = 0; i < entries->size(); ++i) {
        if (tlog::LeafHash(util::AsBytes((*entries)[i])) == leaf_hash) return begin + i;
      }
    }
    return absl::NotFoundError(absl::StrCat("no entry of the ", Describe(), " has leaf hash ",
                                            util::Base64Encode(leaf_hash)));
  }

  absl::StatusOr<LogInclusion> ProveIncluded(uint64_t index) override {
    LogInclusion out;
    out.signed_checkpoint = log_->signed_checkpoint();
    out.checkpoint = log_->checkpoint();
    if (index >= out.checkpoint.size) {
      return absl::NotFoundError(absl::StrCat("the ", Describe(), " has ", out.checkpoint.size,
                                              " entries; there is no entry ", index));
    }
    auto proof = log_->InclusionProof(index, out.checkpoint.size);
    if (!proof.ok()) return proof.status();
    out.proof = *std::move(proof);
    return out;
  }

 private:
  std::string where_;
  std::unique_ptr<log::Log> log_;
};

std::optional<tlog::Hash> DecodeHash(std::string_view text) {
  std::optional<std::vector<uint8_t>> bytes =
      text.size() == 64 ? util::HexDecode(text) : util::Base64Decode(text);
  if (!bytes || bytes->size() != 32) return std::nullopt;
  tlog::Hash h;
  std::copy(bytes->begin(), bytes->end(), h.begin());
  return h;
}

}  // namespace

absl::StatusOr<std::unique_ptr<EvidenceLog>> OpenEvidenceLog(
    std::unique_ptr<store::LogStorage> storage, const note::Verifier* verifier) {
  const std::string where = storage->Describe();
  auto opened = verifier != nullptr ? log::Log::OpenReadOnly(std::move(storage), *verifier)
                                    : log::Log::OpenUnverified(std::move(storage));
  if (!opened.ok()) {
    return absl::Status(opened.status().code(), absl::StrCat("cannot open the log at ", where, ": ",
                                                             opened.status().message()));
  }
  return std::make_unique<StorageLog>(where, *std::move(opened));
}

absl::StatusOr<std::unique_ptr<EvidenceLog>> OpenLogFolder(const std::string& dir,
                                                           const note::Verifier* verifier) {
  return OpenEvidenceLog(std::make_unique<store::PosixLogStorage>(dir), verifier);
}

absl::StatusOr<EvidenceQuery> ParseEvidenceRef(std::string_view ref) {
  EvidenceQuery q;
  const size_t at = ref.rfind('@');
  std::string_view rest = ref;
  if (at != std::string_view::npos) {
    q.origin = std::string(ref.substr(0, at));
    rest = ref.substr(at + 1);
  }
  const size_t hash = rest.find('#');
  const std::string_view number = rest.substr(0, hash);
  uint64_t index = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), index);
  if (number.empty() || ec != std::errc() || end != number.data() + number.size() ||
      (q.origin && q.origin->empty())) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad evidence reference \"", std::string(ref),
                     "\": INDEX, ORIGIN@INDEX or ORIGIN@INDEX#LEAFHASH"));
  }
  q.index = index;
  if (hash != std::string_view::npos) {
    q.leaf_hash = DecodeHash(rest.substr(hash + 1));
    if (!q.leaf_hash) {
      return absl::InvalidArgumentError(absl::StrCat("bad leaf hash in evidence reference \"",
                                                     std::string(ref), "\" (base64 or hex)"));
    }
  }
  return q;
}

absl::StatusOr<EvidenceRecord> ResolveEvidence(EvidenceLog& log, const EvidenceQuery& query) {
  EvidenceRecord r;
  r.origin = log.Origin();
  if (query.origin && *query.origin != r.origin) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the evidence is in log ", *query.origin, " but the ", log.Describe(), " is ", r.origin));
  }
  std::optional<tlog::Hash> leaf = query.leaf_hash;
  if (query.statement) {
    const tlog::Hash mine = tlog::LeafHash(util::AsBytes(*query.statement));
    if (leaf && *leaf != mine) {
      return absl::FailedPreconditionError("the statement's leaf hash is not the one referenced");
    }
    leaf = mine;
  }
  if (query.index) {
    r.index = *query.index;
  } else if (leaf) {
    auto found = log.FindEntry(*leaf);
    if (!found.ok()) return found.status();
    r.index = *found;
  } else {
    return absl::InvalidArgumentError("name the evidence statement by index, reference or file");
  }
  auto entry = log.ReadEntry(r.index);
  if (!entry.ok()) return entry.status();
  r.statement = *std::move(entry);
  r.leaf_hash = tlog::LeafHash(util::AsBytes(r.statement));
  if (leaf && *leaf != r.leaf_hash) {
    return absl::FailedPreconditionError(absl::StrCat("entry ", r.index, " of the ", log.Describe(),
                                                      " is not the evidence statement referenced"));
  }
  auto inclusion = log.ProveIncluded(r.index);
  if (!inclusion.ok()) return inclusion.status();
  r.checkpoint = inclusion->signed_checkpoint;
  r.inclusion_proof = std::move(inclusion->proof);
  return r;
}

}  // namespace accord::seal
