#include "src/store/log_storage.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "src/store/folder_lock.h"
#include "src/store/posix.h"

namespace accord::store {
namespace fs = std::filesystem;
using internal::PosixError;

namespace {

// The stored checkpoint against what the writer expects: OK to go on, FailedPrecondition
// (the lost race, and only that) if another writer committed first.
absl::Status CompareCheckpoint(const absl::StatusOr<std::string>& stored,
                               std::optional<std::string_view> expected, std::string_view where) {
  if (!stored.ok() && !absl::IsNotFound(stored.status())) return stored.status();
  if (!expected) {
    if (!stored.ok()) return absl::OkStatus();
    return absl::FailedPreconditionError(
        absl::StrCat(std::string(where), " already holds a log: another writer created it first"));
  }
  if (!stored.ok()) {
    return absl::DataLossError(
        absl::StrCat(std::string(where), " has lost its checkpoint, which this writer had read"));
  }
  if (*stored == *expected) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat("the checkpoint of ", std::string(where),
                                                    " moved on: another writer committed first"));
}

}  // namespace

PosixLogStorage::PosixLogStorage(fs::path dir, Options options)
    : dir_(std::move(dir)), options_(std::move(options)) {}

PosixLogStorage::~PosixLogStorage() {
  absl::MutexLock lock(&commit_mu_);
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

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

absl::Status PosixLogStorage::LockForCommit(bool create) {
  const fs::path path = dir_ / kLockFileName;
  if (lock_fd_ < 0) {
    if (create) {
      if (absl::Status s = MakeDirsDurably(dir_, options_.fault); !s.ok()) return s;
    }
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      const int err = errno;
      if (err == ENOENT) return absl::NotFoundError(absl::StrCat("no log in ", dir_.string()));
      return PosixError(err, "open the lock file", path);
    }
    lock_fd_ = fd;
  }
  // Polled rather than blocking, so that a holder stuck for good (a dead disk) turns
  // into an answer instead of a hang. Commits are short: the first retry usually wins.
  const absl::Time deadline = absl::Now() + options_.lock_wait;
  absl::Duration pause = absl::Microseconds(50);
  while (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) return PosixError(errno, "lock", path);
    if (absl::Now() >= deadline) {
      return absl::UnavailableError(
          absl::StrCat("another writer of ", dir_.string(), " has held its commit lock (",
                       path.string(), ") for over ", absl::FormatDuration(options_.lock_wait)));
    }
    absl::SleepFor(pause);
    pause = std::min(pause * 2, absl::Milliseconds(20));
  }
  return absl::OkStatus();
}

