// Sequential reading of capture bytes with bounded look-ahead, from a file or from
// memory. The capture parsers (capture.h) read through a ByteSource so that the same
// code parses a 1 TiB file in a few MiB of memory and a fuzzer's byte string in place.
//
// Memory: a file source holds one buffer of max(buffer_bytes, largest Peek) bytes, or
// kObservedBuffers of them when observed.
#ifndef ACCORD_SEAL_BYTE_SOURCE_H_
#define ACCORD_SEAL_BYTE_SOURCE_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace accord::seal {

// Sees every byte a file source reads, exactly once and in file order — how sealing
// hashes the whole file from the same reads that feed the parser, so the file hash and
// the packet tree always cover the same bytes.
class ByteObserver {
 public:
  virtual ~ByteObserver() = default;
  // Returns a ticket (1, 2, 3, … in call order) for `bytes`, which stay valid and
  // unchanged until WaitFor(that ticket or a later one) has returned: the observer may
  // work on them in another thread meanwhile.
  virtual uint64_t Observe(std::span<const uint8_t> bytes) = 0;
  // Returns once the observer is done with the spans of every ticket ≤ `ticket`. The
  // source calls it before it overwrites a buffer.
  virtual void WaitFor(uint64_t ticket) = 0;
};

class ByteSource {
 public:
  static constexpr size_t kDefaultBufferBytes = 4 << 20;
  // Buffers an observed source rotates through, so that the reader runs up to three
  // buffers ahead of a slower observer instead of in lockstep with it.
  static constexpr size_t kObservedBuffers = 4;

  // Opens `path` for reading. NotFound / PermissionDenied / Internal naming the path.
  // `observer` (borrowed, may be null) sees every byte read; a source with an observer
  // cannot Seek and holds kObservedBuffers buffers.
  static absl::StatusOr<std::unique_ptr<ByteSource>> OpenFile(
      const std::string& path, ByteObserver* observer = nullptr,
      size_t buffer_bytes = kDefaultBufferBytes);
  // Reads `bytes` in place (borrowed: must outlive the source).
  static std::unique_ptr<ByteSource> FromMemory(std::span<const uint8_t> bytes);

  ~ByteSource();
  ByteSource(const ByteSource&) = delete;
  ByteSource& operator=(const ByteSource&) = delete;

  // The next min(n, bytes left) bytes, without consuming them. Fewer than n only at the
  // end of the data. The view is valid until the next non-const call.
  absl::StatusOr<std::span<const uint8_t>> Peek(size_t n);
  // Consumes n bytes. OutOfRange if the data ends first (everything up to the end is
  // then consumed).
  absl::Status Skip(uint64_t n);
  // Continues reading at absolute `offset`. FailedPrecondition for an observed source;
  // OutOfRange past the end of a memory source.
  absl::Status Seek(uint64_t offset);

  // Absolute offset of the next unconsumed byte.
  uint64_t offset() const { return base_offset_ + begin_; }
  // The size of the file when it was opened, or of the memory.
  uint64_t size() const { return size_; }
  const std::string& name() const { return name_; }

 private:
  ByteSource() = default;
  absl::Status Fill(size_t n);

  std::string name_;
  int fd_ = -1;
  ByteObserver* observer_ = nullptr;
  uint64_t size_ = 0;
  // The buffered window: data_[begin_, end_) holds the file bytes at
  // [base_offset_ + begin_, base_offset_ + end_). A memory source points data_ at the
  // caller's bytes and never refills.
  const uint8_t* data_ = nullptr;
  std::vector<std::vector<uint8_t>> buffers_;
  std::vector<uint64_t> tickets_;  // per buffer: the last ticket observed in it
  size_t current_ = 0;
  size_t begin_ = 0;
  size_t end_ = 0;
  uint64_t base_offset_ = 0;
  uint64_t file_pos_ = 0;  // next file offset to read
  bool eof_ = false;
  size_t chunk_ = kDefaultBufferBytes;
};

}  // namespace accord::seal

#endif  // ACCORD_SEAL_BYTE_SOURCE_H_
