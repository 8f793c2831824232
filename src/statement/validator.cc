// The Validator: the compiled-in JSON Schemas (draft-07) run by valijson, with errors
// turned into JSON pointers, then the checks of rules.cc.
//
// Two things about valijson shape this file:
//  - Its `pattern` and `format` checks use std::regex, whose libstdc++ matcher recurses
//    once per input character and overflows the stack on strings of some ten thousand
//    characters; and it reports every failing constraint, so a `maxLength` failure does
//    not stop the `pattern` beside it. At load time every `pattern` is therefore
//    moved under "if the string fits maxLength, then …" (and `uniqueItems`, quadratic,
//    under maxItems), which means the same and bounds the work. A schema that has one
//    without the bound fails to load: the schemas' own test catches it.
//  - Its `format` check compiles a std::regex on every call (~0.6 ms per timestamp in a
//    release build, most of a statement's validation time), whereas `pattern` regexes
//    are compiled once per thread. Every `format` here sits beside a `pattern` that is
//    stricter (common.v1.json#/definitions/timestamp) and rules.cc parses each timestamp
//    anyway, so `format` is dropped at load time; it stays in the published schemas for
//    other tools.
//  - valijson::Validator caches compiled regexes and is not thread-safe, so each thread
//    keeps its own.
#include <array>
#include <map>
#include <string>
#include <utility>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/statement/internal.h"

