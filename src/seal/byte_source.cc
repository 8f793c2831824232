#include "src/seal/byte_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace accord::seal {
namespace {

absl::Status ErrnoStatus(int err, const std::string& what) {
  std::string msg = absl::StrCat(what, ": ", std::strerror(err));
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(msg);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(msg);
    default:
      return absl::InternalError(msg);
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<ByteSource>> ByteSource::OpenFile(const std::string& path,
                                                                 ByteObserver* observer,
                                                                 size_t buffer_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, absl::StrCat("cannot open ", path));
  std::unique_ptr<ByteSource> s(new ByteSource());
  s->fd_ = fd;
  s->name_ = path;
  s->observer_ = observer;
  s->chunk_ = std::max<size_t>(buffer_bytes, 4096);
  s->buffers_.resize(observer != nullptr ? kObservedBuffers : 1);
  s->tickets_.assign(s->buffers_.size(), 0);
  struct stat st;
  if (::fstat(fd, &st) != 0) return ErrnoStatus(errno, absl::StrCat("cannot stat ", path));
  if (S_ISDIR(st.st_mode)) return absl::InvalidArgumentError(absl::StrCat(path, " is a directory"));
  s->size_ = static_cast<uint64_t>(st.st_size);
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return s;
}

std::unique_ptr<ByteSource> ByteSource::FromMemory(std::span<const uint8_t> bytes) {
  std::unique_ptr<ByteSource> s(new ByteSource());
  s->name_ = "<memory>";
  s->data_ = bytes.data();
  s->size_ = bytes.size();
  s->end_ = bytes.size();
  s->eof_ = true;
  return s;
}

ByteSource::~ByteSource() {
  if (observer_ != nullptr) observer_->WaitFor(*std::max_element(tickets_.begin(), tickets_.end()));
  if (fd_ >= 0) ::close(fd_);
}

absl::Status ByteSource::Fill(size_t n) {
  if (fd_ < 0) return absl::OkStatus();  // memory: everything is already there
  const size_t have = end_ - begin_;
  const size_t next = (current_ + 1) % buffers_.size();
  if (observer_ != nullptr) observer_->WaitFor(tickets_[next]);  // the next buffer is free
  const size_t capacity = std::max(n, chunk_);
  std::vector<uint8_t>& buffer = buffers_[next];
  if (next == current_) {  // one buffer: the unread rest moves to its front
    if (buffer.size() < capacity) buffer.resize(capacity);
    if (have > 0) std::memmove(buffer.data(), buffer.data() + begin_, have);
  } else {  // the unread rest (already observed) is copied to the next buffer's front
    if (buffer.size() < capacity) buffer = std::vector<uint8_t>(capacity);
    if (have > 0) std::memcpy(buffer.data(), data_ + begin_, have);
  }
  current_ = next;
  data_ = buffer.data();
  base_offset_ += begin_;
  begin_ = 0;
  end_ = have;
  while (end_ < n && !eof_) {
    const ssize_t r =
        ::pread(fd_, buffer.data() + end_, buffer.size() - end_, static_cast<off_t>(file_pos_));
    if (r < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, absl::StrCat("cannot read ", name_, " at offset ", file_pos_));
    }
    if (r == 0) {
      eof_ = true;
      break;
    }
    if (observer_ != nullptr) {
      tickets_[current_] = observer_->Observe(
          std::span<const uint8_t>(buffer.data() + end_, static_cast<size_t>(r)));
    }
    end_ += static_cast<size_t>(r);
    file_pos_ += static_cast<uint64_t>(r);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::span<const uint8_t>> ByteSource::Peek(size_t n) {
  if (end_ - begin_ < n) {
    if (absl::Status s = Fill(n); !s.ok()) return s;
  }
  return std::span<const uint8_t>(data_ + begin_, std::min(n, end_ - begin_));
}

absl::Status ByteSource::Skip(uint64_t n) {
  while (true) {
    const uint64_t take = std::min<uint64_t>(n, end_ - begin_);
    begin_ += static_cast<size_t>(take);
    n -= take;
    if (n == 0) return absl::OkStatus();
    if (fd_ < 0 || eof_) break;
    if (absl::Status s = Fill(static_cast<size_t>(std::min<uint64_t>(n, chunk_))); !s.ok()) {
      return s;
    }
    if (end_ == begin_) break;
  }
  return absl::OutOfRangeError(absl::StrCat(name_, " ends at offset ", offset()));
}

absl::Status ByteSource::Seek(uint64_t offset) {
  if (observer_ != nullptr) {
    return absl::FailedPreconditionError("an observed byte source reads only forward");
  }
  if (fd_ < 0) {
    if (offset > size_) {
      return absl::OutOfRangeError(
          absl::StrCat("offset ", offset, " is past the end (", size_, ")"));
    }
    begin_ = static_cast<size_t>(offset);
    return absl::OkStatus();
  }
  if (offset >= base_offset_ && offset <= base_offset_ + end_) {
    begin_ = static_cast<size_t>(offset - base_offset_);
    return absl::OkStatus();
  }
  base_offset_ = offset;
  begin_ = end_ = 0;
  file_pos_ = offset;
  eof_ = false;
  return absl::OkStatus();
}

}  // namespace accord::seal
