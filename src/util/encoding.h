// Byte encodings used across accord's formats: hexadecimal, and standard base64
// (RFC 4648 §4, with padding) as C2SP signed notes, checkpoints and DSSE use it.
//
// Decoders are strict: they reject characters outside the alphabet, missing or extra
// padding, and non-canonical trailing bits, so every byte string has exactly one
// accepted encoding (a signed note must not verify under two spellings).
#ifndef ACCORD_UTIL_ENCODING_H_
#define ACCORD_UTIL_ENCODING_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace accord::util {

// Lower-case hexadecimal.
std::string HexEncode(std::span<const uint8_t> bytes);
// Accepts upper- and lower-case digits; nullopt on odd length or a non-hex digit.
std::optional<std::vector<uint8_t>> HexDecode(std::string_view text);

std::string Base64Encode(std::span<const uint8_t> bytes);
std::string Base64Encode(std::string_view bytes);
// nullopt unless `text` is the canonical padded base64 of some byte string.
std::optional<std::vector<uint8_t>> Base64Decode(std::string_view text);

// Views a string's bytes as unsigned bytes, and back.
inline std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string_view AsChars(std::span<const uint8_t> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace accord::util

#endif  // ACCORD_UTIL_ENCODING_H_
