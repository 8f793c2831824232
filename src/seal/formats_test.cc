// The sidecar, the disclosure records and the selection syntax.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "src/seal/disclosure.h"
#include "src/seal/select.h"
#include "src/seal/sidecar.h"
#include "src/seal/testing.h"
#include "src/util/encoding.h"

namespace accord::seal {
namespace {

using ::testing::HasSubstr;

tlog::Hash H(uint8_t seed) {
  tlog::Hash h;
  for (size_t i = 0; i < h.size(); ++i) h[i] = static_cast<uint8_t>(seed * 31 + i);
  return h;
}

PacketTree SampleTree(uint64_t size) {
  PacketTree t;
  t.format = CaptureFormat::kPcapng;
  t.capture_bytes = 123456789;
  t.capture_sha256 = H(1);
  t.size = size;
  t.root = H(2);
  t.structure = {0, 28, 60};
  for (uint64_t i = 0; i < size / 256; ++i) t.tiles.push_back(TreeTile{1000 + i * 7, H(3 + i)});
  if (size % 256) {
    t.tail_offset = 99999;
    for (uint64_t i = 0; i < size % 256; ++i) t.tail.push_back(H(200 + i));
  }
  return t;
}

void ExpectSameTree(const PacketTree& a, const PacketTree& b) {
  EXPECT_EQ(a.format, b.format);
  EXPECT_EQ(a.capture_bytes, b.capture_bytes);
  EXPECT_EQ(a.capture_sha256, b.capture_sha256);
  EXPECT_EQ(a.size, b.size);
  EXPECT_EQ(a.root, b.root);
  EXPECT_EQ(a.structure, b.structure);
  ASSERT_EQ(a.tiles.size(), b.tiles.size());
  for (size_t i = 0; i < a.tiles.size(); ++i) {
    EXPECT_EQ(a.tiles[i].offset, b.tiles[i].offset);
    EXPECT_EQ(a.tiles[i].hash, b.tiles[i].hash);
  }
  EXPECT_EQ(a.tail_offset, b.tail_offset);
  EXPECT_EQ(a.tail, b.tail);
}

TEST(SealSidecarTest, RoundTripsAndHasTheDocumentedSize) {
  for (uint64_t size : {0, 1, 255, 256, 1000}) {
    const PacketTree t = SampleTree(size);
    const std::string bytes = EncodeSidecar(t);
    const size_t tail = size % 256 ? 8 + 32 * (size % 256) : 0;
    EXPECT_EQ(bytes.size(),
              20 + 1 + 8 + 32 + 8 + 32 + 4 + 3 * 8 + 8 + 40 * (size / 256) + 2 + tail + 32);
    auto back = DecodeSidecar(util::AsBytes(bytes));
    ASSERT_TRUE(back.ok()) << back.status();
    ExpectSameTree(*back, t);
  }
}

TEST(SealSidecarTest, RejectsEveryDamage) {
  const std::string good = EncodeSidecar(SampleTree(1000));
  // Any truncation, any flipped byte.
  for (size_t cut = 0; cut < good.size(); cut += 7) {
    EXPECT_TRUE(absl::IsDataLoss(DecodeSidecar(util::AsBytes(good.substr(0, cut))).status()));
  }
  std::mt19937 rng(2);
  for (int i = 0; i < 500; ++i) {
    std::string bad = good;
    bad[rng() % bad.size()] ^= static_cast<char>(1 + rng() % 255);
    EXPECT_TRUE(absl::IsDataLoss(DecodeSidecar(util::AsBytes(bad)).status()));
  }
  // Consistent checksum but inconsistent counts.
  PacketTree t = SampleTree(1000);
  t.tail.pop_back();
  auto s = DecodeSidecar(util::AsBytes(EncodeSidecar(t)));
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("231 tail leaves for 1000 packets"));
  t = SampleTree(1000);
  t.size = 2000;
  s = DecodeSidecar(util::AsBytes(EncodeSidecar(t)));
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("3 tiles for 2000 packets"));
  testing::TempDir dir;
  EXPECT_TRUE(absl::IsNotFound(ReadSidecar(dir.File("none")).status()));
  ASSERT_TRUE(WriteSidecar(dir.File("s"), SampleTree(300)).ok());
  auto read = ReadSidecar(dir.File("s"));
  ASSERT_TRUE(read.ok());
  ExpectSameTree(*read, SampleTree(300));
  EXPECT_EQ(SidecarPath("/x/c.pcap"), "/x/c.pcap.accord-tree");
}

