// DSSE envelopes (secure-systems-lab/dsse protocol.md v1.0.0, envelope.md): kinds and
// payload types, PAE, strict envelope parsing, signing and verification.
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/note/text.h"
#include "src/statement/internal.h"
#include "src/tlog/hash.h"
#include "src/util/encoding.h"

namespace accord::statement {
namespace {

using internal::InvalidAt;

constexpr std::string_view kPayloadTypePrefix = "application/vnd.accord.";
constexpr std::string_view kPayloadTypeSuffix = ".v1+json";
constexpr size_t kEd25519SignatureBytes = 64;

absl::Status BadEnvelope(std::string_view pointer, std::string_view message) {
  return InvalidAt(pointer, message, Fault::kBadEnvelope);
}

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// "<valid key name>+<8 lower-case hex>", as KeyId writes it.
bool IsKeyId(std::string_view keyid) {
  const size_t plus = keyid.rfind('+');
  if (plus == std::string_view::npos) return false;
  std::string_view hash = keyid.substr(plus + 1);
  return hash.size() == 8 && IsLowerHex(hash) && note::IsValidKeyName(keyid.substr(0, plus));
}

absl::StatusOr<Signature> ParseSignature(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) return BadEnvelope(where, "signature must be an object");
  Signature out;
  bool have_keyid = false, have_sig = false;
  for (const auto& [name, value] : j.items()) {
    const std::string at = absl::StrCat(where, "/", internal::PointerToken(name));
    if (name == "keyid") {
      if (!value.is_string() || !IsKeyId(value.get_ref<const std::string&>())) {
        return BadEnvelope(at, "keyid must be \"<key name>+<8 lower-case hex digits>\"");
      }
      out.keyid = value.get<std::string>();
      have_keyid = true;
    } else if (name == "sig") {
      std::optional<std::vector<uint8_t>> sig;
      if (value.is_string()) sig = util::Base64Decode(value.get_ref<const std::string&>());
      if (!sig.has_value() || sig->size() != kEd25519SignatureBytes) {
        return BadEnvelope(at,
                           "sig must be canonical padded base64 of a 64-byte Ed25519 signature");
      }
      out.sig = *std::move(sig);
      have_sig = true;
    } else {
      return BadEnvelope(at, "unexpected member (a signature has only keyid and sig)");
    }
  }
  if (!have_keyid) return BadEnvelope(absl::StrCat(where, "/keyid"), "missing");
  if (!have_sig) return BadEnvelope(absl::StrCat(where, "/sig"), "missing");
  return out;
}

absl::Status ParseSignatures(const nlohmann::json& j, Envelope* out) {
  if (!j.is_array() || j.empty() || j.size() > kMaxSignatures) {
    return BadEnvelope("/signatures",
                       absl::StrCat("must be an array of 1 to ", kMaxSignatures, " signatures"));
  }
  for (size_t i = 0; i < j.size(); ++i) {
    const std::string where = absl::StrCat("/signatures/", i);
    absl::StatusOr<Signature> sig = ParseSignature(j[i], where);
    if (!sig.ok()) return sig.status();
    for (const Signature& earlier : out->signatures) {
      if (earlier.keyid == sig->keyid) {
        return BadEnvelope(absl::StrCat(where, "/keyid"), "keyid repeated");
      }
    }
    out->signatures.push_back(*std::move(sig));
  }
  return absl::OkStatus();
}

}  // namespace

std::string_view KindName(Kind kind) {
  switch (kind) {
    case Kind::kIncident:
      return "incident";
    case Kind::kEvidence:
      return "evidence";
    case Kind::kClaim:
      return "claim";
    case Kind::kRequest:
      return "request";
    case Kind::kResponse:
      return "response";
    case Kind::kAccess:
      return "access";
    case Kind::kEquivocation:
      return "equivocation";
    case Kind::kOfficer:
      return "officer";
  }
  return "unknown";
}

std::optional<Kind> ParseKind(std::string_view name) {
  for (Kind kind : kAllKinds) {
    if (KindName(kind) == name) return kind;
  }
  return std::nullopt;
}

std::string PayloadType(Kind kind) {
  return absl::StrCat(std::string(kPayloadTypePrefix), std::string(KindName(kind)),
                      std::string(kPayloadTypeSuffix));
}

