// Round trips seal → log → disclose → verify over captures of every kind the tests can
// write, selections of every kind, and captures or sidecars that changed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "src/seal/roundtrip_testing.h"
#include "src/statement/statement.h"

namespace accord::seal {
namespace {

using testing::BigPcapng;
using testing::ExpectTsharkReads;
using ::testing::HasSubstr;
using testing::SealRoundTrip;
using testing::TestPacket;

TEST_F(SealRoundTrip, EveryCaptureKindRoundTrips) {
  struct Capture {
    std::string name, bytes;
    std::vector<TestPacket> want;
  };
  std::vector<Capture> captures;
  for (bool big : {false, true}) {
    for (bool nanos : {false, true}) {
      Capture c;
      c.name = absl::StrCat("c", big ? "-be" : "-le", nanos ? "-ns" : "-us", ".pcap");
      testing::PcapWriter w(big ? testing::kLinkRaw : testing::kLinkEthernet, big, nanos, 100);
      for (int i = 0; i < 300; ++i) {
        auto f = testing::UdpFrame(big ? testing::kLinkRaw : testing::kLinkEthernet,
                                   60 + (i * 13) % 140, 1, 2, 1000, i % 2 ? 53 : 80, i);
        const uint32_t orig = static_cast<uint32_t>(f.size());
        if (f.size() > 100) f.resize(100);  // truncated by the snap length
        const uint64_t t = 1700000000'000000000ull + uint64_t(i) * 999'999'999ull;
        w.Add(t, orig, f);
        c.want.push_back(TestPacket{nanos ? t : t / 1000 * 1000, orig, 0, f});
      }
      c.bytes = w.bytes();
      captures.push_back(std::move(c));
    }
  }
  Capture mixed;
  mixed.name = "mixed.pcapng";
  mixed.bytes = testing::MixedPcapng(mixed.want);
  captures.push_back(std::move(mixed));

  for (const Capture& c : captures) {
    SCOPED_TRACE(c.name);
    SealAndLog(c.name, c.bytes);
    EXPECT_EQ(sealed_.built.tree.size, c.want.size());
    Selector all;
    all.packets = PacketRanges{{0, c.want.size() - 1}};
    const std::string out = dir_.File(c.name + ".disclosed.pcapng");
    auto d = DiscloseTo(out, all);
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_TRUE(d->used_sidecar);
    EXPECT_EQ(d->proof_hashes, 0u);  // every leaf disclosed: nothing else to prove
    auto r = Verify(out);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->indices.size(), c.want.size());
    EXPECT_EQ(r->facts.packets, c.want.size());
    EXPECT_EQ(r->facts.file_sha256, util::HexEncode(crypto::Sha256(c.bytes)));
    // The disclosed packets are the captured ones, byte for byte.
    std::vector<TestPacket> got;
    ASSERT_TRUE(ParseCaptureBytes(util::AsBytes(testing::ReadFile(out)), [&](const Packet& p) {
                  got.push_back(TestPacket{p.time_ns, p.original_length, p.link_type,
                                           std::vector<uint8_t>(p.data.begin(), p.data.end())});
                  return true;
                }).ok());
    ASSERT_EQ(got.size(), c.want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].data, c.want[i].data) << i;
      EXPECT_EQ(got[i].time_ns, c.want[i].time_ns) << i;
    }
    ExpectTsharkReads(out, c.want.size());
  }
}

