// The one strict reader for JSON text that comes from outside the process: statement
// envelopes and payloads, request bodies, node answers, receipts, proofs, the
// federation's directory. RFC 8259 lets parsers accept extensions and leaves some
// behaviour undefined; two parsers that differ there read one document two ways, so a
// signer, a node and a verifier could disagree about what was said. This reader takes
// the narrow reading every conforming parser agrees on and refuses the rest:
//
//   - exactly one JSON value, with only whitespace (space, tab, CR, LF) around it —
//     nothing after it, not even a NUL byte (nlohmann::json stops at a NUL and ignores
//     what follows; most parsers refuse the document);
//   - UTF-8 without a byte order mark (RFC 8259 §8.1: "MUST NOT add a byte order mark";
//     nlohmann skips one, others refuse it);
//   - strings of valid UTF-8 (no overlongs, surrogates or values beyond U+10FFFF) and
//     \u escapes that pair their surrogates (RFC 8259 §8.2);
//   - no object that repeats a member name (§4: "the behavior of software that receives
//     such an object is unpredictable"; nlohmann keeps the last, others the first);
//   - nesting at most `max_depth` arrays and objects deep, so that recursive consumers
//     (schema validation, dump) stay far from the end of the stack;
//   - numbers within double range (an integer beyond 64 bits reads as a double, as
//     nlohmann always does; consumers that want an integer check its type).
//
// Thread-safe; no allocation beyond the result's and the path being tracked.
#ifndef ACCORD_UTIL_JSON_H_
#define ACCORD_UTIL_JSON_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace accord::util {

// Deep enough for every document accord reads (a statement payload needs 5 levels).
inline constexpr int kMaxJsonDepth = 32;

// Where and why a document was refused.
struct JsonError {
  // RFC 6901 pointer of the fault: "" for the document as a whole (a syntax error, a
  // NUL, a byte order mark), "/copies/0/sealed" for a member repeated within the object
  // at /copies/0 or a value nested too deep.
  std::string pointer;
  // "not JSON (byte 17): …" for a syntax fault (with its byte offset),
  // "member name repeated", "nesting deeper than 32 levels".
  std::string message;
};

// Parses `text` under the rules above. InvalidArgument "<message>" (a fault of the
// whole document) or "<pointer>: <message>" otherwise; with `error` not null, also
// fills *error so callers can attach the pointer to their own errors.
absl::StatusOr<nlohmann::json> ParseJson(std::string_view text, JsonError* error = nullptr,
                                         int max_depth = kMaxJsonDepth);

// One reference token of a JSON pointer, escaped per RFC 6901 ('~' → "~0", '/' → "~1").
std::string JsonPointerToken(std::string_view token);

}  // namespace accord::util

#endif  // ACCORD_UTIL_JSON_H_
