// Round trips seal → log → disclose → verify over captures of every kind the tests can
// write, and every class of tampering with a disclosure, capture or sidecar.
#include "src/seal/seal.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "src/log/log.h"
#include "src/seal/bytes.h"
#include "src/seal/sidecar.h"
#include "src/seal/testing.h"
#include "src/statement/statement.h"
#include "src/store/log_storage.h"
#include "src/util/encoding.h"

namespace accord::seal {
namespace {

using ::testing::HasSubstr;
using testing::TestPacket;

// A pcapng's blocks, to tamper with (little-endian files only: disclosures are).
struct Block {
  uint32_t type;
  std::string body;
};
std::vector<Block> SplitBlocks(const std::string& file) {
  std::vector<Block> out;
  for (size_t pos = 0; pos + 12 <= file.size();) {
    const auto* p = reinterpret_cast<const uint8_t*>(file.data() + pos);
    const uint32_t total = Load32(p + 4, false);
    out.push_back(Block{Load32(p, false), file.substr(pos + 8, total - 12)});
    pos += total;
  }
  return out;
}
std::string JoinBlocks(const std::vector<Block>& blocks) {
  PcapngEncoder e(false);
  std::string out;
  for (const Block& b : blocks) out += e.Block(b.type, b.body);
  return out;
}
bool IsPacket(const Block& b) { return b.type == 6; }
bool IsRecord(const Block& b, uint8_t kind) {
  return b.type == kCustomBlockNoCopy && b.body.size() > 30 &&
         b.body[29] == static_cast<char>(kind);
}

// Many packets over Ethernet and raw IP, to give tiles and a tail.
std::string BigPcapng(int n, std::vector<TestPacket>& want) {
  PcapngEncoder e(false);
  const PcapngOption ns[] = {U8Option(9, 9)};
  std::string out = e.SectionHeader() + e.InterfaceDescription(testing::kLinkEthernet, 0, ns) +
                    e.InterfaceDescription(testing::kLinkRaw, 200);
  std::mt19937 rng(9);
  for (int i = 0; i < n; ++i) {
    const bool raw = i % 7 == 3;
    const uint16_t link = raw ? testing::kLinkRaw : testing::kLinkEthernet;
    auto f = testing::UdpFrame(link, 60 + rng() % 1400, static_cast<uint8_t>(i % 9), 2,
                               static_cast<uint16_t>(1000 + i % 50), i % 3 ? 443 : 53, i);
    const uint32_t orig = static_cast<uint32_t>(f.size());
    if (raw && f.size() > 200) f.resize(200);
    const uint64_t ns_time = 1700000000'000000000ull + uint64_t(i) * 1'000'003ull;
    out += e.EnhancedPacket(raw ? 1 : 0, raw ? ns_time / 1000 : ns_time, orig, f);
    want.push_back(TestPacket{raw ? ns_time / 1000 * 1000 : ns_time, orig, link, f});
  }
  return out;
}

class SealRoundTrip : public ::testing::Test {
 protected:
  void SetUp() override {
    pair_ = *note::GenerateKey("cert.example.ee/log");
    signer_ = std::make_unique<note::Ed25519Signer>(*note::NewSigner(pair_.private_key));
    verifier_ = *note::NewVerifier(pair_.verifier_key);
    log_dir_ = dir_.File("log");
    log_ = *log::Log::Create(std::make_unique<store::PosixLogStorage>(log_dir_), *signer_);
  }

  // Seals `file` (written as `name`) and appends the statement to the log.
  void SealAndLog(const std::string& name, const std::string& file) {
    capture_ = dir_.File(name);
    testing::WriteFile(capture_, file);
    SealRequest req;
    req.capture_path = capture_;
    req.custody.collector_role = "incident handler";
    req.custody.sensor = "tap-01";
    auto sealed = seal::Seal(req, *signer_);
    ASSERT_TRUE(sealed.ok()) << sealed.status();
    sealed_ = *std::move(sealed);
    const std::span<const uint8_t> entry[] = {util::AsBytes(sealed_.statement)};
    ASSERT_TRUE(log_->Append(entry).ok());
  }

  absl::StatusOr<DiscloseResult> DiscloseTo(const std::string& out, Selector& selector,
                                            const std::string& sidecar = "") {
    auto folder = OpenLogFolder(log_dir_, nullptr);
    EXPECT_TRUE(folder.ok());
    EvidenceQuery q;
    q.statement = sealed_.statement;
    auto evidence = ResolveEvidence(**folder, q);
    if (!evidence.ok()) return evidence.status();
    DiscloseRequest req;
    req.capture_path = capture_;
    req.sidecar_path = sidecar;
    req.evidence = *evidence;
    req.out_path = out;
    return Disclose(req, selector);
  }

  absl::StatusOr<DisclosureReport> Verify(const std::string& path, bool with_log = true) {
    std::unique_ptr<EvidenceLog> folder;
    if (with_log) folder = *OpenLogFolder(log_dir_, verifier_.get());
    return VerifyDisclosure(path, *verifier_, folder.get());
  }

  // Discloses packets `list`, tampers with the file's blocks, expects `code` and `text`.
  void ExpectTamperingFails(const std::string& list,
                            const std::function<void(std::vector<Block>&)>& tamper,
                            absl::StatusCode code, std::string_view text) {
    Selector sel;
    sel.packets = *ParsePacketList(list);
    const std::string out = dir_.File("tampered.pcapng");
    ASSERT_TRUE(DiscloseTo(out, sel).ok());
    auto blocks = SplitBlocks(testing::ReadFile(out));
    tamper(blocks);
    testing::WriteFile(out, JoinBlocks(blocks));
    for (bool with_log : {true, false}) {
      auto r = Verify(out, with_log);
      EXPECT_EQ(r.status().code(), code) << r.status();
      EXPECT_THAT(std::string(r.status().message()), HasSubstr(std::string(text)));
    }
  }

  testing::TempDir dir_;
  note::KeyPair pair_;
  std::unique_ptr<note::Ed25519Signer> signer_;
  std::unique_ptr<note::Verifier> verifier_;
  std::string log_dir_, capture_;
  std::unique_ptr<log::Log> log_;
  SealResult sealed_;
};

// tshark, where installed, must open every disclosure and see its packets.
void ExpectTsharkReads(const std::string& path, size_t packets) {
  if (std::system("tshark --version >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "tshark is not installed: skipping the independent reader check";
  }
  // Custom blocks show up as records of their own; packets carry accord's comment.
  const std::string cmd = absl::StrCat("tshark -r '", path,
                                       "' -Y 'frame.comment contains \"accord: sealed packet\"' "
                                       "2>/dev/null | wc -l");
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[64] = {};
  ASSERT_NE(fgets(buf, sizeof buf, p), nullptr);
  EXPECT_EQ(pclose(p), 0);
  EXPECT_EQ(std::strtoull(buf, nullptr, 10), packets) << path;
  const std::string check = absl::StrCat("tshark -r '", path, "' -q >/dev/null 2>&1");
  EXPECT_EQ(std::system(check.c_str()), 0) << "tshark cannot read " << path;
}

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

TEST_F(SealRoundTrip, EvidenceReferencesResolve) {
  std::vector<TestPacket> want;
  SealAndLog("big.pcapng", BigPcapng(10, want));
  auto folder = *OpenLogFolder(log_dir_, nullptr);
  const tlog::Hash leaf = statement::LeafHashOf(sealed_.statement);
  for (const std::string ref : {std::string("0"), std::string("cert.example.ee/log@0"),
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