TEST_F(SealRoundTrip, SelectsByNumbersTimeAndFilterAcrossTiles) {
  std::vector<TestPacket> want;
  SealAndLog("big.pcapng", BigPcapng(3000, want));
  EXPECT_EQ(sealed_.built.tree.tiles.size(), 11u);
  {
    Selector sel;
    sel.packets = *ParsePacketList("1,2,3,700,2999-3000,1025");
    auto d = DiscloseTo(dir_.File("n.pcapng"), sel);
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_EQ(d->indices, (std::vector<uint64_t>{0, 1, 2, 699, 1024, 2998, 2999}));
    EXPECT_EQ(d->tiles_rehashed, 4u);  // tiles 0, 2, 4 and the tail
    auto r = Verify(dir_.File("n.pcapng"));
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->indices, d->indices);
    EXPECT_THAT(r->ToText(),
                HasSubstr("verified: 7 of 3000 sealed packets (1,2,3,700,1025,2999,3000)"));
    EXPECT_EQ(r->ToJson()["disclosed"]["packet_numbers"][3], 700);
    ExpectTsharkReads(dir_.File("n.pcapng"), 7);
  }
  {
    Selector sel;
    sel.from_ns = want[100].time_ns;
    sel.to_ns = want[199].time_ns;
    auto d = DiscloseTo(dir_.File("t.pcapng"), sel);
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_EQ(d->indices.size(), 100u);
    EXPECT_EQ(d->indices.front(), 100u);
    ASSERT_TRUE(Verify(dir_.File("t.pcapng")).ok());
  }
  {
    Selector sel;
    sel.filter = *BpfFilter::Create("udp dst port 53 and src host 10.0.0.3");
    auto d = DiscloseTo(dir_.File("f.pcapng"), sel);
    ASSERT_TRUE(d.ok()) << d.status();
    for (uint64_t i : d->indices) EXPECT_EQ(i % 9, 3u) << i;
    EXPECT_EQ(d->indices.size(), 333u);  // over Ethernet and raw IP alike
    ASSERT_TRUE(Verify(dir_.File("f.pcapng")).ok());
    if (std::system("tshark --version >/dev/null 2>&1") == 0) {
      // tshark applies the same filter to the original and finds the same packets.
      const std::string cmd = absl::StrCat("tshark -r '", capture_,
                                           "' -Y 'udp.dstport == 53 && ip.src == 10.0.0.3' "
                                           "2>/dev/null | wc -l");
      FILE* p = popen(cmd.c_str(), "r");
      char buf[64] = {};
      ASSERT_NE(fgets(buf, sizeof buf, p), nullptr);
      pclose(p);
      EXPECT_EQ(std::strtoull(buf, nullptr, 10), d->indices.size());
    }
  }
  {
    Selector sel;
    sel.packets = *ParsePacketList("3001");
    EXPECT_TRUE(absl::IsInvalidArgument(DiscloseTo(dir_.File("x.pcapng"), sel).status()));
    sel.packets.reset();
    sel.filter = *BpfFilter::Create("tcp");
    EXPECT_TRUE(absl::IsInvalidArgument(DiscloseTo(dir_.File("x.pcapng"), sel).status()));
  }
}

TEST_F(SealRoundTrip, WithoutASidecarTheCaptureIsRehashed) {
  std::vector<TestPacket> want;
  SealAndLog("big.pcapng", BigPcapng(600, want));
  Selector sel;
  sel.packets = *ParsePacketList("10,500");
  // Missing, damaged, or another capture's sidecar: rebuilt from the capture.
  ASSERT_EQ(std::remove(SidecarPath(capture_).c_str()), 0);
  auto d = DiscloseTo(dir_.File("a.pcapng"), sel);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_FALSE(d->used_sidecar);
  EXPECT_THAT(d->warnings.at(0), HasSubstr("re-hashing the whole capture"));
  ASSERT_TRUE(Verify(dir_.File("a.pcapng")).ok());
  testing::WriteFile(SidecarPath(capture_), "garbage");
  d = DiscloseTo(dir_.File("b.pcapng"), sel);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_THAT(d->warnings.at(0), HasSubstr("malformed sidecar"));
  PacketTree other = sealed_.built.tree;
  other.root[0] ^= 1;
  ASSERT_TRUE(WriteSidecar(SidecarPath(capture_), other).ok());
  d = DiscloseTo(dir_.File("c.pcapng"), sel);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_THAT(d->warnings.at(0), HasSubstr("belongs to another seal"));
}

TEST_F(SealRoundTrip, ACaptureChangedAfterSealingIsRefused) {
  std::vector<TestPacket> want;
  const std::string file = BigPcapng(600, want);
  SealAndLog("big.pcapng", file);
  Selector sel;
  sel.packets = *ParsePacketList("300");
  std::string changed = file;
  changed[changed.size() / 2] ^= 0x01;  // a packet byte in tile 1
  testing::WriteFile(capture_, changed);
  auto d = DiscloseTo(dir_.File("x.pcapng"), sel);
  EXPECT_TRUE(absl::IsDataLoss(d.status())) << d.status();
  EXPECT_THAT(std::string(d.status().message()), HasSubstr("differ from the sealed capture"));
  EXPECT_FALSE(std::filesystem::exists(dir_.File("x.pcapng")));
  testing::WriteFile(capture_, file + "more");
  d = DiscloseTo(dir_.File("x.pcapng"), sel);
  EXPECT_TRUE(absl::IsFailedPrecondition(d.status())) << d.status();
}

