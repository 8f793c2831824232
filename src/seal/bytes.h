// Fixed-width integers in either byte order, for the capture formats (whose byte order
// is the writer's) and accord's own formats (always big-endian). Internal to src/seal.
#ifndef ACCORD_SEAL_BYTES_H_
#define ACCORD_SEAL_BYTES_H_

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace accord::seal {

inline uint16_t Load16(const uint8_t* p, bool big) {
  return big ? static_cast<uint16_t>(p[0] << 8 | p[1]) : static_cast<uint16_t>(p[1] << 8 | p[0]);
}
inline uint32_t Load32(const uint8_t* p, bool big) {
  return big ? (uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3])
             : (uint32_t{p[3]} << 24 | uint32_t{p[2]} << 16 | uint32_t{p[1]} << 8 | p[0]);
}
inline uint64_t Load64(const uint8_t* p, bool big) {
  const uint64_t a = Load32(p, big), b = Load32(p + 4, big);
  return big ? (a << 32 | b) : (b << 32 | a);
}

inline void Put16(std::string& out, uint16_t v, bool big) {
  const uint8_t b[2] = {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
  if (big) {
    out.append(reinterpret_cast<const char*>(b), 2);
  } else {
    out.push_back(static_cast<char>(b[1]));
    out.push_back(static_cast<char>(b[0]));
  }
}
inline void Put32(std::string& out, uint32_t v, bool big) {
  if (big) {
    Put16(out, static_cast<uint16_t>(v >> 16), true);
    Put16(out, static_cast<uint16_t>(v), true);
  } else {
    Put16(out, static_cast<uint16_t>(v), false);
    Put16(out, static_cast<uint16_t>(v >> 16), false);
  }
}
inline void Put64(std::string& out, uint64_t v, bool big) {
  if (big) {
    Put32(out, static_cast<uint32_t>(v >> 32), true);
    Put32(out, static_cast<uint32_t>(v), true);
  } else {
    Put32(out, static_cast<uint32_t>(v), false);
    Put32(out, static_cast<uint32_t>(v >> 32), false);
  }
}
inline void PutBytes(std::string& out, std::span<const uint8_t> b) {
  out.append(reinterpret_cast<const char*>(b.data()), b.size());
}

// Reads big-endian fields from a byte string front to back; any read past the end
// sets failed() and returns zeros, so a decoder checks once at the end.
class BigEndianReader {
 public:
  explicit BigEndianReader(std::span<const uint8_t> data) : data_(data) {}
  uint8_t U8() { return Take(1) ? data_[pos_ - 1] : 0; }
  uint16_t U16() { return Take(2) ? Load16(&data_[pos_ - 2], true) : 0; }
  uint32_t U32() { return Take(4) ? Load32(&data_[pos_ - 4], true) : 0; }
  uint64_t U64() { return Take(8) ? Load64(&data_[pos_ - 8], true) : 0; }
  std::span<const uint8_t> Bytes(size_t n) {
    return Take(n) ? data_.subspan(pos_ - n, n) : std::span<const uint8_t>();
  }
  // N bytes as an array (a hash, a digest); zeros past the end.
  template <size_t N>
  std::array<uint8_t, N> Array() {
    std::array<uint8_t, N> out{};
    if (Take(N)) std::memcpy(out.data(), &data_[pos_ - N], N);
    return out;
  }
  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }
  bool failed() const { return failed_; }

 private:
  bool Take(size_t n) {
    if (failed_ || n > data_.size() - pos_) {
      failed_ = true;
      return false;
    }
    pos_ += n;
    return true;
  }
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
  bool failed_ = false;
};

}  // namespace accord::seal

#endif  // ACCORD_SEAL_BYTES_H_