std::optional<Kind> KindOfPayloadType(std::string_view payload_type) {
  if (!payload_type.starts_with(kPayloadTypePrefix) ||
      !payload_type.ends_with(kPayloadTypeSuffix) ||
      payload_type.size() < kPayloadTypePrefix.size() + kPayloadTypeSuffix.size()) {
    return std::nullopt;
  }
  payload_type.remove_prefix(kPayloadTypePrefix.size());
  payload_type.remove_suffix(kPayloadTypeSuffix.size());
  return ParseKind(payload_type);
}

std::string Pae(std::string_view payload_type, std::string_view payload) {
  std::string out = absl::StrCat("DSSEv1 ", payload_type.size(), " ");
  out.reserve(out.size() + payload_type.size() + payload.size() + 24);
  out.append(payload_type);
  absl::StrAppend(&out, " ", payload.size(), " ");
  out.append(payload);
  return out;
}

std::string KeyId(const note::Verifier& verifier) {
  return absl::StrFormat("%s+%08x", std::string(verifier.Name()), verifier.KeyHash());
}

absl::StatusOr<Envelope> ParseEnvelope(std::string_view json) {
  if (json.size() > kMaxEntryBytes) {
    return InvalidAt("",
                     absl::StrCat("is ", json.size(), " bytes, more than the ", kMaxEntryBytes,
                                  " a log entry may have"),
                     Fault::kTooLarge);
  }
  absl::StatusOr<nlohmann::json> doc = internal::ParseStrictJson(json, "");
  if (!doc.ok()) return doc.status();
  if (!doc->is_object()) return BadEnvelope("", "must be a JSON object");
  Envelope out;
  bool have_payload = false, have_type = false, have_signatures = false;
  for (const auto& [name, value] : doc->items()) {
    if (name == "payload") {
      std::optional<std::vector<uint8_t>> payload;
      if (value.is_string()) payload = util::Base64Decode(value.get_ref<const std::string&>());
      if (!payload.has_value()) {
        return BadEnvelope("/payload", "payload must be a canonical padded standard base64 string");
      }
      out.payload.assign(payload->begin(), payload->end());
      have_payload = true;
    } else if (name == "payloadType") {
      if (!value.is_string() || value.get_ref<const std::string&>().empty()) {
        return BadEnvelope("/payloadType", "payloadType must be a non-empty string");
      }
      out.payload_type = value.get<std::string>();
      have_type = true;
    } else if (name == "signatures") {
      if (absl::Status s = ParseSignatures(value, &out); !s.ok()) return s;
      have_signatures = true;
    } else {
      return BadEnvelope(absl::StrCat("/", internal::PointerToken(name)),
                         "unexpected member (an envelope has only payload, payloadType and "
                         "signatures)");
    }
  }
  if (!have_payload) return BadEnvelope("/payload", "missing");
  if (!have_type) return BadEnvelope("/payloadType", "missing");
  if (!have_signatures) return BadEnvelope("/signatures", "missing");
  return out;
}

std::string SerializeEnvelope(const Envelope& envelope) {
  constexpr auto kReplace = nlohmann::json::error_handler_t::replace;
  std::string out = "{\"payload\":\"";
  out += util::Base64Encode(envelope.payload);
  out += "\",\"payloadType\":";
  out += nlohmann::json(envelope.payload_type).dump(-1, ' ', false, kReplace);
  out += ",\"signatures\":[";
  for (size_t i = 0; i < envelope.signatures.size(); ++i) {
    const Signature& s = envelope.signatures[i];
    if (i > 0) out += ',';
    out += "{\"keyid\":";
    out += nlohmann::json(s.keyid).dump(-1, ' ', false, kReplace);
    out += ",\"sig\":\"";
    out += util::Base64Encode(s.sig);
    out += "\"}";
  }
  out += "]}";
  return out;
}

absl::StatusOr<std::string> Sign(Kind kind, std::string_view payload,
                                 const note::Ed25519Signer& signer) {
  Envelope envelope;
  envelope.payload_type = PayloadType(kind);
  envelope.payload = std::string(payload);
  // Ed25519Signer::Sign signs exactly the bytes it is given (no note framing).
  absl::StatusOr<std::vector<uint8_t>> sig =
      signer.Sign(Pae(envelope.payload_type, envelope.payload));
  if (!sig.ok()) {
    return absl::Status(sig.status().code(),
                        absl::StrCat("cannot sign statement with key ", std::string(signer.Name()),
                                     ": ", sig.status().message()));
  }
  envelope.signatures.push_back(Signature{KeyId(signer.MakeVerifier()), *std::move(sig)});
  std::string out = SerializeEnvelope(envelope);
  if (out.size() > kMaxEntryBytes) {
    return InvalidAt("",
                     absl::StrCat("would be ", out.size(), " bytes, more than the ", kMaxEntryBytes,
                                  " a log entry may have"),
                     Fault::kTooLarge);
  }
  return out;
}