absl::Status PosixLogStorage::Commit(std::span<const LogObject> objects,
                                     std::optional<std::string_view> expected,
                                     std::string_view checkpoint) {
  auto files = Files(objects);
  if (!files.ok()) return files.status();
  absl::MutexLock lock(&commit_mu_);
  if (absl::Status s = LockForCommit(/*create=*/!expected); !s.ok()) return s;
  absl::Cleanup unlock = [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS { ::flock(lock_fd_, LOCK_UN); };
  if (absl::Status s =
          CompareCheckpoint(ReadWholeFile(dir_ / kCheckpointPath), expected, dir_.string());
      !s.ok()) {
    return s;
  }
  return WriteFilesAndCommit(*files, FileWrite{dir_ / kCheckpointPath, checkpoint},
                             options_.durability, options_.fault);
}

absl::Status PosixLogStorage::Stage(std::span<const LogObject> objects) {
  auto files = Files(objects);
  if (!files.ok()) return files.status();
  absl::MutexLock lock(&commit_mu_);
  if (absl::Status s = LockForCommit(/*create=*/true); !s.ok()) return s;
  absl::Cleanup unlock = [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS { ::flock(lock_fd_, LOCK_UN); };
  if (absl::Status s =
          CompareCheckpoint(ReadWholeFile(dir_ / kCheckpointPath), std::nullopt, dir_.string());
      !s.ok()) {
    return s;
  }
  return WriteFilesDurably(*files, options_.durability, options_.fault);
}

absl::Status PosixLogStorage::DeletePartials(std::string_view full_tile_path) {
  auto full = Resolve(full_tile_path);
  if (!full.ok()) return full.status();
  fs::path dir = *full;
  dir += ".p";
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (options_.fault) {
      if (auto s = options_.fault("unlink", e.path()); !s.ok()) return s;
    }
    ::unlink(e.path().c_str());
  }
  ::rmdir(dir.c_str());
  return absl::OkStatus();
}

MemoryLogStorage::MemoryLogStorage() : state_(std::make_shared<State>()) {}

MemoryLogStorage::MemoryLogStorage(const std::map<std::string, std::string>& objects)
    : MemoryLogStorage() {
  absl::MutexLock lock(&state_->mu);
  state_->objects.insert(objects.begin(), objects.end());
}

std::unique_ptr<MemoryLogStorage> MemoryLogStorage::Share() const {
  return std::unique_ptr<MemoryLogStorage>(new MemoryLogStorage(state_));
}

absl::StatusOr<std::string> MemoryLogStorage::Read(std::string_view path) {
  absl::MutexLock lock(&state_->mu);
  auto it = state_->objects.find(path);
  if (it == state_->objects.end())
    return absl::NotFoundError(absl::StrCat("memory: no ", std::string(path)));
  return it->second;
}

absl::Status MemoryLogStorage::Commit(std::span<const LogObject> objects,
                                      std::optional<std::string_view> expected,
                                      std::string_view checkpoint) {
  State& st = *state_;
  absl::MutexLock lock(&st.mu);
  {
    auto it = st.objects.find(kCheckpointPath);
    absl::StatusOr<std::string> stored = absl::NotFoundError("no checkpoint");
    if (it != st.objects.end()) stored = it->second;
    if (auto s = CompareCheckpoint(stored, expected, "memory"); !s.ok()) return s;
  }
  auto put = [&st](std::string_view path, std::string_view data)
                 ABSL_EXCLUSIVE_LOCKS_REQUIRED(st.mu) -> absl::Status {
    if (st.writes == st.fail_at) {
      st.fail_at = -1;
      if (st.fail_mode == FailMode::kFailAndPersist) {
        st.objects[std::string(path)] = data;
        ++st.writes;
      }
      return absl::InternalError(
          absl::StrCat("memory: injected failure writing ", std::string(path)));
    }
    st.objects[std::string(path)] = data;
    ++st.writes;
    return absl::OkStatus();
  };
  for (const LogObject& o : objects) {
    if (auto s = put(o.path, o.data); !s.ok()) return s;
  }
  return put(kCheckpointPath, checkpoint);
}

absl::Status MemoryLogStorage::Stage(std::span<const LogObject> objects) {
  absl::MutexLock lock(&state_->mu);
  if (state_->objects.contains(kCheckpointPath)) {
    return absl::FailedPreconditionError("memory already holds a log");
  }
  for (const LogObject& o : objects) state_->objects[o.path] = o.data;
  return absl::OkStatus();
}

absl::Status MemoryLogStorage::DeletePartials(std::string_view full_tile_path) {
  absl::MutexLock lock(&state_->mu);
  auto& objects = state_->objects;
  const std::string prefix = absl::StrCat(std::string(full_tile_path), ".p/");
  for (auto it = objects.lower_bound(prefix);
       it != objects.end() && it->first.starts_with(prefix);) {
    it = objects.erase(it);
  }
  return absl::OkStatus();
}

void MemoryLogStorage::FailAfter(int n, FailMode mode) {
  absl::MutexLock lock(&state_->mu);
  state_->fail_at = state_->writes + n;
  state_->fail_mode = mode;
}

int MemoryLogStorage::writes() const {
  absl::MutexLock lock(&state_->mu);
  return state_->writes;
}

std::map<std::string, std::string> MemoryLogStorage::Snapshot() const {
  absl::MutexLock lock(&state_->mu);
  return {state_->objects.begin(), state_->objects.end()};
}

}  // namespace accord::store
