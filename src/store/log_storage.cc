#include "src/store/log_storage.h"

#include <unistd.h>

#include <vector>

#include "absl/strings/str_cat.h"

namespace accord::store {
namespace fs = std::filesystem;

PosixLogStorage::PosixLogStorage(fs::path dir, FaultInjector fault, Durability durability)
    : dir_(std::move(dir)), fault_(std::move(fault)), durability_(durability) {}

absl::StatusOr<fs::path> PosixLogStorage::Resolve(std::string_view path) const {
  // Components separated by single slashes, none empty, "." or "..", no NUL.
  bool ok = !path.empty() && path.find('\0') == std::string_view::npos;
  for (size_t start = 0; ok && start <= path.size();) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view part = path.substr(start, end - start);
    ok = !part.empty() && part != "." && part != "..";
    start = end + 1;
  }
  if (!ok) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid log object path \"", std::string(path), "\""));
  }
  return dir_ / fs::path(path);
}

absl::StatusOr<std::string> PosixLogStorage::Read(std::string_view path) {
  auto full = Resolve(path);
  if (!full.ok()) return full.status();
  return ReadWholeFile(*full);
}

absl::StatusOr<std::vector<FileWrite>> PosixLogStorage::Files(
    std::span<const LogObject> objects) const {
  std::vector<FileWrite> files;
  files.reserve(objects.size());
  for (const LogObject& o : objects) {
    auto full = Resolve(o.path);
    if (!full.ok()) return full.status();
    files.push_back({*std::move(full), o.data});
  }
  return files;
}

absl::Status PosixLogStorage::Write(std::span<const LogObject> objects) {
  auto files = Files(objects);
  if (!files.ok()) return files.status();
  return WriteFilesDurably(*files, durability_, fault_);
}

absl::Status PosixLogStorage::Commit(std::span<const LogObject> objects,
                                     std::string_view checkpoint) {
  auto files = Files(objects);
  if (!files.ok()) return files.status();
  return WriteFilesAndCommit(*files, FileWrite{dir_ / kCheckpointPath, checkpoint}, durability_,
                             fault_);
}

absl::Status PosixLogStorage::LockForWriting(bool create) {
  absl::MutexLock lock(&lock_mu_);
  if (lock_) return absl::OkStatus();
  if (create) {
    if (absl::Status s = MakeDirsDurably(dir_, fault_); !s.ok()) return s;
  }
  auto acquired = FolderLock::Acquire(dir_);
  if (!acquired.ok()) return acquired.status();
  lock_ = *std::move(acquired);
  return absl::OkStatus();
}

absl::Status PosixLogStorage::DeletePartials(std::string_view full_tile_path) {
  auto full = Resolve(full_tile_path);
  if (!full.ok()) return full.status();
  fs::path dir = *full;
  dir += ".p";
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (fault_) {
      if (auto s = fault_("unlink", e.path()); !s.ok()) return s;
    }
    ::unlink(e.path().c_str());
  }
  ::rmdir(dir.c_str());
  return absl::OkStatus();
}

absl::StatusOr<std::string> MemoryLogStorage::Read(std::string_view path) {
  absl::MutexLock lock(&mu_);
  auto it = objects_.find(path);
  if (it == objects_.end())
    return absl::NotFoundError(absl::StrCat("memory: no ", std::string(path)));
  return it->second;
}

absl::Status MemoryLogStorage::Write(std::span<const LogObject> objects) {
  absl::MutexLock lock(&mu_);
  for (const LogObject& o : objects) {
    if (writes_ == fail_at_) {
      fail_at_ = -1;
      if (fail_mode_ == FailMode::kFailAndPersist) {
        objects_[o.path] = o.data;
        ++writes_;
      }
      return absl::InternalError(absl::StrCat("memory: injected failure writing ", o.path));
    }
    objects_[o.path] = o.data;
    ++writes_;
  }
  return absl::OkStatus();
}

absl::Status MemoryLogStorage::Commit(std::span<const LogObject> objects,
                                      std::string_view checkpoint) {
  if (auto s = Write(objects); !s.ok()) return s;
  const LogObject cp[] = {{std::string(kCheckpointPath), std::string(checkpoint)}};
  return Write(cp);
}

absl::Status MemoryLogStorage::DeletePartials(std::string_view full_tile_path) {
  absl::MutexLock lock(&mu_);
  const std::string prefix = absl::StrCat(std::string(full_tile_path), ".p/");
  for (auto it = objects_.lower_bound(prefix);
       it != objects_.end() && it->first.starts_with(prefix);) {
    it = objects_.erase(it);
  }
  return absl::OkStatus();
}

void MemoryLogStorage::FailAfter(int n, FailMode mode) {
  absl::MutexLock lock(&mu_);
  fail_at_ = writes_ + n;
  fail_mode_ = mode;
}

int MemoryLogStorage::writes() const {
  absl::MutexLock lock(&mu_);
  return writes_;
}

std::map<std::string, std::string> MemoryLogStorage::Snapshot() const {
  absl::MutexLock lock(&mu_);
  return {objects_.begin(), objects_.end()};
}

}  // namespace accord::store