bool VerifiedBy(const Envelope& envelope, const note::Verifier& verifier) {
  const std::string keyid = KeyId(verifier);
  std::string pae;  // computed once, only if some keyid matches
  for (const Signature& s : envelope.signatures) {
    if (s.keyid != keyid) continue;
    if (pae.empty()) pae = Pae(envelope.payload_type, envelope.payload);
    if (verifier.Verify(pae, s.sig)) return true;
  }
  return false;
}

crypto::Digest StatementDigest(const Envelope& envelope) {
  return crypto::Sha256(Pae(envelope.payload_type, envelope.payload));
}

std::string LoggedForm(const Envelope& envelope, const Signature& kept) {
  Envelope logged;
  logged.payload_type = envelope.payload_type;
  logged.payload = envelope.payload;
  logged.signatures.push_back(kept);
  return SerializeEnvelope(logged);
}

bool IsLoggedForm(std::string_view entry, const Envelope& parsed) {
  return parsed.signatures.size() == 1 && LoggedForm(parsed, parsed.signatures[0]) == entry;
}

crypto::Digest LeafHashOf(std::string_view envelope_bytes) {
  return tlog::LeafHash(util::AsBytes(envelope_bytes));
}

nlohmann::json Example(Kind kind) {
  const std::string name = absl::StrCat(std::string(KindName(kind)), ".json");
  for (const internal::EmbeddedFile& f : internal::ExampleFiles()) {
    if (f.name == name) return nlohmann::json::parse(f.text);  // checked by examples_test
  }
  return nlohmann::json::object();  // unreachable: every kind has its example (CMake)
}

void CiteIn(nlohmann::json& payload, const std::map<Kind, Ref>& cited) {
  if (!payload.is_object()) return;
  // Rewrites `ref`; false if its kind is not cited.
  const auto point = [&](nlohmann::json& ref, std::optional<Kind> implied) {
    if (!ref.is_object()) return false;
    std::optional<Kind> kind = implied;
    if (ref.contains("kind") && ref["kind"].is_string())
      kind = ParseKind(ref["kind"].get<std::string>());
    if (!kind || !cited.contains(*kind)) return false;
    const Ref& to = cited.at(*kind);
    ref["origin"] = to.origin;
    ref["index"] = to.index;
    ref["leaf_hash"] = util::Base64Encode(to.leaf_hash);
    return true;
  };
  if (payload.contains("refs") && payload["refs"].is_array()) {
    nlohmann::json kept = nlohmann::json::array();
    for (nlohmann::json& ref : payload["refs"]) {
      if (point(ref, std::nullopt)) kept.push_back(std::move(ref));
    }
    if (kept.empty()) {
      payload.erase("refs");
    } else {
      payload["refs"] = std::move(kept);
    }
  }
  if (payload.contains("evidence") && payload["evidence"].is_array()) {
    for (nlohmann::json& ref : payload["evidence"]) point(ref, Kind::kEvidence);
  }
  if (payload.contains("request")) point(payload["request"], Kind::kRequest);
}

absl::Status CheckCited(const Ref& ref, const crypto::Digest& leaf_hash, std::string_view kind) {
  if (kind.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(ref.origin, " #", ref.index, " is not a valid statement of that log"));
  }
  if (leaf_hash != ref.leaf_hash) {
    return absl::InvalidArgumentError(
        absl::StrCat(ref.origin, " #", ref.index, " has another leaf hash than the one cited"));
  }
  if (ref.kind && KindName(*ref.kind) != kind) {
    return absl::InvalidArgumentError(
        absl::StrCat(ref.origin, " #", ref.index, " is ", std::string(kind), ", not the ",
                     std::string(KindName(*ref.kind)), " the reference says"));
  }
  return absl::OkStatus();
}

}  // namespace accord::statement