namespace accord::statement {
namespace {

using internal::BadPayload;
using internal::PointerToken;
using Json = nlohmann::json;

constexpr std::string_view kCommonSchema = "common.v1.json";

// Keywords whose evaluation cost grows with the value's size, and the bound that must
// guard each.
struct Guard {
  const char* keyword;
  const char* bound;
};
constexpr Guard kGuards[] = {{"pattern", "maxLength"}, {"uniqueItems", "maxItems"}};

}  // namespace

namespace internal {

// Rewrites {…, "maxLength": n, "pattern": p} into {…, "maxLength": n, "allOf": [{"if":
// {"maxLength": n}, "then": {"pattern": p}}]} (likewise uniqueItems under maxItems) and
// drops "format", recursively.
absl::Status PrepareSchema(Json& schema, const std::string& where) {
  if (schema.is_array()) {
    for (size_t i = 0; i < schema.size(); ++i) {
      if (auto s = PrepareSchema(schema[i], absl::StrCat(where, "/", i)); !s.ok()) {
        return s;
      }
    }
    return absl::OkStatus();
  }
  if (!schema.is_object()) return absl::OkStatus();
  for (auto& [key, value] : schema.items()) {
    const std::string at = absl::StrCat(where, "/", PointerToken(key));
    if (key == "properties" || key == "definitions") {
      // Maps from names to schemas: a member here is a name, not a keyword.
      if (!value.is_object()) continue;
      for (auto& [name, sub] : value.items()) {
        if (auto s = PrepareSchema(sub, absl::StrCat(at, "/", PointerToken(name))); !s.ok()) {
          return s;
        }
      }
    } else if (value.is_structured()) {
      if (auto s = PrepareSchema(value, at); !s.ok()) return s;
    }
  }
  if (auto format = schema.find("format"); format != schema.end()) {
    if (!schema.contains("pattern")) {
      return absl::InternalError(
          absl::StrCat("schema ", where, ": \"format\" without a \"pattern\" that checks it"));
    }
    schema.erase(format);
  }
  for (const Guard& g : kGuards) {
    auto it = schema.find(g.keyword);
    if (it == schema.end()) continue;
    if (!schema.contains(g.bound)) {
      return absl::InternalError(
          absl::StrCat("schema ", where, ": \"", g.keyword, "\" without \"", g.bound, "\""));
    }
    Json guarded = {{"if", {{g.bound, schema[g.bound]}}}, {"then", {{g.keyword, *it}}}};
    schema.erase(it);
    schema["allOf"].push_back(std::move(guarded));
  }
  return absl::OkStatus();
}

}  // namespace internal

namespace {

// valijson's context is {"<root>", "[name]" or "[index]", …}; which one a token is
// depends on the value it steps into, so walk the document alongside.
std::string ContextToPointer(const std::vector<std::string>& context, const Json& doc) {
  std::string pointer;
  const Json* node = &doc;
  for (size_t i = 1; i < context.size(); ++i) {
    std::string_view token = context[i];
    if (token.size() >= 2 && token.front() == '[' && token.back() == ']') {
      token = token.substr(1, token.size() - 2);
    }
    const Json* next = nullptr;
    if (node != nullptr && node->is_array()) {
      size_t index = 0;
      for (char c : token) index = index * 10 + static_cast<size_t>(c - '0');
      if (index < node->size()) next = &(*node)[index];
    } else if (node != nullptr && node->is_object()) {
      auto it = node->find(std::string(token));
      if (it != node->end()) next = &*it;
    }
    absl::StrAppend(&pointer, "/", PointerToken(token));
    node = next;
  }
  return pointer;
}

// The name quoted last in `description` ("… property 'issuer'."), if any.
std::optional<std::string> QuotedName(std::string_view description) {
  const size_t end = description.rfind('\'');
  if (end == std::string_view::npos || end == 0) return std::nullopt;
  const size_t begin = description.rfind('\'', end - 1);
  if (begin == std::string_view::npos) return std::nullopt;
  return std::string(description.substr(begin + 1, end - begin - 1));
}

// The most specific of valijson's errors (deepest pointer; the first among equals, which
// valijson reports before the enclosing "failed to validate …" ones) as BadPayload.
absl::Status SchemaError(const valijson::ValidationResults& results, const Json& payload,
                         std::string_view kind) {
  std::string best_pointer, best_message;
  size_t best_depth = 0;
  bool have = false;
  for (auto it = results.begin(); it != results.end(); ++it) {
    std::string pointer = absl::StrCat("/payload", ContextToPointer(it->context, payload));
    std::string message = it->description;
    std::optional<std::string> name = QuotedName(message);
    if (message.starts_with("Missing required property") && name.has_value()) {
      absl::StrAppend(&pointer, "/", PointerToken(*name));
      message = "required member is missing";
    } else if (message.starts_with("Object contains a property that could not be validated") &&
               name.has_value()) {
      absl::StrAppend(&pointer, "/", PointerToken(*name));
      message = "member not allowed here";
    }
    const size_t depth = static_cast<size_t>(std::count(pointer.begin(), pointer.end(), '/'));
    if (!have || depth > best_depth) {
      have = true;
      best_depth = depth;
      best_pointer = std::move(pointer);
      best_message = std::move(message);
    }
  }
  if (!have) return BadPayload("/payload", "does not match its schema");
  return BadPayload(best_pointer, absl::StrCat(best_message, " (schema ", std::string(kind),
                                               ".v1.json; ", results.numErrors(), " errors)"));
}

class SchemaValidator final : public Validator {
 public:
  absl::Status Load() {
    std::map<std::string, Json, std::less<>> docs;
    for (const internal::EmbeddedFile& file : internal::SchemaFiles()) {
      Json doc = Json::parse(file.text, nullptr, /*allow_exceptions=*/false);
      if (doc.is_discarded()) {
        return absl::InternalError(
            absl::StrCat("compiled-in schema ", std::string(file.name), " is not JSON"));
      }
      if (auto s = internal::PrepareSchema(doc, std::string(file.name)); !s.ok()) return s;
      docs.emplace(std::string(file.name), std::move(doc));
    }
    auto common = docs.find(kCommonSchema);
    if (common == docs.end()) return absl::InternalError("common.v1.json is not compiled in");
    common_ = std::move(common->second);
    for (Kind kind : kAllKinds) {
      const std::string name = absl::StrCat(std::string(KindName(kind)), ".v1.json");
      auto doc = docs.find(name);
      if (doc == docs.end()) {
        return absl::InternalError(absl::StrCat("schema ", name, " is not compiled in"));
      }
      auto schema = std::make_unique<valijson::Schema>();
      // Cross-document references ("common.v1.json#/definitions/…") resolve against the
      // referring schema's relative $id; whatever the resolved form, its file name says
      // which document is meant. The documents outlive parsing, so freeing is a no-op.
      auto fetch = [this](const std::string& uri) -> const Json* {
        std::string_view file = uri;
        if (size_t slash = file.rfind('/'); slash != std::string_view::npos) {
          file.remove_prefix(slash + 1);
        }
        return file == kCommonSchema ? &common_ : nullptr;
      };
      auto free = [](const Json*) {};
      try {
        valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
        valijson::adapters::NlohmannJsonAdapter adapter(doc->second);
        parser.populateSchema(adapter, *schema, fetch, free);
      } catch (const std::exception& e) {
        return absl::InternalError(absl::StrCat("schema ", name, " does not load: ", e.what()));
      }
      schemas_[static_cast<size_t>(kind)] = std::move(schema);
    }
    return absl::OkStatus();
  }

