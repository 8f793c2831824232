#include "src/note/text.h"

#include <cstdint>

#include "absl/strings/str_cat.h"

namespace accord::note {
namespace {

constexpr DecodedRune kInvalid = {-1, 1};

bool IsContinuation(uint8_t b) { return (b & 0xC0) == 0x80; }

}  // namespace

DecodedRune DecodeRune(std::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const size_t n = s.size();
  const uint8_t b0 = p[0];
  if (b0 < 0x80) return {b0, 1};
  if (b0 < 0xC2) return kInvalid;  // a continuation byte, or an overlong 2-byte lead
  if (b0 < 0xE0) {
    if (n < 2 || !IsContinuation(p[1])) return kInvalid;
    return {((b0 & 0x1F) << 6) | (p[1] & 0x3F), 2};
  }
  if (b0 < 0xF0) {
    // E0 needs A0..BF next (no overlongs); ED needs 80..9F (no surrogates).
    const uint8_t lo = b0 == 0xE0 ? 0xA0 : 0x80;
    const uint8_t hi = b0 == 0xED ? 0x9F : 0xBF;
    if (n < 3 || p[1] < lo || p[1] > hi || !IsContinuation(p[2])) return kInvalid;
    return {((b0 & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F), 3};
  }
  if (b0 < 0xF5) {
    // F0 needs 90..BF next (no overlongs); F4 needs 80..8F (nothing above U+10FFFF).
    const uint8_t lo = b0 == 0xF0 ? 0x90 : 0x80;
    const uint8_t hi = b0 == 0xF4 ? 0x8F : 0xBF;
    if (n < 4 || p[1] < lo || p[1] > hi || !IsContinuation(p[2]) || !IsContinuation(p[3])) {
      return kInvalid;
    }
    return {((b0 & 0x07) << 18) | ((p[1] & 0x3F) << 12) | ((p[2] & 0x3F) << 6) | (p[3] & 0x3F), 4};
  }
  return kInvalid;
}

bool IsUnicodeSpace(int r) {
  switch (r) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return r >= 0x2000 && r <= 0x200A;
  }
}

bool IsValidKeyName(std::string_view name) {
  if (name.empty()) return false;
  while (!name.empty()) {
    DecodedRune d = DecodeRune(name);
    if (d.rune < 0 || d.rune == '+' || IsUnicodeSpace(d.rune)) return false;
    name.remove_prefix(d.size);
  }
  return true;
}

absl::Status CheckNoteCharacters(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    DecodedRune d = DecodeRune(s.substr(i));
    if (d.rune < 0) {
      return absl::InvalidArgumentError(absl::StrCat("invalid UTF-8 at byte ", i));
    }
    if (d.rune < 0x20 && d.rune != '\n') {
      return absl::InvalidArgumentError(
          absl::StrCat("control character U+", absl::Hex(d.rune, absl::kZeroPad4), " at byte ", i));
    }
    i += d.size;
  }
  return absl::OkStatus();
}

}  // namespace accord::note
