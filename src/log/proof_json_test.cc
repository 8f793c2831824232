#include "src/log/proof_json.h"

#include <gtest/gtest.h>

#include "src/log/log.h"
#include "src/log/testing.h"

namespace accord::log {
namespace {

class ProofJsonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = *Log::Create(std::make_unique<store::MemoryLogStorage>(), key_.Signer());
    testing::Entries e(0, 1000);
    ASSERT_TRUE(log_->Append(e.views).ok());
  }
  InclusionProofDoc Inclusion(uint64_t i) {
    InclusionProofDoc d{i,
                        log_->size(),
                        tlog::LeafHash(util_entry(i)),
                        log_->checkpoint().root_hash,
                        *log_->InclusionProof(i, log_->size()),
                        log_->signed_checkpoint()};
    return d;
  }
  static std::vector<uint8_t> util_entry(uint64_t i) {
    std::string s = absl::StrCat("e", i);
    return {s.begin(), s.end()};
  }
  testing::TestKey key_ = testing::MakeKey();
  std::unique_ptr<Log> log_;
};

TEST_F(ProofJsonTest, RoundTripsAndVerifies) {
  ProofDoc doc = Inclusion(123);
  auto parsed = ParseProofJson(ProofToJson(doc));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(VerifyProofDoc(*parsed).ok());
  EXPECT_TRUE(VerifyProofDoc(*parsed, key_.Verifier().get()).ok());
  // Against another key, or with a checkpoint of another size, it fails.
  EXPECT_FALSE(VerifyProofDoc(*parsed, testing::MakeKey().Verifier().get()).ok());

  ConsistencyProofDoc c{100,
                        1000,
                        *log_->RootHash(100),
                        log_->checkpoint().root_hash,
                        *log_->ConsistencyProof(100, 1000),
                        log_->signed_checkpoint()};
  auto pc = ParseProofJson(ProofToJson(c));
  ASSERT_TRUE(pc.ok()) << pc.status();
  EXPECT_TRUE(VerifyProofDoc(*pc, key_.Verifier().get()).ok());
  std::get<ConsistencyProofDoc>(*pc).old_size = 101;
  EXPECT_FALSE(VerifyProofDoc(*pc).ok());
}

TEST_F(ProofJsonTest, RejectsMalformedDocumentsNamingTheField) {
  const std::pair<std::string, const char*> cases[] = {
      {"not json", "not JSON (byte"},
      // The strict reader (src/util/json.h): a repeated member, a NUL and what follows it,
      // a byte order mark.
      {R"({"type":"inclusion","type":"consistency"})", "/type: member name repeated"},
      {std::string(R"({"type":"other"})") + '\0' + R"({"type":"inclusion"})", "NUL byte"},
      {"\xEF\xBB\xBF{\"type\":\"inclusion\"}", "byte order mark"},
      {"[]", "not an object"},
      {R"({"type":"other"})", "type"},
      {R"({"type":"inclusion","index":-1})", "index"},
      {R"({"type":"inclusion","index":1,"tree_size":2,"leaf_hash":"AAAA"})", "leaf_hash"},
      {R"({"type":"consistency","old_size":1,"new_size":2,"old_root":"x","new_root":"y"})",
       "old_root"},
  };
  for (const auto& [json, field] : cases) {
    auto p = ParseProofJson(json);
    ASSERT_FALSE(p.ok()) << json;
    EXPECT_NE(p.status().message().find(field), std::string::npos) << p.status();
  }
}

}  // namespace
}  // namespace accord::log
