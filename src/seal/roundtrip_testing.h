// Test fixture for seal's round trips: a key, a log in a temporary folder, captures
// sealed and logged, disclosures written, verified and tampered with block by block.
#ifndef ACCORD_SEAL_ROUNDTRIP_TESTING_H_
#define ACCORD_SEAL_ROUNDTRIP_TESTING_H_

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <random>

#include "src/log/log.h"
#include "src/seal/bytes.h"
#include "src/seal/seal.h"
#include "src/seal/sidecar.h"
#include "src/seal/testing.h"
#include "src/store/log_storage.h"
#include "src/util/encoding.h"

namespace accord::seal::testing {

using ::testing::HasSubstr;

// A pcapng's blocks, to tamper with (little-endian files only: disclosures are).
struct Block {
  uint32_t type;
  std::string body;
};
inline std::vector<Block> SplitBlocks(const std::string& file) {
  std::vector<Block> out;
  for (size_t pos = 0; pos + 12 <= file.size();) {
    const auto* p = reinterpret_cast<const uint8_t*>(file.data() + pos);
    const uint32_t total = Load32(p + 4, false);
    out.push_back(Block{Load32(p, false), file.substr(pos + 8, total - 12)});
    pos += total;
  }
  return out;
}
inline std::string JoinBlocks(const std::vector<Block>& blocks) {
  PcapngEncoder e(false);
  std::string out;
  for (const Block& b : blocks) out += e.Block(b.type, b.body);
  return out;
}
inline bool IsPacket(const Block& b) { return b.type == 6; }
inline bool IsRecord(const Block& b, uint8_t kind) {
  return b.type == kCustomBlockNoCopy && b.body.size() > 30 &&
         b.body[29] == static_cast<char>(kind);
}

// Many packets over Ethernet and raw IP, to give tiles and a tail.
inline std::string BigPcapng(int n, std::vector<TestPacket>& want) {
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
inline void ExpectTsharkReads(const std::string& path, size_t packets) {
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

}  // namespace accord::seal::testing

#endif  // ACCORD_SEAL_ROUNDTRIP_TESTING_H_
