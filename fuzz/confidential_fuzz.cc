// Fuzzes confidential bodies (src/casework/confidential.cc): what an addressee does with
// a sealed copy it fetched (casework::Open with the fixed box key pair, then ParseBody
// and the commitment), body plaintexts themselves (ParseBody), box keys from the
// directory (ParseBoxPublicKey) and origins (IsOrigin). The first input byte chooses:
//
//   0  a body plaintext;
//   1  a sealed copy, opened with the fixed key (the seeds are sealed to it);
//   2  a box public key;
//   3  plaintext bytes sealed here to the fixed key and opened again;
//   other  an origin.
//
// Invariants: a parsed body, made again from its content and salt (MakeBodyWithSalt),
// parses to the same content and salt; its commitment verifies; what is sealed opens
// to itself; a parsed box key formats back to its text; IsOrigin agrees with the
// pattern of common.v1.json#/definitions/origin (std::regex).
#include <cstddef>
#include <cstdint>
#include <regex>
#include <string>

#include "absl/strings/str_cat.h"
#include "fuzz/fuzz_support.h"
#include "src/casework/confidential.h"

namespace accord::fuzz {
namespace {

const casework::BoxKeyPair& TheBoxKey() {
  static const casework::BoxKeyPair* keys =
      new casework::BoxKeyPair(*casework::BoxKeyPair::FromSecret(FixedKeys().box_secret));
  return *keys;
}

void CheckBody(std::string_view plaintext) {
  auto body = casework::ParseBody(plaintext);
  if (!body.ok()) {
    ACCORD_FUZZ_CHECK(absl::IsInvalidArgument(body.status()), body.status().ToString());
    return;
  }
  ACCORD_FUZZ_CHECK(body->content.is_object());
  const std::string commitment = casework::Commitment(plaintext);
  ACCORD_FUZZ_CHECK(casework::IsCommitment(commitment));
  ACCORD_FUZZ_CHECK(casework::VerifyCommitment(plaintext, commitment).ok());
  auto made = casework::MakeBodyWithSalt(body->content, body->salt);
  if (!made.ok()) {
    // Only size can stop it: the content came from valid JSON.
    ACCORD_FUZZ_CHECK(plaintext.size() + 64 > casework::kMaxPlaintextBytes,
                      made.status().ToString());
    return;
  }
  ACCORD_FUZZ_CHECK(made->commitment == casework::Commitment(made->plaintext));
  auto again = casework::ParseBody(made->plaintext);
  ACCORD_FUZZ_CHECK(again.ok(), "a made body does not parse: ", again.status().ToString());
  ACCORD_FUZZ_CHECK(again->content == body->content && again->salt == body->salt,
                    "a body changes in a round trip");
  auto remade = casework::MakeBodyWithSalt(again->content, again->salt);
  ACCORD_FUZZ_CHECK(remade.ok() && remade->plaintext == made->plaintext,
                    "MakeBody is not canonical");
}

void CheckOrigin(std::string_view text) {
  static const std::regex pattern("^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(/[A-Za-z0-9._~-]+)*$",
                                  std::regex::ECMAScript);
  const std::string s(text);
  // The schema's pattern runs over characters; only ASCII can match it, so bytes do.
  const bool schema = !s.empty() && s.size() <= 255 && s.find('\n') == std::string::npos &&
                      std::regex_search(s, pattern);
  ACCORD_FUZZ_CHECK(casework::IsOrigin(text) == schema, "IsOrigin(\"", s, "\") says ",
                    casework::IsOrigin(text), ", the schema's pattern ", schema);
}

}  // namespace
}  // namespace accord::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)accord::fuzz::TheBoxKey();
  return 0;
}

namespace accord::fuzz {

int FuzzOne(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest = AsString(data + 1, size - 1);
  switch (data[0]) {
    case 0:
      CheckBody(rest);
      break;
    case 1: {
      auto opened = casework::Open(rest, TheBoxKey());
      if (opened.ok()) {
        ACCORD_FUZZ_CHECK(opened->size() + casework::kSealOverheadBytes == rest.size());
        CheckBody(*opened);
      } else {
        ACCORD_FUZZ_CHECK(absl::IsInvalidArgument(opened.status()));
      }
      break;
    }
    case 2: {
      auto key = casework::ParseBoxPublicKey(rest);
      if (key.ok()) ACCORD_FUZZ_CHECK(casework::FormatBoxPublicKey(*key) == rest);
      break;
    }
    case 3: {
      auto sealed = casework::Seal(rest, TheBoxKey().public_key());
      if (!sealed.ok()) break;
      auto opened = casework::Open(*sealed, TheBoxKey());
      ACCORD_FUZZ_CHECK(opened.ok() && *opened == rest, "a sealed body does not open to itself");
      break;
    }
    default:
      CheckOrigin(rest);
      break;
  }
  return 0;
}

}  // namespace accord::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return accord::fuzz::FuzzOne(data, size);
}
