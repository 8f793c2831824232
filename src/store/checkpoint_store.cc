#include "src/store/checkpoint_store.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "src/crypto/sha256.h"
#include "src/util/encoding.h"

namespace accord::store {
namespace fs = std::filesystem;

namespace {

bool IsPlainFileName(std::string_view name) {
  if (name.empty() || name.size() > 255 || name[0] == '.') return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-')
      return false;
  }
  return true;
}

// FailedPrecondition unless `stored` (NotFound: nothing) is `expected`.
absl::Status Compare(const absl::StatusOr<std::string>& stored,
                     std::optional<std::string_view> expected, std::string_view where) {
  if (!stored.ok() && !absl::IsNotFound(stored.status())) return stored.status();
  const bool matches = expected ? stored.ok() && *stored == *expected : !stored.ok();
  if (matches) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("the checkpoint stored in ", std::string(where),
                   stored.ok() ? " is not the one this writer read" : " is gone",
                   " (another writer, or a restore from backup)"));
}

}  // namespace

FolderCheckpointStore::FolderCheckpointStore(fs::path dir, Naming naming, FaultInjector fault)
    : dir_(std::move(dir)), naming_(naming), fault_(std::move(fault)) {}

absl::StatusOr<fs::path> FolderCheckpointStore::PathOf(std::string_view name) const {
  if (naming_ == Naming::kHashed) return dir_ / util::HexEncode(crypto::Sha256(name));
  if (!IsPlainFileName(name)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", std::string(name), "\" is not a plain file name for a checkpoint in ", Describe()));
  }
  return dir_ / std::string(name);
}

absl::Mutex& FolderCheckpointStore::LockOf(std::string_view name) {
  absl::MutexLock lock(&mu_);
  auto it = locks_.find(name);
  if (it == locks_.end())
    it = locks_.emplace(std::string(name), std::make_unique<absl::Mutex>()).first;
  return *it->second;
}

absl::StatusOr<std::string> FolderCheckpointStore::Get(std::string_view name) {
  auto path = PathOf(name);
  if (!path.ok()) return path.status();
  return ReadWholeFile(*path);
}

absl::Status FolderCheckpointStore::CompareAndSwap(std::string_view name,
                                                   std::optional<std::string_view> expected,
                                                   std::string_view value) {
  auto path = PathOf(name);
  if (!path.ok()) return path.status();
  absl::MutexLock lock(&LockOf(name));
  if (absl::Status s = Compare(ReadWholeFile(*path), expected, path->string()); !s.ok()) return s;
  if (absl::Status s = MakeDirsDurably(dir_, fault_); !s.ok()) return s;
  const FileWrite file[] = {{*path, value}};
  return WriteFilesDurably(file, DefaultDurability(), fault_);
}

absl::StatusOr<std::string> MemoryCheckpointStore::Get(std::string_view name) {
  absl::MutexLock lock(&mu_);
  auto it = values_.find(name);
  if (it == values_.end())
    return absl::NotFoundError(absl::StrCat("no checkpoint ", std::string(name)));
  return it->second;
}

absl::Status MemoryCheckpointStore::CompareAndSwap(std::string_view name,
                                                   std::optional<std::string_view> expected,
                                                   std::string_view value) {
  absl::MutexLock lock(&mu_);
  auto it = values_.find(name);
  const absl::StatusOr<std::string> stored =
      it == values_.end() ? absl::StatusOr<std::string>(absl::NotFoundError("none"))
                          : absl::StatusOr<std::string>(it->second);
  if (absl::Status s = Compare(stored, expected, "memory"); !s.ok()) return s;
  if (fail_in_ == 0) {
    fail_in_ = -1;
    if (fail_mode_ == FailMode::kFailAndPersist) {
      values_[std::string(name)] = std::string(value);
      ++writes_;
    }
    return absl::InternalError("injected failure");
  }
  if (fail_in_ > 0) --fail_in_;
  values_[std::string(name)] = std::string(value);
  ++writes_;
  return absl::OkStatus();
}

void MemoryCheckpointStore::FailAfter(int n, FailMode mode) {
  absl::MutexLock lock(&mu_);
  fail_in_ = n;
  fail_mode_ = mode;
}

int MemoryCheckpointStore::writes() const {
  absl::MutexLock lock(&mu_);
  return writes_;
}

}  // namespace accord::store
