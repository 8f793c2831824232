#include "src/federation/equivocation.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <utility>

#include "absl/strings/str_cat.h"
#include "src/note/checkpoint.h"
#include "src/statement/testing.h"
#include "src/tlog/proof.h"
#include "src/tlog/testing.h"
#include "src/tlog/tile_reader.h"
#include "src/tlog/tree.h"

namespace accord::federation {
namespace {

constexpr char kOrigin[] = "cert.example.xx/log";
constexpr char kIssuer[] = "cert.example.ee/log";

// A log of `size` entries named "<branch> <i>" (i ≥ fork) or "entry <i>" (i < fork).
struct Tree {
  Tree(uint64_t size, uint64_t fork, std::string_view branch) {
    tlog::TreeHasher hasher;
    std::vector<tlog::Hash> leaves;
    for (uint64_t i = 0; i < size; ++i) {
      std::string s =
          i < fork ? absl::StrCat("entry ", i) : absl::StrCat(std::string(branch), " ", i);
      leaves.push_back(tlog::LeafHash({reinterpret_cast<const uint8_t*>(s.data()), s.size()}));
    }
    tiles.Apply(appender.Append(leaves, hasher));
  }
  tlog::Hash RootAt(uint64_t n) {
    tlog::TileHashReader r(appender.size(), tiles);
    return *tlog::RootHash(n, r);
  }
  std::vector<tlog::Hash> Proof(uint64_t from) {
    tlog::TileHashReader r(appender.size(), tiles);
    return *tlog::ConsistencyProof(from, appender.size(), r);
  }
  std::string Signed(const note::Ed25519Signer& signer, std::string origin = kOrigin) {
    note::Checkpoint cp{std::move(origin), appender.size(), appender.Root(), {}};
    return *note::SignCheckpoint(cp, signer);
  }
  tlog::TreeAppender appender;
  tlog::testing::MemoryTiles tiles;
};

class EquivocationTest : public ::testing::Test {
 protected:
  note::Ed25519Signer log_ = statement::testing::TestSigner(kOrigin, 3);
  note::Ed25519Verifier key_ = log_.MakeVerifier();
};

TEST_F(EquivocationTest, SameSizeDifferentRootsIsASplitView) {
  Tree a(100, 60, "a"), b(100, 60, "b");
  SplitView v{kOrigin, a.Signed(log_), b.Signed(log_), std::nullopt, {}};
  EXPECT_TRUE(VerifySplitView(v, key_).ok()) << VerifySplitView(v, key_);
}

TEST_F(EquivocationTest, DifferentSizesWithAProofIsASplitView) {
  Tree small(70, 60, "a"), large(300, 60, "b");
  SplitView v{kOrigin, small.Signed(log_), large.Signed(log_), large.RootAt(70), large.Proof(70)};
  EXPECT_TRUE(VerifySplitView(v, key_).ok()) << VerifySplitView(v, key_);
  std::swap(v.first, v.second);  // either order
  EXPECT_TRUE(VerifySplitView(v, key_).ok()) << VerifySplitView(v, key_);
}

TEST_F(EquivocationTest, RejectsWhatProvesNothing) {
  Tree a(100, 60, "a"), same(100, 60, "a"), small(70, 60, "a"), large(300, 60, "b");
  // One tree twice.
  SplitView v{kOrigin, a.Signed(log_), same.Signed(log_), std::nullopt, {}};
  EXPECT_EQ(VerifySplitView(v, key_).code(), absl::StatusCode::kInvalidArgument);
  // old_root equal to the smaller checkpoint's root: the histories agree.
  Tree honest(300, 300, "x"), honest_small(70, 70, "x");
  v = {kOrigin, honest_small.Signed(log_), honest.Signed(log_), honest.RootAt(70),
       honest.Proof(70)};
  EXPECT_EQ(VerifySplitView(v, key_).code(), absl::StatusCode::kInvalidArgument);
  // A proof that does not verify.
  v = {kOrigin, small.Signed(log_), large.Signed(log_), large.RootAt(70), large.Proof(70)};
  v.proof[0][0] ^= 1;
  EXPECT_EQ(VerifySplitView(v, key_).code(), absl::StatusCode::kInvalidArgument);
  // A made-up old_root.
  v = {kOrigin, small.Signed(log_), large.Signed(log_), large.RootAt(71), large.Proof(70)};
  EXPECT_EQ(VerifySplitView(v, key_).code(), absl::StatusCode::kInvalidArgument);
  // Sizes differ but no old_root.
  v = {kOrigin, small.Signed(log_), large.Signed(log_), std::nullopt, {}};
  EXPECT_EQ(VerifySplitView(v, key_).code(), absl::StatusCode::kInvalidArgument);
  // Another key signed one of them.
  auto other = statement::testing::TestSigner(kOrigin, 4);
  Tree b(100, 60, "b");
  v = {kOrigin, a.Signed(log_), b.Signed(other), std::nullopt, {}};
  auto s = VerifySplitView(v, key_);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_NE(s.message().find("second"), std::string_view::npos) << s;
  // Another log's checkpoints, or a view naming another origin.
  auto stranger = statement::testing::TestSigner("cert.example.zz/log", 3);
  v = {kOrigin, a.Signed(log_), b.Signed(stranger, "cert.example.zz/log"), std::nullopt, {}};
  EXPECT_EQ(VerifySplitView(v, key_).code(), absl::StatusCode::kInvalidArgument);
  v = {"cert.example.zz/log", a.Signed(log_), b.Signed(log_), std::nullopt, {}};
  EXPECT_EQ(VerifySplitView(v, key_).code(), absl::StatusCode::kInvalidArgument);
  // The empty tree.
  Tree empty(0, 0, "a");
  v = {kOrigin, empty.Signed(log_), large.Signed(log_), tlog::Hash{}, large.Proof(1)};
  EXPECT_EQ(VerifySplitView(v, key_).code(), absl::StatusCode::kInvalidArgument);
  // Garbage.
  v = {kOrigin, "not a note", b.Signed(log_), std::nullopt, {}};
  EXPECT_EQ(VerifySplitView(v, key_).code(), absl::StatusCode::kInvalidArgument);
}

// EquivocationPayload → signed statement → Validator::Parse → SplitViewOf → verified.
TEST_F(EquivocationTest, RoundTripsThroughASignedStatement) {
  auto validator = *statement::Validator::Create();
  auto issuer = statement::testing::TestSigner(kIssuer, 9);
  Tree same_a(100, 60, "a"), same_b(100, 60, "b"), small(70, 60, "a"), large(300, 60, "b");
  const SplitView views[] = {
      {kOrigin, same_a.Signed(log_), same_b.Signed(log_), std::nullopt, {}},
      {kOrigin, small.Signed(log_), large.Signed(log_), large.RootAt(70), large.Proof(70)}};
  for (const SplitView& view : views) {
    const std::string payload =
        EquivocationPayload(view, kIssuer, {kOrigin, "cert.example.lv/log"},
                            absl::FromUnixSeconds(1780000000), "seen by a test");
    auto envelope = statement::Sign(statement::Kind::kEquivocation, payload, issuer);
    ASSERT_TRUE(envelope.ok()) << envelope.status();
    auto st = validator->Parse(*envelope);
    ASSERT_TRUE(st.ok()) << st.status() << "\n" << payload;
    EXPECT_EQ(st->issuer, kIssuer);
    EXPECT_EQ(st->addressees.size(), 2u);
    EXPECT_TRUE(statement::VerifyEquivocation(*st, key_).ok());
    auto back = SplitViewOf(*st);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(back->origin, view.origin);
    EXPECT_EQ(back->first, view.first);
    EXPECT_EQ(back->second, view.second);
    EXPECT_EQ(back->old_root, view.old_root);
    EXPECT_EQ(back->proof, view.proof);
    EXPECT_TRUE(VerifySplitView(*back, key_).ok());
  }
  // SplitViewOf refuses other kinds.
  statement::Statement not_equivocation;
  not_equivocation.kind = statement::Kind::kClaim;
  EXPECT_EQ(SplitViewOf(not_equivocation).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace accord::federation
