// Every class of tampering with a disclosure — its packets, its records, its evidence
// — and verification with the wrong key or log.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "src/seal/roundtrip_testing.h"
#include "src/statement/statement.h"

namespace accord::seal {
namespace {

using testing::BigPcapng;
using testing::Block;
using ::testing::HasSubstr;
using testing::IsPacket;
using testing::IsRecord;
using testing::SealRoundTrip;
using testing::TestPacket;

constexpr auto kDataLoss = absl::StatusCode::kDataLoss;
constexpr auto kUnauthenticated = absl::StatusCode::kUnauthenticated;

TEST_F(SealRoundTrip, ModifiedPacketsAreCaught) {
  std::vector<TestPacket> want;
  SealAndLog("big.pcapng", BigPcapng(600, want));
  auto nth_packet = [](std::vector<Block>& b, int n) -> Block& {
    for (Block& x : b) {
      if (IsPacket(x) && n-- == 0) return x;
    }
    std::abort();
  };
  // A payload byte.
  ExpectTamperingFails(
      "5,6,400", [&](auto& b) { nth_packet(b, 1).body[40] ^= 1; }, kDataLoss,
      "packet 2 of the file (block at offset");
  // The timestamp (EPB low word).
  ExpectTamperingFails(
      "5,6,400", [&](auto& b) { nth_packet(b, 0).body[8] ^= 1; }, kDataLoss,
      "is not sealed packet 5: it was modified or comes from elsewhere");
  // The original length.
  ExpectTamperingFails(
      "5,6,400", [&](auto& b) { nth_packet(b, 2).body[16] ^= 1; }, kDataLoss,
      "is not sealed packet 400");
  // The interface's timestamp resolution: every time changes.
  ExpectTamperingFails(
      "5",
      [&](auto& b) {
        for (Block& x : b) {
          if (x.type == 1) x.body[12] = 10;  // if_tsresol 10^-9 → 10^-10
        }
      },
      kDataLoss, "is not sealed packet 5");
  // The link type.
  ExpectTamperingFails(
      "5",
      [&](auto& b) {
        for (Block& x : b) {
          if (x.type == 1) x.body[0] = 113;
        }
      },
      kDataLoss, "is not sealed packet 5");
}

TEST_F(SealRoundTrip, ReorderedAddedRemovedAndForeignPacketsAreCaught) {
  std::vector<TestPacket> want;
  SealAndLog("big.pcapng", BigPcapng(600, want));
  auto packets = [](std::vector<Block>& b) {
    std::vector<size_t> at;
    for (size_t i = 0; i < b.size(); ++i) {
      if (IsPacket(b[i])) at.push_back(i);
    }
    return at;
  };
  ExpectTamperingFails(
      "5,6,400", [&](auto& b) { std::swap(b[packets(b)[0]], b[packets(b)[2]]); }, kDataLoss,
      "is sealed packet 400, listed elsewhere: packets were reordered");
  ExpectTamperingFails(
      "5,6,400", [&](auto& b) { b.insert(b.begin() + packets(b)[1], b[packets(b)[1]]); }, kDataLoss,
      "holds 4 packets but its records list 3: packets were added or removed");
  ExpectTamperingFails(
      "5,6,400", [&](auto& b) { b.erase(b.begin() + packets(b)[1]); }, kDataLoss,
      "holds 2 packets but its records list 3");
  // A packet from another capture in place of a sealed one.
  ExpectTamperingFails(
      "5,6,400",
      [&](auto& b) {
        PcapngEncoder e(false);
        auto f = testing::UdpFrame(1, 100, 66, 66, 6666, 6666, 66);
        const std::string epb = e.EnhancedPacket(0, want[5].time_ns, 100, f);
        b[packets(b)[1]].body = epb.substr(8, epb.size() - 12);
      },
      kDataLoss, "is not sealed packet 6: it was modified or comes from elsewhere");
  // Another kind of packet block smuggled in.
  ExpectTamperingFails(
      "5,6,400",
      [&](auto& b) {
        std::string spb;
        Put32(spb, 4, false);
        spb += "abcd";
        b.insert(b.begin() + packets(b)[2], Block{3, spb});
      },
      kDataLoss, "added or removed");
}

TEST_F(SealRoundTrip, TamperedRecordsAreCaught) {
  std::vector<TestPacket> want;
  SealAndLog("big.pcapng", BigPcapng(600, want));
  // An index moved, with its listed position: the proof no longer leads to the root.
  ExpectTamperingFails(
      "5,6,400",
      [&](auto& b) {
        for (Block& x : b) {
          if (IsRecord(x, 2)) x.body[4 + 26 + 12 + 40 + 7] ^= 1;  // second index: 5 → 4
        }
      },
      kUnauthenticated, "are not packets of the sealed capture");
  ExpectTamperingFails(
      "5,6,400",
      [&](auto& b) {
        for (Block& x : b) {
          if (IsRecord(x, 3)) x.body[4 + 26 + 12] ^= 1;  // first proof hash
        }
      },
      kUnauthenticated, "does not lead to the root");
  ExpectTamperingFails(
      "5,6,400",
      [&](auto& b) {
        for (Block& x : b) {
          if (IsRecord(x, 3)) x.body.resize(x.body.size() - 32);  // one hash short…
        }
      },
      kDataLoss, "accord record at offset");
  ExpectTamperingFails(
      "5", [&](auto& b) { std::erase_if(b, [](const Block& x) { return IsRecord(x, 1); }); },
      absl::StatusCode::kInvalidArgument, "no accord disclosure");
  ExpectTamperingFails(
      "5",
      [&](auto& b) {
        for (size_t i = 0; i < b.size(); ++i) {
          if (IsRecord(b[i], 1)) {
            b.insert(b.begin() + i, b[i]);
            break;
          }
        }
      },
      absl::StatusCode::kInvalidArgument, "a second evidence record");
  // The statement in the evidence record, changed by one byte.
  ExpectTamperingFails(
      "5",
      [&](auto& b) {
        for (Block& x : b) {
          if (IsRecord(x, 1)) x.body[x.body.find("\"payload\":\"") + 12] ^= 1;
        }
      },
      kDataLoss, "leaf hash is not that of its statement");
  // The statement index, pointing at another entry.
  ExpectTamperingFails(
      "5",
      [&](auto& b) {
        for (Block& x : b) {
          if (IsRecord(x, 1)) x.body[4 + 26 + 2 + 19 + 7] ^= 1;  // index 0 → 1
        }
      },
      kUnauthenticated, "1 entries");
}

TEST_F(SealRoundTrip, ForeignEvidenceAndWrongKeysAreCaught) {
  std::vector<TestPacket> want;
  SealAndLog("big.pcapng", BigPcapng(300, want));
  Selector sel;
  sel.packets = *ParsePacketList("5");
  const std::string out = dir_.File("d.pcapng");
  ASSERT_TRUE(DiscloseTo(out, sel).ok());
  ASSERT_TRUE(Verify(out).ok());
  // Another party's key.
  auto other = *note::GenerateKey("cert.example.lv/log");
  auto other_verifier = *note::NewVerifier(other.verifier_key);
  auto r = VerifyDisclosure(out, *other_verifier, nullptr);
  EXPECT_TRUE(absl::IsFailedPrecondition(r.status())) << r.status();
  // Same name, another key: the checkpoint and statement signatures fail.
  auto impostor = *note::GenerateKey("cert.example.ee/log");
  auto impostor_verifier = *note::NewVerifier(impostor.verifier_key);
  r = VerifyDisclosure(out, *impostor_verifier, nullptr);
  EXPECT_TRUE(absl::IsUnauthenticated(r.status())) << r.status();
  // A log that does not hold the statement (another log with the same key).
  const std::string other_log = dir_.File("other-log");
  {
    auto l = *log::Log::Create(std::make_unique<store::PosixLogStorage>(other_log), *signer_);
    const std::string e = "{}";
    const std::span<const uint8_t> entry[] = {util::AsBytes(e)};
    ASSERT_TRUE(l->Append(entry).ok());
  }
  auto folder = *OpenLogFolder(other_log, verifier_.get());
  r = VerifyDisclosure(out, *verifier_, folder.get());
  EXPECT_TRUE(absl::IsUnauthenticated(r.status())) << r.status();
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("is not entry 0"));
}

}  // namespace
}  // namespace accord::seal
