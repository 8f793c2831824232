// Test helpers for the statement part: deterministic keys and signed envelopes.
#ifndef ACCORD_STATEMENT_TESTING_H_
#define ACCORD_STATEMENT_TESTING_H_

#include <array>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "src/note/keys.h"
#include "src/statement/statement.h"

namespace accord::statement::testing {

// The Ed25519 signer named `name` whose seed is 32 bytes of `fill`.
inline note::Ed25519Signer TestSigner(std::string_view name, uint8_t fill = 7) {
  std::array<uint8_t, 32> seed;
  seed.fill(fill);
  auto pair = note::GenerateKeyFromSeed(name, seed);
  if (!pair.ok()) {
    std::cerr << "TestSigner: " << pair.status() << "\n";
    std::abort();
  }
  auto signer = note::NewSigner(pair->private_key);
  if (!signer.ok()) {
    std::cerr << "TestSigner: " << signer.status() << "\n";
    std::abort();
  }
  return *std::move(signer);
}

// The JSON text `payload` signed as a statement of `kind` by the default test signer.
inline std::string SignedText(Kind kind, std::string_view payload) {
  static const note::Ed25519Signer signer = TestSigner("cert.example.ee/log");
  auto envelope = Sign(kind, payload, signer);
  if (!envelope.ok()) {
    std::cerr << "SignedEnvelope: " << envelope.status() << "\n";
    std::abort();
  }
  return *std::move(envelope);
}

inline std::string SignedEnvelope(Kind kind, const nlohmann::json& payload) {
  return SignedText(kind, payload.dump());
}

// One validator for a whole test program (compiling the schemas takes milliseconds).
inline const Validator& TheValidator() {
  static const Validator* const validator = [] {
    auto v = Validator::Create();
    if (!v.ok()) {
      std::cerr << "TheValidator: " << v.status() << "\n";
      std::abort();
    }
    return v->release();
  }();
  return *validator;
}

}  // namespace accord::statement::testing

#endif  // ACCORD_STATEMENT_TESTING_H_
