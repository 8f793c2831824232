// Confidential bodies: sealed copies kept by (commitment, addressee), for the node's
// bodies API (src/casework: it checks what may be stored and who may fetch it; this
// role only keeps bytes).
//
// Contract for every implementation:
//  - Put(commitment, copies): every copy durable on return. Each copy is replaced
//    atomically (a reader sees the old copy, or none, or the new one, never a mix); a
//    batch is atomic in the database backend and copy by copy in the folder one. A copy
//    for a (commitment, addressee) already held replaces it (sealed boxes are
//    randomised: a re-seal differs, and opens to the same committed plaintext).
//  - Get: the copy, or nullopt if none; DataLoss if what is stored is damaged (each
//    backend keeps a SHA-256 of the sealed bytes and checks it), never damaged bytes.
//  - Addressees(commitment): the addressees with a copy, sorted; Commitments(): every
//    commitment with at least one copy, sorted. Empty when there are none.
//  - `commitment` must be 64 lower-case hex digits (InvalidArgument otherwise): it names
//    things in the backends. Addressees are any text; backends name them by hash.
//  - After a failed Put, each copy of the batch is old or new. Thread-safe.
#ifndef ACCORD_STORE_BODY_STORAGE_H_
#define ACCORD_STORE_BODY_STORAGE_H_

#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "src/store/durable_file.h"

namespace accord::store {

struct BodyCopy {
  std::string addressee;
  std::string sealed;
};

class BodyStorage {
 public:
  virtual ~BodyStorage() = default;
  virtual absl::Status Put(std::string_view commitment, std::span<const BodyCopy> copies) = 0;
  virtual absl::StatusOr<std::optional<std::string>> Get(std::string_view commitment,
                                                         std::string_view addressee) = 0;
  virtual absl::StatusOr<std::vector<std::string>> Addressees(std::string_view commitment) = 0;
  virtual absl::StatusOr<std::vector<std::string>> Commitments() = 0;
  virtual std::string Describe() const = 0;
};

// Hex SHA-256 of an addressee: how backends name it (never the text itself).
std::string AddresseeId(std::string_view addressee);
// 64 lower-case hex digits.
bool IsHexDigest(std::string_view text);

// In a folder (DATA/bodies): DIR/<commitment>/<AddresseeId>, each file
//   accord-sealed-body/v1\n addressee <addressee>\n sha256 <hex>\n \n <sealed bytes>
// written with WriteFilesDurably (mode 0600). A read checks the header names the
// addressee the file name was derived from and the digest; an interrupted write's
// temporary files are never listed.
class FolderBodyStorage final : public BodyStorage {
 public:
  explicit FolderBodyStorage(std::filesystem::path dir, FaultInjector fault = nullptr,
                             Durability durability = DefaultDurability());
  absl::Status Put(std::string_view commitment, std::span<const BodyCopy> copies) override;
  absl::StatusOr<std::optional<std::string>> Get(std::string_view commitment,
                                                 std::string_view addressee) override;
  absl::StatusOr<std::vector<std::string>> Addressees(std::string_view commitment) override;
  absl::StatusOr<std::vector<std::string>> Commitments() override;
  std::string Describe() const override { return dir_.string(); }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  const std::filesystem::path dir_;
  const FaultInjector fault_;
  const Durability durability_;
};

// In memory, for tests, with the failure hooks of MemoryLogStorage: the (n+1)-th copy
// written from now fails, stored or not.
class MemoryBodyStorage final : public BodyStorage {
 public:
  enum class FailMode { kFailAndPersist, kFailAndDontPersist };
  absl::Status Put(std::string_view commitment, std::span<const BodyCopy> copies) override;
  absl::StatusOr<std::optional<std::string>> Get(std::string_view commitment,
                                                 std::string_view addressee) override;
  absl::StatusOr<std::vector<std::string>> Addressees(std::string_view commitment) override;
  absl::StatusOr<std::vector<std::string>> Commitments() override;
  std::string Describe() const override { return "memory"; }
  void FailAfter(int n, FailMode mode);

 private:
  mutable absl::Mutex mu_;
  // (commitment, addressee) → sealed bytes
  std::map<std::pair<std::string, std::string>, std::string> copies_ ABSL_GUARDED_BY(mu_);
  int writes_ ABSL_GUARDED_BY(mu_) = 0;
  int fail_at_ ABSL_GUARDED_BY(mu_) = -1;
  FailMode fail_mode_ ABSL_GUARDED_BY(mu_) = FailMode::kFailAndDontPersist;
};

}  // namespace accord::store

#endif  // ACCORD_STORE_BODY_STORAGE_H_