TEST(SealSelectTest, PacketLists) {
  EXPECT_EQ(*ParsePacketList("1"), (PacketRanges{{0, 0}}));
  EXPECT_EQ(*ParsePacketList("3, 1,2 ,10-20,15-25,27"), (PacketRanges{{0, 2}, {9, 24}, {26, 26}}));
  for (const char* bad : {"", "0", "a", "1-", "-3", "5-2", "1,,2", "1;2", "18446744073709551616"}) {
    EXPECT_TRUE(absl::IsInvalidArgument(ParsePacketList(bad).status())) << bad;
  }
}

TEST(SealSelectTest, Times) {
  EXPECT_EQ(*ParseTimeNs("0"), 0u);
  EXPECT_EQ(*ParseTimeNs("1700000000.5"), 1700000000'500000000u);
  EXPECT_EQ(*ParseTimeNs("1700000000.000000001"), 1700000000'000000001u);
  EXPECT_EQ(*ParseTimeNs("2023-11-14T22:13:20Z"), 1700000000'000000000u);
  EXPECT_EQ(*ParseTimeNs("2023-11-15T00:13:20.25+02:00"), 1700000000'250000000u);
  for (const char* bad :
       {"", "1.", "1.1234567891", "yesterday", "1969-12-31T23:59:59Z", "99999999999999999999"}) {
    EXPECT_FALSE(ParseTimeNs(bad).ok()) << bad;
  }
  EXPECT_EQ(FormatTimeNs(1700000000'000000000u), "2023-11-14T22:13:20Z");
  EXPECT_EQ(FormatTimeNs(1700000000'120000000u), "2023-11-14T22:13:20.12Z");
  EXPECT_EQ(FormatTimeNs(42), "1970-01-01T00:00:00.000000042Z");
  EXPECT_EQ(FormatTimeNs(UINT64_MAX), "2554-07-21T23:34:33.709551615Z");
}

Packet MakePacket(uint16_t link_type, const std::vector<uint8_t>& frame, uint64_t index = 0) {
  Packet p;
  p.index = index;
  p.link_type = link_type;
  p.data = frame;
  p.original_length = static_cast<uint32_t>(frame.size());
  p.time_ns = 1000 * index;
  return p;
}

TEST(SealSelectTest, BpfFiltersPerLinkType) {
  auto f = BpfFilter::Create("udp port 53");
  ASSERT_TRUE(f.ok());
  const auto dns_eth = testing::UdpFrame(testing::kLinkEthernet, 80, 1, 2, 5000, 53, 1);
  const auto web_eth = testing::UdpFrame(testing::kLinkEthernet, 80, 1, 2, 5000, 443, 1);
  const auto dns_raw = testing::UdpFrame(testing::kLinkRaw, 80, 1, 2, 5000, 53, 1);
  const auto dns_null = testing::UdpFrame(testing::kLinkNull, 80, 1, 2, 5000, 53, 1);
  EXPECT_TRUE((*f)->Matches(MakePacket(testing::kLinkEthernet, dns_eth)));
  EXPECT_FALSE((*f)->Matches(MakePacket(testing::kLinkEthernet, web_eth)));
  EXPECT_TRUE((*f)->Matches(MakePacket(testing::kLinkRaw, dns_raw)));  // LINKTYPE_RAW → DLT_RAW
  EXPECT_TRUE((*f)->Matches(MakePacket(testing::kLinkNull, dns_null)));
  // A link type libpcap cannot filter matches nothing and is reported.
  EXPECT_FALSE((*f)->Matches(MakePacket(147, dns_eth)));
  EXPECT_EQ((*f)->Unsupported().count(147), 1u);
  auto bad = BpfFilter::Create("udp port");
  EXPECT_TRUE(absl::IsInvalidArgument(bad.status()));
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("filter \"udp port\""));
}

TEST(SealSelectTest, AllCriteriaMustHold) {
  Selector sel;
  sel.packets = *ParsePacketList("2-4");
  sel.from_ns = 2000;
  const auto frame = testing::UdpFrame(testing::kLinkEthernet, 80, 1, 2, 5000, 53, 1);
  EXPECT_TRUE(sel.NeedsScan());
  EXPECT_FALSE(sel.Matches(MakePacket(1, frame, 0)));
  EXPECT_FALSE(sel.Matches(MakePacket(1, frame, 1)));  // number 2, time 1000 < from
  EXPECT_TRUE(sel.Matches(MakePacket(1, frame, 2)));
  EXPECT_TRUE(sel.Matches(MakePacket(1, frame, 3)));
  EXPECT_FALSE(sel.Matches(MakePacket(1, frame, 4)));
  Packet untimed = MakePacket(1, frame, 2);
  untimed.has_time = false;
  EXPECT_FALSE(sel.Matches(untimed));
}

TEST(SealDisclosureRecordsTest, ParseBackAndRejectMalformedRecords) {
  EvidenceRecord e{"cert.example.ee/log", 7, H(1), "{statement}", "checkpoint\n", {H(2), H(3)}};
  PcapngEncoder enc(false);
  const uint64_t idx[] = {3, 9};
  const tlog::Hash leaves[] = {H(4), H(5)};
  const tlog::Hash proof[] = {H(6)};
  std::string file =
      enc.SectionHeader() +
      enc.Custom(kCustomBlockNoCopy, kDisclosurePen, EncodeEvidenceRecord(e)) +
      enc.Custom(kCustomBlockNoCopy, kDisclosurePen, EncodePacketsRecord(0, idx, leaves)) +
      enc.Custom(kCustomBlockNoCopy, kDisclosurePen, EncodeProofRecord(0, proof)) +
      enc.Custom(kCustomBlockNoCopy, 1234, "someone else's");
  auto d = ParseDisclosureBytes(testing::Bytes(file));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->evidence.origin, e.origin);
  EXPECT_EQ(d->evidence.index, 7u);
  EXPECT_EQ(d->evidence.statement, e.statement);
  EXPECT_EQ(d->evidence.checkpoint, e.checkpoint);
  EXPECT_EQ(d->evidence.inclusion_proof, e.inclusion_proof);
  EXPECT_EQ(d->indices, (std::vector<uint64_t>{3, 9}));
  EXPECT_EQ(d->proof, (std::vector<tlog::Hash>{H(6)}));

  // Out-of-order chunks, unknown kinds, trailing bytes.
  const std::string out_of_order =
      enc.SectionHeader() +
      enc.Custom(kCustomBlockNoCopy, kDisclosurePen, EncodeEvidenceRecord(e)) +
      enc.Custom(kCustomBlockNoCopy, kDisclosurePen, EncodePacketsRecord(5, idx, leaves));
  EXPECT_THAT(std::string(ParseDisclosureBytes(testing::Bytes(out_of_order)).status().message()),
              HasSubstr("packets record starts at position 5, expected 0"));
  std::string unknown(kDisclosureMagic);
  unknown.push_back(9);
  const std::string bad_kind =
      enc.SectionHeader() +
      enc.Custom(kCustomBlockNoCopy, kDisclosurePen, EncodeEvidenceRecord(e)) +
      enc.Custom(kCustomBlockNoCopy, kDisclosurePen, unknown);
  EXPECT_THAT(std::string(ParseDisclosureBytes(testing::Bytes(bad_kind)).status().message()),
              HasSubstr("unknown record kind 9"));
  const std::string trailing = enc.SectionHeader() + enc.Custom(kCustomBlockNoCopy, kDisclosurePen,
                                                                EncodeEvidenceRecord(e) + "junk");
  EXPECT_THAT(std::string(ParseDisclosureBytes(testing::Bytes(trailing)).status().message()),
              HasSubstr("unexpected trailing bytes"));
  // Random damage never crashes.
  std::mt19937 rng(8);
  for (int i = 0; i < 3000; ++i) {
    std::string f = file;
    f[rng() % f.size()] ^= static_cast<char>(1 + rng() % 255);
    (void)ParseDisclosureBytes(testing::Bytes(f));
  }
}

}  // namespace
}  // namespace accord::seal
