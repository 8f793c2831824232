// Errors with JSON pointers, and strict JSON parsing (src/util/json.h's reader).
#include "src/util/json.h"

#include <string>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "src/statement/internal.h"

namespace accord::statement {
namespace {

// Status payload keys under which the pointer and the fault travel.
constexpr char kPointerPayloadUrl[] = "type.accord.dev/statement.ErrorPointer";
constexpr char kFaultPayloadUrl[] = "type.accord.dev/statement.Fault";

constexpr std::pair<Fault, std::string_view> kFaultNames[] = {{Fault::kTooLarge, "too_large"},
                                                              {Fault::kBadJson, "bad_json"},
                                                              {Fault::kBadEnvelope, "bad_envelope"},
                                                              {Fault::kBadPayload, "bad_payload"}};

}  // namespace

std::optional<std::string> ErrorPointer(const absl::Status& status) {
  auto cord = status.GetPayload(kPointerPayloadUrl);  // absl::optional here
  if (!cord.has_value()) return std::nullopt;
  return std::string(*cord);
}

std::optional<Fault> FaultOf(const absl::Status& status) {
  auto cord = status.GetPayload(kFaultPayloadUrl);
  if (!cord.has_value()) return std::nullopt;
  const std::string name(*cord);
  for (const auto& [fault, fault_name] : kFaultNames) {
    if (fault_name == name) return fault;
  }
  return std::nullopt;
}

namespace internal {

absl::Status InvalidAt(std::string_view pointer, std::string_view message, Fault fault) {
  absl::Status status = absl::InvalidArgumentError(
      absl::StrCat(pointer.empty() ? std::string("envelope") : std::string(pointer), ": ",
                   std::string(message)));
  status.SetPayload(kPointerPayloadUrl, absl::Cord(std::string(pointer)));
  for (const auto& [f, name] : kFaultNames) {
    if (f == fault) status.SetPayload(kFaultPayloadUrl, absl::Cord(std::string(name)));
  }
  return status;
}

std::string PointerToken(std::string_view token) { return util::JsonPointerToken(token); }

absl::StatusOr<nlohmann::json> ParseStrictJson(std::string_view text, std::string_view base) {
  util::JsonError error;
  absl::StatusOr<nlohmann::json> doc = util::ParseJson(text, &error, kMaxJsonDepth);
  if (!doc.ok()) {
    return InvalidAt(absl::StrCat(std::string(base), error.pointer), error.message,
                     Fault::kBadJson);
  }
  return doc;
}

}  // namespace internal
}  // namespace accord::statement
