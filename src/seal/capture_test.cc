#include "src/seal/capture.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <random>

#include "src/seal/byte_source.h"
#include "src/seal/testing.h"
#include "src/util/encoding.h"

namespace accord::seal {
namespace {

using ::testing::HasSubstr;
using testing::TestPacket;

std::vector<TestPacket> ReadAll(std::span<const uint8_t> bytes) {
  std::vector<TestPacket> got;
  auto n = ParseCaptureBytes(bytes, [&](const Packet& p) {
    got.push_back(TestPacket{p.time_ns, p.original_length, p.link_type,
                             std::vector<uint8_t>(p.data.begin(), p.data.end())});
    return true;
  });
  EXPECT_TRUE(n.ok()) << n.status();
  return got;
}

void ExpectSame(const std::vector<TestPacket>& got, const std::vector<TestPacket>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(got[i].time_ns, want[i].time_ns);
    EXPECT_EQ(got[i].original_length, want[i].original_length);
    EXPECT_EQ(got[i].link_type, want[i].link_type);
    EXPECT_EQ(got[i].data, want[i].data);
  }
}

// Classic pcap in every byte order and precision, with a truncated packet.
std::string ClassicPcap(bool big, bool nanos, uint16_t link, std::vector<TestPacket>& want) {
  testing::PcapWriter w(link, big, nanos, 128);
  want.clear();
  for (int i = 0; i < 20; ++i) {
    const uint64_t ns = 1700000000'000000000ull + i * 1'234'567'891ull;
    const uint64_t stored = nanos ? ns : ns / 1000 * 1000;
    auto frame = testing::UdpFrame(link, 60 + i * 10, 1, 2, 1000 + i, 53, i);
    const uint32_t orig = static_cast<uint32_t>(frame.size());
    if (frame.size() > 128) frame.resize(128);  // truncated to the snap length
    w.Add(ns, orig, frame);
    want.push_back(TestPacket{stored, orig, link, frame});
  }
  return w.bytes();
}

TEST(SealCaptureTest, ClassicPcapBothByteOrdersAndPrecisions) {
  for (bool big : {false, true}) {
    for (bool nanos : {false, true}) {
      SCOPED_TRACE(::testing::Message() << "big=" << big << " nanos=" << nanos);
      std::vector<TestPacket> want;
      std::string file = ClassicPcap(big, nanos, testing::kLinkRaw, want);
      ExpectSame(ReadAll(testing::Bytes(file)), want);
      auto source = ByteSource::FromMemory(testing::Bytes(file));
      auto reader = CaptureReader::Open(*source);
      ASSERT_TRUE(reader.ok()) << reader.status();
      EXPECT_EQ((*reader)->metadata().format, CaptureFormat::kPcap);
      EXPECT_EQ((*reader)->metadata().big_endian, big);
      EXPECT_EQ((*reader)->metadata().nanosecond, nanos);
      EXPECT_EQ((*reader)->interfaces().at(0).snap_length, 128u);
    }
  }
}

TEST(SealCaptureTest, PcapngSectionsInterfacesLinkTypesResolutions) {
  std::vector<TestPacket> want;
  std::string file = testing::MixedPcapng(want);
  ExpectSame(ReadAll(testing::Bytes(file)), want);

  auto source = ByteSource::FromMemory(testing::Bytes(file));
  auto reader = CaptureReader::Open(*source);
  ASSERT_TRUE(reader.ok()) << reader.status();
  while (true) {
    auto p = (*reader)->Next();
    ASSERT_TRUE(p.ok()) << p.status();
    if (!p->has_value()) break;
    EXPECT_EQ((*p)->has_time, (*p)->index != 3) << "packet 3 is the simple packet block";
  }
  const CaptureMetadata& m = (*reader)->metadata();
  EXPECT_EQ(m.format, CaptureFormat::kPcapng);
  EXPECT_EQ(m.sections, 2u);
  EXPECT_EQ(m.hardware, "test hardware");
  EXPECT_EQ(m.os, "test os");
  EXPECT_EQ(m.application, "accord tests");
  ASSERT_EQ((*reader)->interfaces().size(), 5u);
  EXPECT_EQ((*reader)->interfaces()[0].name, "eth0");
  EXPECT_EQ((*reader)->interfaces()[1].snap_length, 96u);
  EXPECT_EQ((*reader)->interfaces()[3].section, 1u);
  EXPECT_EQ((*reader)->structure_offsets().size(), 7u);  // 2 SHBs + 5 IDBs
}

TEST(SealCaptureTest, StreamsFromAFileThroughASmallBuffer) {
  std::vector<TestPacket> want;
  std::string file = testing::MixedPcapng(want);
  testing::TempDir dir;
  testing::WriteFile(dir.File("c.pcapng"), file);
  auto source = ByteSource::OpenFile(dir.File("c.pcapng"), nullptr, /*buffer_bytes=*/100);
  ASSERT_TRUE(source.ok()) << source.status();
  auto reader = CaptureReader::Open(**source);
  ASSERT_TRUE(reader.ok()) << reader.status();
  std::vector<TestPacket> got;
  while (true) {
    auto p = (*reader)->Next();
    ASSERT_TRUE(p.ok()) << p.status();
    if (!p->has_value()) break;
    got.push_back(TestPacket{(*p)->time_ns, (*p)->original_length, (*p)->link_type,
                             std::vector<uint8_t>((*p)->data.begin(), (*p)->data.end())});
  }
  ExpectSame(got, want);
}

TEST(SealCaptureTest, ResumesAtAnyPacketFromStructureOffsets) {
  std::vector<TestPacket> want;
  std::string file = testing::MixedPcapng(want);
  std::vector<Packet> all;
  std::vector<uint64_t> structure;
  {
    auto source = ByteSource::FromMemory(testing::Bytes(file));
    auto reader = *CaptureReader::Open(*source);
    while (auto p = *reader->Next()) all.push_back(*p);
    structure = reader->structure_offsets();
  }
  for (const Packet& target : all) {
    SCOPED_TRACE(target.index);
    auto source = ByteSource::FromMemory(testing::Bytes(file));
    auto reader = *CaptureReader::Open(*source);
    ASSERT_TRUE(reader->Resume(target.offset, target.index, structure).ok());
    auto p = reader->Next();
    ASSERT_TRUE(p.ok() && p->has_value()) << p.status();
    EXPECT_EQ((*p)->index, target.index);
    EXPECT_EQ((*p)->time_ns, want[target.index].time_ns);
    EXPECT_EQ((*p)->link_type, want[target.index].link_type);
    EXPECT_EQ(std::vector<uint8_t>((*p)->data.begin(), (*p)->data.end()), want[target.index].data);
  }
  // A structure offset that is no SHB/IDB is refused.
  auto source = ByteSource::FromMemory(testing::Bytes(file));
  auto reader = *CaptureReader::Open(*source);
  std::vector<uint64_t> wrong = {all[0].offset};
  EXPECT_FALSE(reader->Resume(all[1].offset, 1, wrong).ok());
}

TEST(SealCaptureTest, TimestampConversion) {
  EXPECT_EQ(PcapngTimeToNs(5, 6, 0), 5000u);                  // µs
  EXPECT_EQ(PcapngTimeToNs(5, 9, 0), 5u);                     // ns
  EXPECT_EQ(PcapngTimeToNs(5, 0, 0), 5'000'000'000u);         // s
  EXPECT_EQ(PcapngTimeToNs(1999, 12, 0), 1u);                 // ps, floored
  EXPECT_EQ(PcapngTimeToNs(1, 0x80 | 1, 0), 500'000'000u);    // 2^-1 s
  EXPECT_EQ(PcapngTimeToNs(3, 0x80 | 30, 0), 2u);             // 3·2^-30 s = 2.79 ns
  EXPECT_EQ(PcapngTimeToNs(UINT64_MAX, 0x7F, 0), 0u);         // 10^-127 s
  EXPECT_EQ(PcapngTimeToNs(UINT64_MAX, 0xFF, 0), 0u);         // 2^-127 s
  EXPECT_EQ(PcapngTimeToNs(1, 6, 100), 100'000'001'000u);     // if_tsoffset
  EXPECT_EQ(PcapngTimeToNs(0, 6, -1), std::nullopt);          // before 1970
  EXPECT_EQ(PcapngTimeToNs(UINT64_MAX, 6, 0), std::nullopt);  // beyond 2^64 ns
  EXPECT_EQ(PcapngTimeToNs(UINT64_MAX, 9, 0), UINT64_MAX);
}

absl::Status ParseStatus(std::string_view file) {
  return ParseCaptureBytes(testing::Bytes(file), nullptr).status();
}

TEST(SealCaptureTest, EveryTruncationIsAnErrorNamingAnOffset) {
  std::vector<TestPacket> want;
  for (const std::string& file :
       {testing::MixedPcapng(want), ClassicPcap(true, false, testing::kLinkEthernet, want)}) {
    // Cutting at a record boundary is a shorter valid file; anywhere else is an error.
    std::vector<size_t> boundaries;
    {
      auto source = ByteSource::FromMemory(testing::Bytes(file));
      auto reader = *CaptureReader::Open(*source);
      while (auto p = *reader->Next()) boundaries.push_back(source->offset());
    }
    for (size_t cut = 0; cut < file.size(); ++cut) {
      absl::Status s = ParseStatus(std::string_view(file).substr(0, cut));
      if (s.ok()) continue;
      EXPECT_TRUE(absl::IsDataLoss(s) || absl::IsInvalidArgument(s)) << cut << ": " << s;
      if (cut >= 4) {
        EXPECT_THAT(std::string(s.message()), HasSubstr("offset")) << s;
      }
    }
  }
}

TEST(SealCaptureTest, MalformedFilesNameTheFault) {
  std::vector<TestPacket> want;
  const std::string pcapng = testing::MixedPcapng(want);
  const std::string pcap = ClassicPcap(false, false, testing::kLinkEthernet, want);
  struct Case {
    std::string name, file, message;
  };
  std::vector<Case> cases;
  cases.push_back({"not a capture", "hello world", "neither pcap nor pcapng"});
  cases.push_back({"empty", "", "too short"});
  {
    std::string f = pcap;
    f[4] = 3;  // version 3.4
    cases.push_back({"pcap version", f, "unsupported version 3.4"});
  }
  {
    std::string f = pcap;
    f[24 + 8] = 0;  // captured length 0x7F000000…: little-endian byte 3 of caplen
    f[24 + 11] = 0x7F;
    cases.push_back({"pcap huge caplen", f, "exceeds the 16777216-byte limit"});
  }
  {
    std::string f = pcapng;
    f[8] = 0x11;  // byte-order magic
    cases.push_back({"bad BOM", f, "offset 0: bad byte-order magic"});
  }
  {
    std::string f = pcapng;
    const size_t shb_len = static_cast<uint8_t>(f[4]);
    f[shb_len + 4] = 13;  // first IDB's total length, not a multiple of 4
    cases.push_back({"odd length", f, absl::StrCat("offset ", shb_len, ": bad total length 13")});
  }
  {
    std::string f = pcapng;
    const size_t shb_len = static_cast<uint8_t>(f[4]);
    const size_t idb_len = static_cast<uint8_t>(f[shb_len + 4]);
    f[shb_len + idb_len - 4] ^= 4;  // trailing length of the first IDB
    cases.push_back({"trailer", f, "trailing total length differs"});
  }
  {
    PcapngEncoder e;
    std::string f = e.SectionHeader();
    std::vector<uint8_t> d(10, 1);
    f += e.InterfaceDescription(1, 0);
    f += e.EnhancedPacket(1, 0, 10, d);
    cases.push_back({"undeclared interface", f, "interface 1 is not declared in this section"});
  }
  {
    PcapngEncoder e;
    std::string f = e.SectionHeader();
    f += e.InterfaceDescription(1, 0);
    std::string body(20, '\0');
    body[12] = 40;  // captured length 40 in a block with no data
    f += e.Block(6, body);
    cases.push_back({"caplen past block", f, "captured length 40 exceeds the block's 0"});
  }
  {
    PcapngEncoder e;
    std::string f = e.SectionHeader();
    std::string body(8, '\0');
    body += std::string("\x02\x00\x40\x00", 4);  // if_name of 64 bytes, none present
    f += e.Block(1, body);
    cases.push_back({"option overrun", f, "option 2 of 64 bytes runs past the block"});
  }
  {
    PcapngEncoder e;
    std::string f = e.InterfaceDescription(1, 0);
    cases.push_back({"no SHB", f, "neither pcap nor pcapng"});
  }
  {
    PcapngEncoder e;
    const PcapngOption bad[] = {PcapngOption{9, "ab"}};
    std::string f = e.SectionHeader() + e.InterfaceDescription(1, 0, bad);
    cases.push_back({"tsresol", f, "if_tsresol is not 1 byte"});
  }
  {
    PcapngEncoder e;
    std::string f = e.SectionHeader();
    std::string body;
    Put16(body, 1, false);
    Put16(body, 0, false);
    Put32(body, 0, false);
    PcapngOption offset{14, std::string()};
    Put64(offset.value, static_cast<uint64_t>(-5'000'000'000ll), false);
    const PcapngOption opts[] = {offset};
    f += e.InterfaceDescription(1, 0, opts);
    std::vector<uint8_t> d(4, 0);
    f += e.EnhancedPacket(0, 5, 4, d);
    cases.push_back({"time before 1970", f, "timestamp is before 1970"});
  }
  for (const Case& c : cases) {
    absl::Status s = ParseStatus(c.file);
    EXPECT_FALSE(s.ok()) << c.name;
    EXPECT_THAT(std::string(s.message()), HasSubstr(c.message)) << c.name;
  }
}

TEST(SealCaptureTest, RandomCorruptionNeverCrashes) {
  std::vector<TestPacket> want;
  const std::string seeds[] = {testing::MixedPcapng(want),
                               ClassicPcap(true, true, testing::kLinkRaw, want)};
  std::mt19937 rng(7);
  for (const std::string& seed : seeds) {
    for (int round = 0; round < 3000; ++round) {
      std::string f = seed;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int i = 0; i < flips; ++i) f[rng() % f.size()] = static_cast<char>(rng());
      if (rng() % 4 == 0) f.resize(rng() % f.size());
      (void)ParseStatus(f);
    }
  }
}

// libpcap reads classic pcap and single-link-type pcapng; where it can, both readers
// must report the same packets.
std::vector<TestPacket> ReadWithLibpcap(const std::string& path, std::string* error) {
  char errbuf[PCAP_ERRBUF_SIZE];
  pcap_t* p =
      pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
  std::vector<TestPacket> got;
  if (p == nullptr) {
    *error = errbuf;
    return got;
  }
  struct pcap_pkthdr* h;
  const u_char* data;
  int r;
  while ((r = pcap_next_ex(p, &h, &data)) == 1) {
    got.push_back(TestPacket{uint64_t(h->ts.tv_sec) * 1'000'000'000 + uint64_t(h->ts.tv_usec),
                             h->len, static_cast<uint16_t>(pcap_datalink(p)),
                             std::vector<uint8_t>(data, data + h->caplen)});
  }
  if (r == -1) *error = pcap_geterr(p);
  pcap_close(p);
  return got;
}

TEST(SealCaptureTest, AgreesWithLibpcapWhereLibpcapCanRead) {
  testing::TempDir dir;
  std::vector<TestPacket> want;
  for (bool big : {false, true}) {
    for (bool nanos : {false, true}) {
      std::string file = ClassicPcap(big, nanos, testing::kLinkEthernet, want);
      testing::WriteFile(dir.File("c.pcap"), file);
      std::string error;
      auto theirs = ReadWithLibpcap(dir.File("c.pcap"), &error);
      EXPECT_EQ(error, "");
      ExpectSame(ReadAll(testing::Bytes(file)), theirs);
    }
  }
  {  // Single-interface pcapng, big-endian, nanosecond resolution.
    PcapngEncoder e(true);
    const PcapngOption ns[] = {U8Option(9, 9)};
    std::string file = e.SectionHeader() + e.InterfaceDescription(1, 65535, ns);
    for (int i = 0; i < 10; ++i) {
      auto f = testing::UdpFrame(1, 64 + i, 1, 2, 3, 4, i);
      file += e.EnhancedPacket(0, 1700000000'000000000ull + i, 64 + i, f);
    }
    testing::WriteFile(dir.File("c.pcapng"), file);
    std::string error;
    auto theirs = ReadWithLibpcap(dir.File("c.pcapng"), &error);
    EXPECT_EQ(error, "");
    ExpectSame(ReadAll(testing::Bytes(file)), theirs);
  }
  {  // libpcap cuts a record longer than the snap length; the sealed bytes must be stored ones.
    testing::PcapWriter w(testing::kLinkEthernet, false, false, /*snap_length=*/100);
    auto f = testing::UdpFrame(testing::kLinkEthernet, 150, 1, 2, 3, 4, 5);
    w.Add(1'000'000'000, 150, f);
    testing::WriteFile(dir.File("long.pcap"), w.bytes());
    std::string error;
    auto theirs = ReadWithLibpcap(dir.File("long.pcap"), &error);
    ASSERT_EQ(theirs.size(), 1u);
    EXPECT_EQ(theirs[0].data.size(), 100u);
    auto ours = ReadAll(testing::Bytes(w.bytes()));
    ASSERT_EQ(ours.size(), 1u);
    EXPECT_EQ(ours[0].data, f);
  }
  {  // libpcap refuses what the mixed capture is made of: why accord parses itself.
    testing::WriteFile(dir.File("mixed.pcapng"), testing::MixedPcapng(want));
    std::string error;
    auto theirs = ReadWithLibpcap(dir.File("mixed.pcapng"), &error);
    EXPECT_THAT(error, HasSubstr("different from the type of the first interface"));
    EXPECT_LT(theirs.size(), want.size());
  }
}

class RecordingObserver : public ByteObserver {
 public:
  // Copies lazily, when the source says it will reuse the buffer: checks that the
  // bytes stay valid until then.
  uint64_t Observe(std::span<const uint8_t> bytes) override {
    pending.push_back(bytes);
    return ++tickets;
  }
  void WaitFor(uint64_t ticket) override {
    ++waits;
    while (copied < ticket) {
      const auto& b = pending[copied++];
      seen.append(reinterpret_cast<const char*>(b.data()), b.size());
    }
  }
  std::vector<std::span<const uint8_t>> pending;
  uint64_t tickets = 0, copied = 0;
  std::string seen;
  int waits = 0;
};

TEST(SealByteSourceTest, ObserverSeesEveryByteOnceInOrder) {
  testing::TempDir dir;
  std::string data(100000, '\0');
  std::mt19937 rng(1);
  for (char& c : data) c = static_cast<char>(rng());
  testing::WriteFile(dir.File("f"), data);
  RecordingObserver obs;
  auto source = *ByteSource::OpenFile(dir.File("f"), &obs, 4096);
  EXPECT_EQ(source->size(), data.size());
  // Peeks of assorted sizes, some larger than the buffer, and skips past it.
  size_t pos = 0;
  while (pos < data.size()) {
    const size_t n = 1 + rng() % 9000;
    auto view = source->Peek(n);
    ASSERT_TRUE(view.ok());
    ASSERT_EQ(std::string(reinterpret_cast<const char*>(view->data()), view->size()),
              data.substr(pos, n));
    const size_t skip = rng() % 2 ? view->size() : std::min(data.size() - pos, n + 5000);
    ASSERT_TRUE(source->Skip(skip).ok());
    pos += skip;
    ASSERT_EQ(source->offset(), pos);
  }
  EXPECT_TRUE(absl::IsOutOfRange(source->Skip(1)));
  EXPECT_TRUE(absl::IsFailedPrecondition(source->Seek(0)));
  source.reset();  // waits for every ticket
  EXPECT_EQ(obs.seen, data);
  EXPECT_GT(obs.waits, 0);
}

TEST(SealByteSourceTest, SeeksAndReportsMissingFiles) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("f"), "0123456789");
  auto source = *ByteSource::OpenFile(dir.File("f"), nullptr, 4096);
  ASSERT_TRUE(source->Seek(7).ok());
  EXPECT_EQ(util::AsChars(*source->Peek(10)), "789");
  ASSERT_TRUE(source->Seek(2).ok());
  EXPECT_EQ(util::AsChars(*source->Peek(3)), "234");
  EXPECT_TRUE(absl::IsNotFound(ByteSource::OpenFile(dir.File("nope")).status()));
  auto mem = ByteSource::FromMemory(testing::Bytes("abc"));
  EXPECT_TRUE(absl::IsOutOfRange(mem->Seek(4)));
  EXPECT_TRUE(absl::IsOutOfRange(mem->Skip(4)));
}

}  // namespace
}  // namespace accord::seal
