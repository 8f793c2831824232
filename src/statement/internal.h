// Internals of the statement part shared by its .cc files: errors that carry a JSON
// pointer, strict JSON parsing, the compiled-in schema and example files, and the
// checks and field extraction that follow schema validation. Not for other parts.
#ifndef ACCORD_STATEMENT_INTERNAL_H_
#define ACCORD_STATEMENT_INTERNAL_H_

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "src/statement/statement.h"
#include "src/util/json.h"

namespace accord::statement::internal {

// Nesting limit for every JSON document this part parses: payloads need 5 levels; the
// limit keeps recursive consumers (schema validation, dump) far from the stack's end.
inline constexpr int kMaxJsonDepth = util::kMaxJsonDepth;

// InvalidArgument "<pointer>: <message>" (or "envelope: …" for the root) carrying
// `pointer` for ErrorPointer and `fault` for FaultOf.
absl::Status InvalidAt(std::string_view pointer, std::string_view message, Fault fault);
// InvalidAt with Fault::kBadPayload: the payload is not a valid statement.
inline absl::Status BadPayload(std::string_view pointer, std::string_view message) {
  return InvalidAt(pointer, message, Fault::kBadPayload);
}

// One reference token of a JSON pointer, escaped per RFC 6901 ('~' → "~0", '/' → "~1").
std::string PointerToken(std::string_view token);

// Parses `text` with util::ParseJson (one JSON document: UTF-8 without a byte order
// mark, no NUL and nothing after it, no lone surrogate, no member name repeated within
// an object, nesting at most kMaxJsonDepth). Errors are InvalidAt with Fault::kBadJson:
// at `base` for a fault of the whole text (with its byte offset in the message), at
// base + the pointer of the repeated member or too-deep value.
absl::StatusOr<nlohmann::json> ParseStrictJson(std::string_view text, std::string_view base);

// A file compiled in from the source tree.
struct EmbeddedFile {
  std::string_view name;  // file name, e.g. "incident.v1.json"
  std::string_view text;
};
// docs/schemas/*.json (in the library; schemas_embedded.cc, generated at build time).
std::span<const EmbeddedFile> SchemaFiles();
// docs/examples/*.json (in the library; examples_embedded.cc).
std::span<const EmbeddedFile> ExampleFiles();

// Prepares a schema document for valijson (see validator.cc): moves each "pattern"
// under an if-maxLength guard and each "uniqueItems" under an if-maxItems guard, and
// drops "format". Internal, naming `where` and the place in it, if a pattern or
// uniqueItems lacks its bound or a format has no pattern beside it.
absl::Status PrepareSchema(nlohmann::json& schema, const std::string& where);

// After schema validation: checks what the schema cannot say (see Validator) and fills
// the shared fields of `out` from `out->payload` (kind, envelope and payload already
// set). InvalidAt with a pointer under "/payload" on a violation.
// REQUIRES: out->payload is valid against out->kind's schema.
absl::Status CheckAndExtract(Statement* out);

}  // namespace accord::statement::internal

#endif  // ACCORD_STATEMENT_INTERNAL_H_
