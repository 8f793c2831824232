// Structured Field Values for HTTP (RFC 8941): the subset that accord's fields use —
// Signature-Input and Signature (RFC 9421) and Content-Digest (RFC 9530), all of them
// Dictionaries (§3.2).
//
// Supported: Dictionaries whose members are Items or Inner Lists (§3.1.1), each with
// Parameters (§3.1.2); bare items that are Integers (§3.3.1), Strings (§3.3.3), Tokens
// (§3.3.4), Byte Sequences (§3.3.5) and Booleans (§3.3.6). Not supported: Lists (§3.1)
// and Items (§3.3) as whole field values, and Decimals (§3.3.2), which the parser
// refuses rather than misreads.
//
// The parser (§4.2.2 and the algorithms it calls) is stricter than RFC 8941 where two
// readers could otherwise disagree about what a peer sent:
//   - a repeated dictionary key or a repeated parameter key is refused (RFC 8941 lets the
//     last one win);
//   - a Byte Sequence must be canonical padded base64 (RFC 8941 asks parsers to tolerate
//     missing padding and non-zero pad bits).
// Everything else RFC 8941 refuses is refused too: a key not starting with lcalpha or
// "*" or holding other than lcalpha, DIGIT, "_", "-", ".", "*"; an integer of more than
// 15 digits or without a digit; a string with an escape other than \" and \\ or a byte
// outside %x20-7E, or without its closing quote; a byte sequence without its closing
// ":"; a boolean other than ?0 and ?1; an inner list without its ")" or whose items are
// not separated by spaces; members not separated by "," (with optional spaces and tabs
// around it); a trailing ","; anything after the last member.
//
// The serialisers (§4.1) do not check their input: a caller serialising values it did
// not make itself checks them first with IsValidKey, IsValidString, IsValidToken and
// kMaxInteger. Serialising an invalid value yields bytes the parser refuses.
//
// Pure computation: no I/O, no shared state; every function is thread-safe.
#ifndef ACCORD_HTTP_STRUCTURED_FIELDS_H_
#define ACCORD_HTTP_STRUCTURED_FIELDS_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"

namespace accord::http::sf {

// The largest magnitude of an Integer (§3.3.1: at most 15 decimal digits).
inline constexpr int64_t kMaxInteger = 999'999'999'999'999;

// A bare item (§3.3). Only the member named by `type` is meaningful; the others keep
// their defaults, so that == compares values.
struct BareItem {
  enum class Type { kInteger, kString, kToken, kByteSequence, kBoolean };
  Type type = Type::kBoolean;
  int64_t integer = 0;         // kInteger
  std::string text;            // kString, kToken
  std::vector<uint8_t> bytes;  // kByteSequence
  bool boolean = true;         // kBoolean

  static BareItem Integer(int64_t value);
  static BareItem String(std::string value);
  static BareItem Token(std::string value);
  static BareItem ByteSequence(std::span<const uint8_t> value);
  static BareItem Boolean(bool value);

  bool operator==(const BareItem&) const = default;
};

// Parameters (§3.1.2) in order of appearance; keys are unique. A parameter given
// without a value is Boolean true.
using Parameters = std::vector<std::pair<std::string, BareItem>>;

// An Item (§3.3): a bare item with its parameters.
struct Item {
  BareItem bare;
  Parameters params;
  bool operator==(const Item&) const = default;
};

// An Inner List (§3.1.1): items between "(" and ")", and the list's own parameters.
struct InnerList {
  std::vector<Item> items;
  Parameters params;
  bool operator==(const InnerList&) const = default;
};

// A Dictionary (§3.2): members in order of appearance; keys are unique. A member given
// without a value is Boolean true (with whatever parameters follow the key).
struct DictionaryMember {
  std::string key;
  std::variant<Item, InnerList> value;
  bool operator==(const DictionaryMember&) const = default;
};
using Dictionary = std::vector<DictionaryMember>;

// The member keyed `key`, or null. The pointer is into `dictionary`.
const DictionaryMember* FindMember(const Dictionary& dictionary, std::string_view key);

// The grammar's terminals: key (§3.1.2), the characters of an sf-string (§3.3.3:
// printable ASCII, %x20-7E) and sf-token (§3.3.4).
bool IsValidKey(std::string_view key);
bool IsValidString(std::string_view text);
bool IsValidToken(std::string_view token);

// Parses `value`, the field's value (several field lines joined with ","), as a
// Dictionary. An empty or all-space value is the empty Dictionary. InvalidArgument
// "malformed <field_name> at offset <n>: <what was expected>" for any input the rules
// at the top refuse; `field_name` only names the field in that message.
// Callers that take values from the network bound their length first: repeated keys
// are found by linear search, so time grows with the square of the number of keys.
absl::StatusOr<Dictionary> ParseDictionary(std::string_view value, std::string_view field_name);

// §4.1 serialisations. REQUIRES (unchecked; see the top): valid keys, strings, tokens
// and integers.
std::string SerializeString(std::string_view text);  // "\"" + escaped text + "\""
std::string SerializeBareItem(const BareItem& bare);
std::string SerializeParameters(const Parameters& params);  // ";key=value"…, or ";key"
std::string SerializeItem(const Item& item);
std::string SerializeInnerList(const InnerList& list);
std::string SerializeDictionary(const Dictionary& dictionary);  // "key=value, key=value"

}  // namespace accord::http::sf

#endif  // ACCORD_HTTP_STRUCTURED_FIELDS_H_
