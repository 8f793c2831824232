// Test helpers for logs: keys, entries and temporary folders.
#ifndef ACCORD_LOG_TESTING_H_
#define ACCORD_LOG_TESTING_H_

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/note/keys.h"
#include "src/test/temp_dir.h"

namespace accord::log::testing {

struct TestKey {
  note::KeyPair pair;
  note::Ed25519Signer Signer() const { return *note::NewSigner(pair.private_key); }
  std::unique_ptr<note::Verifier> Verifier() const { return *note::NewVerifier(pair.verifier_key); }
};

inline TestKey MakeKey(std::string_view name = "example.org/log") {
  return TestKey{*note::GenerateKey(name)};
}

// Entries "e<i>" for i in [from, to), and views of them.
struct Entries {
  Entries(uint64_t from, uint64_t to) {
    for (uint64_t i = from; i < to; ++i) data.push_back(absl::StrCat("e", i));
    for (const auto& d : data)
      views.emplace_back(reinterpret_cast<const uint8_t*>(d.data()), d.size());
  }
  std::vector<std::string> data;
  std::vector<std::span<const uint8_t>> views;
};

using TempDir = test::TempDir;

}  // namespace accord::log::testing

#endif  // ACCORD_LOG_TESTING_H_