  absl::StatusOr<Statement> Parse(std::string_view envelope_json) const override {
    absl::StatusOr<Envelope> envelope = ParseEnvelope(envelope_json);
    if (!envelope.ok()) return envelope.status();
    std::optional<Kind> kind = KindOfPayloadType(envelope->payload_type);
    if (!kind.has_value()) {
      // Quote at most 100 bytes of what may be a 64 KiB string.
      const std::string_view type = std::string_view(envelope->payload_type).substr(0, 100);
      return BadPayload("/payloadType", absl::StrCat("\"", std::string(type),
                                                     "\" is not an accord statement type "
                                                     "(application/vnd.accord.<kind>.v1+json)"));
    }
    absl::StatusOr<Json> payload = internal::ParseStrictJson(envelope->payload, "/payload");
    if (!payload.ok()) return payload.status();
    if (!payload->is_object()) return BadPayload("/payload", "must be a JSON object");
    const std::string_view kind_name = KindName(*kind);
    if (auto it = payload->find("kind");
        it != payload->end() && it->is_string() && it->get_ref<const std::string&>() != kind_name) {
      return BadPayload("/payload/kind",
                        absl::StrCat("is \"", it->get<std::string>(), "\" but payloadType is ",
                                     envelope->payload_type));
    }
    if (absl::Status s = CheckSchema(*kind, *payload); !s.ok()) return s;
    Statement out;
    out.kind = *kind;
    out.envelope = *std::move(envelope);
    out.payload = *std::move(payload);
    try {
      if (absl::Status s = internal::CheckAndExtract(&out); !s.ok()) return s;
    } catch (const nlohmann::json::exception& e) {
      // Unreachable while the schemas guarantee the shapes rules.cc reads.
      return BadPayload("/payload", absl::StrCat("unexpected shape: ", e.what()));
    }
    return out;
  }

 private:
  absl::Status CheckSchema(Kind kind, const Json& payload) const {
    thread_local valijson::Validator validator;
    const valijson::Schema& schema = *schemas_[static_cast<size_t>(kind)];
    valijson::adapters::NlohmannJsonAdapter target(payload);
    try {
      // The first pass stops at the first failure; only a failure pays for the second,
      // which collects every error to pick the most specific.
      if (validator.validate(schema, target, nullptr)) return absl::OkStatus();
      valijson::ValidationResults results;
      validator.validate(schema, target, &results);
      return SchemaError(results, payload, KindName(kind));
    } catch (const std::exception& e) {
      return BadPayload("/payload", absl::StrCat("cannot be validated: ", e.what()));
    }
  }

  Json common_;
  std::array<std::unique_ptr<valijson::Schema>, std::size(kAllKinds)> schemas_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Validator>> Validator::Create() {
  auto validator = std::make_unique<SchemaValidator>();
  if (absl::Status s = validator->Load(); !s.ok()) return s;
  return validator;
}

}  // namespace accord::statement
