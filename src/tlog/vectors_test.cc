// RFC 6962 inclusion and consistency proof vectors made and judged by Go's
// golang.org/x/mod/sumdb/tlog, checked against accord's verifiers: accord must accept
// exactly what x/mod accepts. The build writes them to ACCORD_MERKLE_VECTORS with
// `accord-interop gen-proof-vectors` (interop/CMakeLists.txt, which this test depends on;
// the format is in interop/go/accord-interop/proofvectors.go). A vector holding a hash
// that is not 32 bytes long cannot be expressed in accord's types: it must expect an
// error, which accord's parsing gives.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "src/tlog/proof.h"
#include "src/util/encoding.h"

namespace accord::tlog {
namespace {

namespace fs = std::filesystem;

std::optional<Hash> ToHash(const nlohmann::json& v) {
  auto bytes = util::Base64Decode(v.get<std::string>());
  if (!bytes || bytes->size() != kHashSize) return std::nullopt;
  Hash h;
  std::copy(bytes->begin(), bytes->end(), h.begin());
  return h;
}

std::optional<std::vector<Hash>> ToHashes(const nlohmann::json& v) {
  std::vector<Hash> out;
  for (const auto& e : v) {
    auto h = ToHash(e);
    if (!h) return std::nullopt;
    out.push_back(*h);
  }
  return out;
}

// The vector files of one kind ("inclusion", "consistency"), each a JSON array of
// vectors. Finding none fails the test, with NoVectors: the build writes them, and a
// test that reads none has tested nothing.
std::vector<fs::path> VectorFiles(const std::string& kind) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fs::path(ACCORD_MERKLE_VECTORS) / kind, ec)) {
    if (e.path().extension() == ".json") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string NoVectors(const std::string& kind) {
  return "no " + kind + " vectors in " + ACCORD_MERKLE_VECTORS + "/" + kind +
         ": the build writes them with accord-interop gen-proof-vectors (target "
         "merkle-vectors, interop/CMakeLists.txt)";
}

nlohmann::json Load(const fs::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

TEST(MerkleVectors, Inclusion) {
  auto files = VectorFiles("inclusion");
  ASSERT_FALSE(files.empty()) << NoVectors("inclusion");
  int checked = 0;
  for (const auto& p : files) {
    for (const auto& v : Load(p)) {
      const bool want_err = v["wantErr"].get<bool>();
      auto root = ToHash(v["root"]);
      auto leaf = ToHash(v["leafHash"]);
      auto proof = ToHashes(v["proof"]);
      bool ok = root && leaf && proof &&
                VerifyInclusion(v["leafIdx"].get<uint64_t>(), v["treeSize"].get<uint64_t>(), *leaf,
                                *proof, *root)
                    .ok();
      EXPECT_EQ(ok, !want_err) << p << ": " << v["desc"];
      ++checked;
    }
  }
  EXPECT_GT(checked, 50);
}

TEST(MerkleVectors, Consistency) {
  auto files = VectorFiles("consistency");
  ASSERT_FALSE(files.empty()) << NoVectors("consistency");
  int checked = 0;
  for (const auto& p : files) {
    for (const auto& v : Load(p)) {
      const bool want_err = v["wantErr"].get<bool>();
      auto r1 = ToHash(v["root1"]), r2 = ToHash(v["root2"]);
      auto proof = ToHashes(v["proof"]);
      bool ok = r1 && r2 && proof &&
                VerifyConsistency(v["size1"].get<uint64_t>(), v["size2"].get<uint64_t>(), *r1, *r2,
                                  *proof)
                    .ok();
      EXPECT_EQ(ok, !want_err) << p << ": " << v["desc"];
      ++checked;
    }
  }
  EXPECT_GT(checked, 50);
}

}  // namespace
}  // namespace accord::tlog
