// The node's store of sealed body copies, content-addressed by commitment.
//
// Layout under the store's folder (DATA/bodies):
//
//   <commitment>/<addressee-id>
//
// <commitment> is the body's commitment (64 lower-case hex digits) and <addressee-id> is
// hex SHA-256 of the addressee's origin, so that no client-chosen text ever becomes a
// path: both names are fixed-length hex, checked before any file is touched. Each file:
//
//   accord-sealed-body/v1\n
//   addressee <origin>\n
//   sha256 <hex SHA-256 of the sealed bytes>\n
//   \n
//   <sealed bytes>
//
// A read checks that the file names the addressee its name was derived from and that the
// sealed bytes hash to the recorded digest (DataLoss otherwise), so disk corruption is
// never served as a body. The node cannot check the commitment itself (it holds only
// ciphertext); the addressee does, after opening.
//
// Durability: Put returns OK only once every copy it was given is durable
// (store::WriteFilesDurably: all or, after a crash, each copy old or new). A Put for a
// commitment and addressee that already have a copy replaces it (sealed boxes are
// randomised, so a re-seal differs; both open to the same committed plaintext).
// Thread-safe: files are replaced by rename, so a reader sees an old or a new copy.
#ifndef ACCORD_CASEWORK_BODY_STORE_H_
#define ACCORD_CASEWORK_BODY_STORE_H_

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "src/casework/confidential.h"
#include "src/store/durable_file.h"

namespace accord::casework {

// Copies one Put may store (= common.v1.json's most addressees).
inline constexpr size_t kMaxCopiesPerPut = 32;

struct BodyStoreOptions {
  store::Durability durability = store::DefaultDurability();
  store::FaultInjector fault;  // tests: simulated crashes inside WriteFilesDurably
};

class BodyStore {
 public:
  // The store in `dir` (created on the first Put).
  explicit BodyStore(std::filesystem::path dir, BodyStoreOptions options = {});

  // Stores `copies` of the body committed to by `commitment`, durably, in one batch.
  // InvalidArgument if `commitment` is not a commitment, `copies` is empty or longer
  // than kMaxCopiesPerPut, an addressee is not an origin or is given twice, or a copy is
  // shorter than kSealOverheadBytes + 1 or longer than kMaxSealedBytes; I/O errors from
  // WriteFilesDurably, with context.
  absl::Status Put(std::string_view commitment, std::span<const SealedCopy> copies);

  // The sealed copy for `addressee`, or nullopt if none is stored. InvalidArgument for a
  // malformed commitment or origin; DataLoss for a damaged file; I/O errors otherwise.
  absl::StatusOr<std::optional<std::string>> Get(std::string_view commitment,
                                                 std::string_view addressee) const;

  // The addressees that have a copy of `commitment`, sorted; empty if none.
  absl::StatusOr<std::vector<std::string>> Addressees(std::string_view commitment) const;
  // Every commitment with at least one copy, sorted.
  absl::StatusOr<std::vector<std::string>> Commitments() const;

  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  BodyStoreOptions options_;
};

// The file name of `addressee`'s copy: hex SHA-256 of the origin.
std::string AddresseeId(std::string_view addressee);

}  // namespace accord::casework

#endif  // ACCORD_CASEWORK_BODY_STORE_H_