TEST_F(SealRoundTrip, EvidenceReferencesResolve) {
  std::vector<TestPacket> want;
  SealAndLog("big.pcapng", BigPcapng(10, want));
  auto folder = *OpenLogFolder(log_dir_, nullptr);
  const tlog::Hash leaf = statement::LeafHashOf(sealed_.statement);
  for (const std::string& ref : {std::string("0"), std::string("cert.example.ee/log@0"),
                                 absl::StrCat("cert.example.ee/log@0#", util::Base64Encode(leaf)),
                                 absl::StrCat("cert.example.ee/log@0#", util::HexEncode(leaf))}) {
    auto q = ParseEvidenceRef(ref);
    ASSERT_TRUE(q.ok()) << ref;
    auto e = ResolveEvidence(*folder, *q);
    ASSERT_TRUE(e.ok()) << ref << ": " << e.status();
    EXPECT_EQ(e->statement, sealed_.statement);
  }
  EXPECT_FALSE(ParseEvidenceRef("x").ok());
  EXPECT_FALSE(ParseEvidenceRef("@1").ok());
  EXPECT_FALSE(ParseEvidenceRef("o@1#zz").ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(
      ResolveEvidence(*folder, *ParseEvidenceRef("cert.example.lv/log@0")).status()));
  EXPECT_TRUE(absl::IsNotFound(ResolveEvidence(*folder, *ParseEvidenceRef("7")).status()));
  EvidenceQuery q;
  q.statement = "{\"not\":\"logged\"}";
  EXPECT_TRUE(absl::IsNotFound(ResolveEvidence(*folder, q).status()));
}

TEST_F(SealRoundTrip, TheStatementValidatesAndCarriesCustody) {
  std::vector<TestPacket> want;
  SealAndLog("mixed.pcapng", testing::MixedPcapng(want));
  auto validator = *statement::Validator::Create();
  auto st = validator->Parse(sealed_.statement);
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_EQ(st->kind, statement::Kind::kEvidence);
  EXPECT_EQ(st->issuer, "cert.example.ee/log");
  auto facts = ReadEvidenceFacts(st->payload);
  ASSERT_TRUE(facts.ok());
  EXPECT_EQ(facts->evidence_type, "pcapng");
  EXPECT_EQ(facts->packets, want.size());
  EXPECT_EQ(facts->root, sealed_.built.tree.root);
  EXPECT_EQ(facts->first_observed, "1970-01-01T00:00:00.000000042Z");
  EXPECT_EQ(facts->last_observed, "2023-11-14T22:13:21Z");
  EXPECT_EQ(facts->collector["role"], "incident handler");
  EXPECT_EQ(facts->sensor["name"], "tap-01");
  EXPECT_EQ(facts->file_name, "mixed.pcapng");
  EXPECT_EQ(st->payload["seal"]["scheme"], "accord-seal/v1");
  // Sealing a file that is no capture, or is malformed, fails naming it.
  testing::WriteFile(dir_.File("junk"), "junk junk junk");
  SealRequest req;
  req.capture_path = dir_.File("junk");
  EXPECT_TRUE(absl::IsInvalidArgument(seal::Seal(req, *signer_).status()));
  // A sidecar that cannot be written is a warning: the statement is what matters.
  req.capture_path = capture_;
  req.sidecar_path = dir_.File("junk") + "/cannot/be/here";
  auto sealed = seal::Seal(req, *signer_);
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_TRUE(sealed->sidecar_path.empty());
  EXPECT_THAT(sealed->warnings.at(0), HasSubstr("disclosure will re-hash the capture"));
  EXPECT_EQ(sealed->built.tree.root, sealed_.built.tree.root);
}

}  // namespace
}  // namespace accord::seal
