#include "src/casework/confidential.h"

#include "absl/strings/str_cat.h"
#include "src/crypto/random.h"
#include "src/crypto/sha256.h"
#include "src/util/encoding.h"
#include "src/util/json.h"

namespace accord::casework {
namespace {

using nlohmann::json;

bool IsHostChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool IsSegmentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '~' || c == '-';
}

}  // namespace

absl::StatusOr<Body> MakeBody(const json& content) {
  Salt salt;
  crypto::RandomBytes(salt);
  return MakeBodyWithSalt(content, salt);
}

absl::StatusOr<Body> MakeBodyWithSalt(const json& content, const Salt& salt) {
  if (!content.is_object()) return absl::InvalidArgumentError("a body must be a JSON object");
  json doc = {{"accord_body", kBodyVersion},
              {"body", content},
              {"salt", util::Base64Encode(std::span<const uint8_t>(salt))}};
  Body body;
  try {
    body.plaintext = doc.dump(-1, ' ', false, json::error_handler_t::strict);
  } catch (const json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("body is not valid JSON text: ", e.what()));
  }
  if (body.plaintext.size() > kMaxPlaintextBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("body is ", body.plaintext.size(), " bytes; at most ", kMaxPlaintextBytes));
  }
  body.commitment = Commitment(body.plaintext);
  return body;
}

absl::StatusOr<BodyContent> ParseBody(std::string_view plaintext) {
  if (plaintext.size() > kMaxPlaintextBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("body is ", plaintext.size(), " bytes; at most ", kMaxPlaintextBytes));
  }
  auto parsed = util::ParseJson(plaintext);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("body: ", parsed.status().message()));
  }
  json doc = *std::move(parsed);
  if (!doc.is_object()) return absl::InvalidArgumentError("body is not a JSON object");
  if (doc.size() != 3 || !doc.contains("accord_body") || !doc.contains("body") ||
      !doc.contains("salt")) {
    return absl::InvalidArgumentError("body must have exactly accord_body, body and salt");
  }
  if (!doc["accord_body"].is_number_integer() || doc["accord_body"].get<int64_t>() != 1) {
    return absl::InvalidArgumentError("body: accord_body must be 1");
  }
  if (!doc["body"].is_object()) return absl::InvalidArgumentError("body: body is no object");
  const auto salt =
      doc["salt"].is_string() ? util::Base64Decode(doc["salt"].get<std::string>()) : std::nullopt;
  if (!salt || salt->size() != kSaltSize) {
    return absl::InvalidArgumentError("body: salt must be base64 of 32 bytes");
  }
  BodyContent out;
  out.content = std::move(doc["body"]);
  std::copy(salt->begin(), salt->end(), out.salt.begin());
  return out;
}

std::string Commitment(std::string_view plaintext) {
  return util::HexEncode(crypto::Sha256(plaintext));
}

bool IsCommitment(std::string_view text) {
  if (text.size() != 2 * crypto::kSha256Size) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

absl::Status VerifyCommitment(std::string_view plaintext, std::string_view commitment) {
  if (!IsCommitment(commitment)) {
    return absl::InvalidArgumentError("a commitment is 64 lower-case hex digits");
  }
  // Both are public (the commitment is in the log); no constant-time compare needed.
  if (Commitment(plaintext) != commitment) {
    return absl::DataLossError(
        absl::StrCat("body does not match its commitment ", std::string(commitment)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Seal(std::string_view plaintext, const BoxPublicKey& recipient) {
  if (plaintext.size() > kMaxPlaintextBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot seal ", plaintext.size(), " bytes; at most ", kMaxPlaintextBytes));
  }
  return crypto::SealBox(plaintext, recipient);
}

absl::StatusOr<std::string> Open(std::string_view sealed, const BoxKeyPair& keys) {
  if (sealed.size() < kSealOverheadBytes || sealed.size() > kMaxSealedBytes) {
    return absl::InvalidArgumentError(absl::StrCat("a sealed body is ", kSealOverheadBytes, " to ",
                                                   kMaxSealedBytes, " bytes, not ", sealed.size()));
  }
  return crypto::OpenBox(sealed, keys);
}

bool IsOrigin(std::string_view text) {
  if (text.empty() || text.size() > 255) return false;
  const size_t slash = text.find('/');
  const std::string_view host = text.substr(0, slash);
  if (host.empty() || !IsHostChar(host.front()) || !IsHostChar(host.back())) return false;
  for (char c : host) {
    if (!IsHostChar(c) && c != '.' && c != '-') return false;
  }
  if (slash == std::string_view::npos) return true;
  std::string_view rest = text.substr(slash);
  while (!rest.empty()) {
    // rest starts with '/'; a segment is one or more segment characters.
    const size_t next = rest.find('/', 1);
    const std::string_view segment =
        rest.substr(1, next == std::string_view::npos ? next : next - 1);
    if (segment.empty()) return false;
    for (char c : segment) {
      if (!IsSegmentChar(c)) return false;
    }
    rest = next == std::string_view::npos ? std::string_view() : rest.substr(next);
  }
  return true;
}

}  // namespace accord::casework
