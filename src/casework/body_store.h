// The node's store of sealed body copies, content-addressed by commitment: what may be
// stored (a commitment, addressees that are log origins, each once, copies of a sealed
// body's size) is checked here; keeping the bytes is the role store::BodyStorage's (the
// data folder's DATA/bodies, or the database), under that role's contract: durable on
// return, each copy old or new after a failure, damage found and reported as DataLoss.
// The node cannot check the commitment itself (it holds only ciphertext); the addressee
// does, after opening. Thread-safe.
#ifndef ACCORD_CASEWORK_BODY_STORE_H_
#define ACCORD_CASEWORK_BODY_STORE_H_

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "src/casework/confidential.h"
#include "src/store/body_storage.h"

namespace accord::casework {

// Copies one Put may store (= common.v1.json's most addressees).
inline constexpr size_t kMaxCopiesPerPut = 32;

class BodyStore {
 public:
  explicit BodyStore(std::unique_ptr<store::BodyStorage> storage);

  // Stores `copies` of the body committed to by `commitment`, durably, in one batch.
  // InvalidArgument if `commitment` is not a commitment, `copies` is empty or longer
  // than kMaxCopiesPerPut, an addressee is not an origin or is given twice, or a copy is
  // shorter than kSealOverheadBytes + 1 or longer than kMaxSealedBytes; the storage's
  // errors, with context.
  absl::Status Put(std::string_view commitment, std::span<const SealedCopy> copies);

  // The sealed copy for `addressee`, or nullopt if none is stored. InvalidArgument for a
  // malformed commitment or origin; DataLoss for a damaged copy; I/O errors otherwise.
  absl::StatusOr<std::optional<std::string>> Get(std::string_view commitment,
                                                 std::string_view addressee) const;

  // The addressees that have a copy of `commitment`, sorted; empty if none.
  absl::StatusOr<std::vector<std::string>> Addressees(std::string_view commitment) const;
  // Every commitment with at least one copy, sorted.
  absl::StatusOr<std::vector<std::string>> Commitments() const;

 private:
  std::unique_ptr<store::BodyStorage> storage_;
};

}  // namespace accord::casework

#endif  // ACCORD_CASEWORK_BODY_STORE_H_
