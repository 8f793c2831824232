#include "src/store/durable_file.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/store/posix.h"

namespace accord::store {
namespace fs = std::filesystem;
using internal::Fd;
using internal::PosixError;
namespace {

absl::Status Step(const FaultInjector& fault, std::string_view step, const fs::path& path) {
  if (!fault) return absl::OkStatus();
  return fault(step, path);
}

absl::Status FsyncDir(const fs::path& dir, const FaultInjector& fault) {
  if (auto s = Step(fault, "fsync-dir", dir); !s.ok()) return s;
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return PosixError(errno, "open directory", dir);
  if (::fsync(fd.get()) != 0) return PosixError(errno, "fsync directory", dir);
  return absl::OkStatus();
}

std::atomic<uint64_t> temp_counter{0};

// Where `path` is written before it is renamed into place: a hidden name beside it,
// unique within this process and across processes.
fs::path TempPathFor(const fs::path& path) {
  fs::path temp = path;
  temp.replace_filename(absl::StrCat(".", path.filename().string(), ".tmp.", ::getpid(), ".",
                                     temp_counter.fetch_add(1)));
  return temp;
}

// Creates `temp` (truncated) with exactly the permission bits `mode`.
absl::StatusOr<Fd> CreateTemp(const fs::path& temp, int mode) {
  Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
  if (fd.get() < 0) return PosixError(errno, "create", temp);
  if (::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return PosixError(err, "chmod", temp);
  }
  return fd;
}

absl::Status WriteAll(int fd, std::string_view data, const fs::path& temp) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return PosixError(errno, "write", temp);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

}  // namespace

Durability DefaultDurability() {
#ifdef __linux__
  return Durability::kSyncFilesystem;
#else
  return Durability::kFsyncEachFile;
#endif
}

namespace {

absl::Status MakeDirsImpl(const fs::path& dir, bool sync, const FaultInjector& fault) {
  if (dir.empty()) return absl::OkStatus();
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return absl::OkStatus();
    return absl::FailedPreconditionError(
        absl::StrCat(dir.string(), " exists and is not a directory"));
  }
  const fs::path parent = dir.parent_path();
  if (parent != dir) {
    if (auto s = MakeDirsImpl(parent, sync, fault); !s.ok()) return s;
  }
  if (auto s = Step(fault, "mkdir", dir); !s.ok()) return s;
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
    return PosixError(errno, "create directory", dir);
  return sync ? FsyncDir(parent.empty() ? fs::path(".") : parent, fault) : absl::OkStatus();
}

absl::Status SyncFs(const fs::path& any_dir, const FaultInjector& fault) {
  if (auto s = Step(fault, "syncfs", any_dir); !s.ok()) return s;
#ifdef __linux__
  Fd fd(::open(any_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return PosixError(errno, "open directory", any_dir);
  if (::syncfs(fd.get()) != 0) return PosixError(errno, "syncfs", any_dir);
  return absl::OkStatus();
#else
  return absl::UnimplementedError("syncfs is Linux-only; use Durability::kFsyncEachFile");
#endif
}

}  // namespace

absl::Status MakeDirsDurably(const fs::path& dir, const FaultInjector& fault) {
  return MakeDirsImpl(dir, /*sync=*/true, fault);
}

absl::Status MakeDirs(const fs::path& dir, const FaultInjector& fault) {
  return MakeDirsImpl(dir, /*sync=*/false, fault);
}

namespace {

// The body of WriteFilesDurably and WriteFilesAndCommit; `commit` may be null.
absl::Status WriteImpl(std::span<const FileWrite> batch, const FileWrite* commit,
                       Durability durability, const FaultInjector& fault) {
  std::vector<FileWrite> files(batch.begin(), batch.end());
  if (commit != nullptr) files.push_back(*commit);  // written and synced with the rest
  if (files.empty()) return absl::OkStatus();
  const bool each = durability == Durability::kFsyncEachFile;
  std::vector<fs::path> temps;
  temps.reserve(files.size());
  // On failure, temporary files already created are removed (best effort): a crash
  // would leave them, and they are harmless, but a clean failure should not.
  struct Cleanup {
    std::vector<fs::path>* temps;
    bool armed = true;
    ~Cleanup() {
      if (armed)
        for (const auto& t : *temps) ::unlink(t.c_str());
    }
  } cleanup{&temps};

  std::set<fs::path> dirs;
  for (const FileWrite& f : files) {
    const fs::path dir = f.path.parent_path();
    if (auto s = MakeDirsImpl(dir, each, fault); !s.ok()) return s;
    dirs.insert(dir.empty() ? fs::path(".") : dir);
    const fs::path temp = TempPathFor(f.path);
    if (auto s = Step(fault, "create", f.path); !s.ok()) return s;
    auto fd = CreateTemp(temp, f.mode);
    if (!fd.ok()) return fd.status();
    temps.push_back(temp);
    if (auto s = Step(fault, "write", f.path); !s.ok()) return s;
    if (auto s = WriteAll(fd->get(), f.data, temp); !s.ok()) return s;
    if (each) {
      if (auto s = Step(fault, "fsync", f.path); !s.ok()) return s;
      if (::fdatasync(fd->get()) != 0) return PosixError(errno, "fdatasync", temp);
    }
    fd->reset();
  }
  if (!each) {
    if (auto s = SyncFs(*dirs.begin(), fault); !s.ok()) return s;
  }
  const size_t renamed_first = commit != nullptr ? files.size() - 1 : files.size();
  for (size_t i = 0; i < renamed_first; ++i) {
    if (auto s = Step(fault, "rename", files[i].path); !s.ok()) return s;
    if (::rename(temps[i].c_str(), files[i].path.c_str()) != 0) {
      return PosixError(errno, "rename into place", files[i].path);
    }
  }
  if (renamed_first > 0) {
    if (!each) {
      if (auto s = SyncFs(*dirs.begin(), fault); !s.ok()) return s;
    } else {
      for (const fs::path& dir : dirs) {
        if (auto s = FsyncDir(dir, fault); !s.ok()) return s;
      }
    }
  }
  if (commit == nullptr) {
    cleanup.armed = false;
    return absl::OkStatus();
  }
  if (auto s = Step(fault, "rename", commit->path); !s.ok()) return s;
  if (::rename(temps.back().c_str(), commit->path.c_str()) != 0) {
    return PosixError(errno, "rename into place", commit->path);
  }
  cleanup.armed = false;
  const fs::path dir = commit->path.parent_path();
  return FsyncDir(dir.empty() ? fs::path(".") : dir, fault);
}

}  // namespace

absl::Status WriteFilesDurably(std::span<const FileWrite> files, Durability durability,
                               const FaultInjector& fault) {
  return WriteImpl(files, nullptr, durability, fault);
}

absl::Status WriteFilesAndCommit(std::span<const FileWrite> files, const FileWrite& commit,
                                 Durability durability, const FaultInjector& fault) {
  return WriteImpl(files, &commit, durability, fault);
}

absl::StatusOr<std::unique_ptr<DurableFileWriter>> DurableFileWriter::Create(
    const fs::path& path, int mode, const FaultInjector& fault) {
  const fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  if (auto s = MakeDirsDurably(dir, fault); !s.ok()) return s;
  std::unique_ptr<DurableFileWriter> w(new DurableFileWriter());
  w->path_ = path;
  w->temp_ = TempPathFor(path);
  w->fault_ = fault;
  if (auto s = Step(fault, "create", path); !s.ok()) return s;
  auto fd = CreateTemp(w->temp_, mode);
  if (!fd.ok()) return fd.status();
  w->fd_ = fd->release();
  return w;
}

DurableFileWriter::~DurableFileWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_.c_str());
}

