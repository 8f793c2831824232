// Fuzzes signed statements (src/statement): DSSE envelope parsing, the strict JSON
// parser, and the validator (schemas and rules) over every kind. The first input byte
// chooses what the rest is:
//
//   0  envelope JSON, as a node receives it: ParseEnvelope, then Validator::Parse, and
//      for an equivocation VerifyEquivocation under the fixed log key;
//   1  a statement payload: ParseStrictJson, then signed here with the fixed log key as
//      the kind its "kind" member names (incident otherwise) and validated, so that the
//      schemas and rules are fuzzed directly rather than through base64;
//   2  any JSON text: ParseStrictJson, compared with nlohmann's own parser.
//
// Invariants: a parsed envelope re-serialises to an envelope that parses to the same
// fields; a validated statement's kind, issuer and payload agree with its envelope; a
// statement signed here is VerifiedBy the fixed key; the strict parser accepts a subset
// of what nlohmann accepts, with the same value, and refuses only syntax errors, a byte
// order mark or a NUL (pointer at the base), repeated members and excess depth.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/strings/str_cat.h"
#include "fuzz/fuzz_support.h"
#include "src/statement/internal.h"
#include "src/statement/statement.h"

namespace accord::fuzz {
namespace {

using statement::Envelope;

const statement::Validator& TheValidator() {
  static const statement::Validator* v = statement::Validator::Create()->release();
  return *v;
}

bool SameEnvelope(const Envelope& a, const Envelope& b) {
  if (a.payload_type != b.payload_type || a.payload != b.payload ||
      a.signatures.size() != b.signatures.size()) {
    return false;
  }
  for (size_t i = 0; i < a.signatures.size(); ++i) {
    if (a.signatures[i].keyid != b.signatures[i].keyid ||
        a.signatures[i].sig != b.signatures[i].sig) {
      return false;
    }
  }
  return true;
}

void CheckStatement(std::string_view envelope_json, bool signed_here) {
  const Keys& k = FixedKeys();
  auto st = TheValidator().Parse(envelope_json);
  auto envelope = statement::ParseEnvelope(envelope_json);
  if (!st.ok()) {
    ACCORD_FUZZ_CHECK(absl::IsInvalidArgument(st.status()), st.status().ToString());
    ACCORD_FUZZ_CHECK(statement::FaultOf(st.status()).has_value(), st.status().ToString());
    ACCORD_FUZZ_CHECK(statement::ErrorPointer(st.status()).has_value(), st.status().ToString());
    return;
  }
  ACCORD_FUZZ_CHECK(envelope.ok(), "Validator accepted what ParseEnvelope refuses");
  ACCORD_FUZZ_CHECK(SameEnvelope(st->envelope, *envelope));
  ACCORD_FUZZ_CHECK(statement::PayloadType(st->kind) == st->envelope.payload_type);
  ACCORD_FUZZ_CHECK(st->payload.is_object());
  ACCORD_FUZZ_CHECK(st->payload.value("kind", "") == statement::KindName(st->kind));
  ACCORD_FUZZ_CHECK(st->payload.value("issuer", "") == st->issuer);
  for (const statement::Ref& ref : st->refs) ACCORD_FUZZ_CHECK(!ref.origin.empty());
  if (signed_here) {
    ACCORD_FUZZ_CHECK(statement::VerifiedBy(st->envelope, *k.log_verifier),
                      "a statement signed here is not verified by its key");
  }
  if (st->kind == statement::Kind::kEquivocation) {
    (void)statement::VerifyEquivocation(*st, *k.log_verifier);
  }
}

void CheckEnvelope(std::string_view json) {
  const Keys& k = FixedKeys();
  auto envelope = statement::ParseEnvelope(json);
  if (envelope.ok()) {
    const std::string again = statement::SerializeEnvelope(*envelope);
    auto reparsed = statement::ParseEnvelope(again);
    ACCORD_FUZZ_CHECK(reparsed.ok(),
                      "a serialised envelope does not parse: ", reparsed.status().ToString());
    ACCORD_FUZZ_CHECK(SameEnvelope(*envelope, *reparsed), "envelope fields change in a round trip");
    ACCORD_FUZZ_CHECK(statement::SerializeEnvelope(*reparsed) == again);
    (void)statement::VerifiedBy(*envelope, *k.log_verifier);
  } else {
    ACCORD_FUZZ_CHECK(statement::FaultOf(envelope.status()).has_value(),
                      envelope.status().ToString());
  }
  CheckStatement(json, false);
}

void CheckPayload(std::string_view payload) {
  const Keys& k = FixedKeys();
  auto doc = statement::internal::ParseStrictJson(payload, "/payload");
  statement::Kind kind = statement::Kind::kIncident;
  if (doc.ok() && doc->is_object()) {
    auto it = doc->find("kind");
    if (it != doc->end() && it->is_string()) {
      kind = statement::ParseKind(it->get<std::string>()).value_or(kind);
    }
  }
  auto envelope = statement::Sign(kind, payload, k.log);
  if (!envelope.ok()) {
    ACCORD_FUZZ_CHECK(statement::FaultOf(envelope.status()) == statement::Fault::kTooLarge,
                      envelope.status().ToString());
    return;
  }
  CheckStatement(*envelope, true);
}

void CheckJson(std::string_view text) {
  auto strict = statement::internal::ParseStrictJson(text, "");
  const bool accepted = nlohmann::json::accept(text.begin(), text.end());
  if (strict.ok()) {
    ACCORD_FUZZ_CHECK(accepted, "the strict parser accepted what nlohmann refuses");
    ACCORD_FUZZ_CHECK(*strict == nlohmann::json::parse(text.begin(), text.end()),
                      "the strict parser's value differs from nlohmann's");
    // A parsed document dumps to text that parses to the same document.
    const std::string dumped =
        strict->dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
    auto again = statement::internal::ParseStrictJson(dumped, "");
    ACCORD_FUZZ_CHECK(again.ok() && *again == *strict, "a strict document does not round-trip");
    return;
  }
  ACCORD_FUZZ_CHECK(statement::FaultOf(strict.status()) == statement::Fault::kBadJson);
  const auto pointer = statement::ErrorPointer(strict.status());
  ACCORD_FUZZ_CHECK(pointer.has_value());
  // What nlohmann accepts and the strict reader refuses as a whole (src/util/json.h): a
  // byte order mark, which nlohmann skips, and a NUL, where nlohmann stops reading.
  const bool nlohmann_lenient =
      text.starts_with("\xEF\xBB\xBF") || text.find('\0') != std::string_view::npos;
  if (pointer->empty()) {
    ACCORD_FUZZ_CHECK(!accepted || nlohmann_lenient,
                      "a syntax error reported for valid JSON: ", strict.status().ToString());
  } else {
    ACCORD_FUZZ_CHECK(
        accepted, "a repeated member or depth fault in invalid JSON: ", strict.status().ToString());
  }
}

}  // namespace
}  // namespace accord::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)accord::fuzz::FixedKeys();
  (void)accord::fuzz::TheValidator();
  return 0;
}

namespace accord::fuzz {

int FuzzOne(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest = AsString(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      CheckEnvelope(rest);
      break;
    case 1:
      CheckPayload(rest);
      break;
    default:
      CheckJson(rest);
      break;
  }
  return 0;
}

}  // namespace accord::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return accord::fuzz::FuzzOne(data, size);
}
