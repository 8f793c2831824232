#include "src/casework/body_store.h"

#include <set>

#include "absl/strings/str_cat.h"

namespace accord::casework {
namespace {

absl::Status CheckCommitment(std::string_view commitment) {
  if (!IsCommitment(commitment)) {
    return absl::InvalidArgumentError("a commitment is 64 lower-case hex digits");
  }
  return absl::OkStatus();
}

}  // namespace

BodyStore::BodyStore(std::unique_ptr<store::BodyStorage> storage) : storage_(std::move(storage)) {}

absl::Status BodyStore::Put(std::string_view commitment, std::span<const SealedCopy> copies) {
  if (auto s = CheckCommitment(commitment); !s.ok()) return s;
  if (copies.empty() || copies.size() > kMaxCopiesPerPut) {
    return absl::InvalidArgumentError(
        absl::StrCat("a put stores 1 to ", kMaxCopiesPerPut, " copies, not ", copies.size()));
  }
  std::set<std::string_view> seen;
  std::vector<store::BodyCopy> batch;
  batch.reserve(copies.size());
  for (const SealedCopy& c : copies) {
    if (!IsOrigin(c.addressee)) {
      return absl::InvalidArgumentError("addressee is not a log origin");
    }
    if (!seen.insert(c.addressee).second) {
      return absl::InvalidArgumentError(absl::StrCat("addressee ", c.addressee, " given twice"));
    }
    if (c.sealed.size() <= kSealOverheadBytes || c.sealed.size() > kMaxSealedBytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the copy for ", c.addressee, " is ", c.sealed.size(), " bytes; a sealed body is ",
          kSealOverheadBytes + 1, " to ", kMaxSealedBytes));
    }
    batch.push_back({c.addressee, c.sealed});
  }
  return storage_->Put(commitment, batch);
}

absl::StatusOr<std::optional<std::string>> BodyStore::Get(std::string_view commitment,
                                                          std::string_view addressee) const {
  if (auto s = CheckCommitment(commitment); !s.ok()) return s;
  if (!IsOrigin(addressee)) return absl::InvalidArgumentError("addressee is not a log origin");
  auto sealed = storage_->Get(commitment, addressee);
  if (sealed.ok() && sealed->has_value() && (*sealed)->size() > kMaxSealedBytes) {
    return absl::DataLossError(absl::StrCat(storage_->Describe(), ": damaged sealed body of ",
                                            std::string(commitment), " (too long)"));
  }
  return sealed;
}

absl::StatusOr<std::vector<std::string>> BodyStore::Addressees(std::string_view commitment) const {
  if (auto s = CheckCommitment(commitment); !s.ok()) return s;
  return storage_->Addressees(commitment);
}

absl::StatusOr<std::vector<std::string>> BodyStore::Commitments() const {
  return storage_->Commitments();
}

}  // namespace accord::casework