absl::Status DurableFileWriter::Append(std::string_view data) {
  if (fd_ < 0) return absl::FailedPreconditionError(absl::StrCat(path_.string(), ": closed"));
  if (auto s = Step(fault_, "write", path_); !s.ok()) return s;
  return WriteAll(fd_, data, temp_);
}

absl::Status DurableFileWriter::Commit() {
  if (fd_ < 0) return absl::FailedPreconditionError(absl::StrCat(path_.string(), ": closed"));
  if (auto s = Step(fault_, "fsync", path_); !s.ok()) return s;
  if (::fdatasync(fd_) != 0) return PosixError(errno, "fdatasync", temp_);
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) return PosixError(errno, "close", temp_);
  if (auto s = Step(fault_, "rename", path_); !s.ok()) return s;
  if (::rename(temp_.c_str(), path_.c_str()) != 0) {
    return PosixError(errno, "rename into place", path_);
  }
  committed_ = true;
  const fs::path dir = path_.parent_path();
  return FsyncDir(dir.empty() ? fs::path(".") : dir, fault_);
}

absl::Status CheckWritableFolder(const fs::path& dir) {
  const fs::path probe = dir / absl::StrCat(".accord-probe.", ::getpid());
  // Whatever the reason, the folder cannot be written: say so in the system's words.
  auto refuse = [&](int err) {
    std::string msg = absl::StrCat("cannot write in ", dir.string(), ": ", std::strerror(err));
    if (err == ENOENT) return absl::NotFoundError(msg);
    if (err == ENOSPC || err == EDQUOT) return absl::ResourceExhaustedError(msg);
    return absl::PermissionDeniedError(msg);
  };
  Fd fd(::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (fd.get() < 0) return refuse(errno);
  // One byte: a full file system still creates empty files.
  const ssize_t n = ::write(fd.get(), "x", 1);
  const int err = n == 1 ? 0 : (n < 0 ? errno : ENOSPC);
  fd.reset();
  const bool removed = ::unlink(probe.c_str()) == 0;
  if (err != 0) return refuse(err);
  if (!removed) return PosixError(errno, "remove", probe);
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadWholeFile(const fs::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return PosixError(errno, "open", path);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return PosixError(errno, "stat", path);
  if (!S_ISREG(st.st_mode))
    return absl::FailedPreconditionError(absl::StrCat(path.string(), " is not a regular file"));
  std::string out;
  out.resize(static_cast<size_t>(st.st_size));
  size_t off = 0;
  while (true) {
    if (off == out.size()) out.resize(out.size() + 4096);  // the file may have grown
    const ssize_t n = ::read(fd.get(), out.data() + off, out.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return PosixError(errno, "read", path);
    }
    if (n == 0) break;
    off += static_cast<size_t>(n);
  }
  out.resize(off);
  return out;
}

absl::StatusOr<fs::path> MakeFreshTempFolder(std::string_view prefix) {
  std::error_code ec;
  const fs::path tmp = fs::temp_directory_path(ec);
  if (ec) return absl::InternalError(absl::StrCat("no temporary folder: ", ec.message()));
  std::string name = (tmp / absl::StrCat(std::string(prefix), "-XXXXXX")).string();
  if (::mkdtemp(name.data()) == nullptr) {
    return absl::InternalError(
        absl::StrCat("cannot create a folder in ", tmp.string(), ": ", std::strerror(errno)));
  }
  return fs::path(name);
}

}  // namespace accord::store
