// The grid scenario's synthetic captures: read back by seal's reader and, independently,
// by tshark (valid checksums, no malformed packets, the expected protocols); the BPF
// filters select exactly each phase; generation is deterministic and scales; the attack's
// flows appear in both captures with the same 5-tuples and consistent times.
#include "src/drill/synthetic.h"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/crypto/sha256.h"
#include "src/seal/byte_source.h"
#include "src/seal/capture.h"
#include "src/seal/select.h"
#include "src/seal/testing.h"
#include "src/util/encoding.h"

namespace accord::drill {
namespace {

using seal::testing::TempDir;

constexpr uint64_t kSeed = 20261127;

struct Parsed {
  std::vector<seal::Packet> packets;  // data copied into `bytes`
  std::vector<std::string> bytes;
  std::vector<seal::Interface> interfaces;
};

Parsed Read(const std::string& path) {
  Parsed out;
  auto source = seal::ByteSource::OpenFile(path);
  EXPECT_TRUE(source.ok()) << source.status();
  if (!source.ok()) return out;
  auto reader = seal::CaptureReader::Open(**source);
  EXPECT_TRUE(reader.ok()) << reader.status();
  if (!reader.ok()) return out;
  while (true) {
    auto packet = (*reader)->Next();
    EXPECT_TRUE(packet.ok()) << packet.status();
    if (!packet.ok() || !packet->has_value()) break;
    out.bytes.emplace_back(reinterpret_cast<const char*>((*packet)->data.data()),
                           (*packet)->data.size());
    out.packets.push_back(**packet);
    out.packets.back().data = {};
  }
  out.interfaces = (*reader)->interfaces();
  return out;
}

// Packets of `parsed` that pass `filter`, by index.
std::vector<size_t> Select(const Parsed& parsed, const std::string& filter) {
  auto bpf = seal::BpfFilter::Create(filter);
  EXPECT_TRUE(bpf.ok()) << filter << ": " << bpf.status();
  std::vector<size_t> out;
  if (!bpf.ok()) return out;
  for (size_t i = 0; i < parsed.packets.size(); ++i) {
    seal::Packet p = parsed.packets[i];
    p.data = seal::testing::Bytes(parsed.bytes[i]);
    if ((*bpf)->Matches(p)) out.push_back(i);
  }
  return out;
}

struct Command {
  int code = -1;
  std::string out;
};
Command RunCommand(const std::string& cmd) {
  Command result;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen((cmd + " 2>/dev/null").c_str(), "r"), pclose);
  if (!pipe) return result;
  std::array<char, 65536> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe.get())) > 0) result.out.append(buf.data(), n);
  result.code = pclose(pipe.release());
  return result;
}
bool HaveTshark() { return RunCommand("tshark --version").code == 0; }

// An IPv4 TCP/UDP packet's identity across taps: 5-tuple, IP ID, TCP sequence and flags.
using Key =
    std::tuple<uint8_t, uint32_t, uint16_t, uint32_t, uint16_t, uint16_t, uint32_t, uint8_t>;
Key KeyOf(std::string_view frame) {
  auto u8 = [&](size_t o) { return uint8_t(frame[o]); };
  auto u16 = [&](size_t o) { return uint16_t(u8(o) << 8 | u8(o + 1)); };
  auto u32 = [&](size_t o) { return uint32_t(u16(o)) << 16 | u16(o + 2); };
  const size_t ip = 14, l4 = 14 + (u8(ip) & 15) * 4;
  const uint8_t proto = u8(ip + 9);
  return {proto,
          u32(ip + 12),
          u16(l4),
          u32(ip + 16),
          u16(l4 + 2),
          u16(ip + 4),
          proto == 6 ? u32(l4 + 4) : 0,
          proto == 6 ? u8(l4 + 13) : uint8_t(0)};
}

class SyntheticTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    scenario_ = new GridScenario(DefaultGridScenario(absl::FromUnixSeconds(1773262800)));
    const auto t0 = std::chrono::steady_clock::now();
    auto sensor = WriteSensorCapture(dir_->File("sensor.pcapng"), *scenario_, kSeed);
    auto server = WriteServerCapture(dir_->File("server.pcap"), *scenario_, kSeed);
    elapsed_ms_ =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_TRUE(sensor.ok()) << sensor.status();
    ASSERT_TRUE(server.ok()) << server.status();
    sensor_summary_ = new CaptureSummary(*sensor);
    server_summary_ = new CaptureSummary(*server);
    // ACCORD_SYNTHETIC_KEEP=<folder> keeps a copy of both captures, to open in Wireshark.
    if (const char* keep = std::getenv("ACCORD_SYNTHETIC_KEEP")) {
      std::filesystem::create_directories(keep);
      for (const char* name : {"sensor.pcapng", "server.pcap"}) {
        std::filesystem::copy_file(dir_->File(name), std::filesystem::path(keep) / name,
                                   std::filesystem::copy_options::overwrite_existing);
      }
    }
    sensor_ = new Parsed(Read(dir_->File("sensor.pcapng")));
    server_ = new Parsed(Read(dir_->File("server.pcap")));
  }
  static void TearDownTestSuite() {
    delete sensor_;
    delete server_;
    delete sensor_summary_;
    delete server_summary_;
    delete scenario_;
    delete dir_;
  }

  static inline TempDir* dir_ = nullptr;
  static inline GridScenario* scenario_ = nullptr;
  static inline CaptureSummary* sensor_summary_ = nullptr;
  static inline CaptureSummary* server_summary_ = nullptr;
  static inline Parsed* sensor_ = nullptr;
  static inline Parsed* server_ = nullptr;
  static inline double elapsed_ms_ = 0;
};

TEST_F(SyntheticTest, SizesAndPhases) {
  std::printf("sensor: %llu packets, %llu bytes;", (unsigned long long)sensor_summary_->packets,
              (unsigned long long)sensor_summary_->bytes);
  for (auto& [phase, n] : sensor_summary_->by_phase) {
    std::printf(" %s %llu", phase.c_str(), (unsigned long long)n);
  }
  std::printf("\nserver: %llu packets, %llu bytes;", (unsigned long long)server_summary_->packets,
              (unsigned long long)server_summary_->bytes);
  for (auto& [phase, n] : server_summary_->by_phase) {
    std::printf(" %s %llu", phase.c_str(), (unsigned long long)n);
  }
  std::printf("\ngenerated both in %.1f ms\n", elapsed_ms_);
  for (const CaptureSummary* s : {sensor_summary_, server_summary_}) {
    EXPECT_GE(s->packets, 2000u);
    EXPECT_LE(s->packets, 20000u);
    uint64_t sum = 0;
    for (auto& [phase, n] : s->by_phase) sum += n;
    EXPECT_EQ(sum, s->packets);
    for (const char* phase : {kPhaseBenign, kPhaseScan, kPhaseExploit, kPhaseC2}) {
      EXPECT_GT(s->by_phase.count(phase) ? s->by_phase.at(phase) : 0, 0u) << phase;
    }
  }
  EXPECT_EQ(sensor_summary_->by_phase.count(kPhaseOperator), 0u);
  EXPECT_GT(server_summary_->by_phase.at(kPhaseOperator), 0u);
  EXPECT_LT(elapsed_ms_, 5000);  // ~tens of ms in a release build; sanitizers are slower
}

TEST_F(SyntheticTest, ProjectReaderReadsBoth) {
  ASSERT_EQ(sensor_->packets.size(), sensor_summary_->packets);
  ASSERT_EQ(server_->packets.size(), server_summary_->packets);
  ASSERT_EQ(sensor_->interfaces.size(), 2u);
  EXPECT_EQ(sensor_->interfaces[0].name, "edge0");
  EXPECT_EQ(sensor_->interfaces[1].name, "ot0");
  ASSERT_EQ(server_->interfaces.size(), 1u);
  for (const Parsed* p : {sensor_, server_}) {
    for (size_t i = 0; i < p->packets.size(); ++i) {
      EXPECT_EQ(p->packets[i].link_type, 1);
      EXPECT_EQ(p->packets[i].original_length, p->bytes[i].size());
      if (i > 0) {
        ASSERT_GE(p->packets[i].time_ns, p->packets[i - 1].time_ns) << i;
      }
    }
  }
  EXPECT_EQ(sensor_->packets.front().time_ns, sensor_summary_->first_ns);
  EXPECT_EQ(sensor_->packets.back().time_ns, sensor_summary_->last_ns);
  EXPECT_GE(sensor_summary_->first_ns, uint64_t(1773262800) * 1000000000);
}

TEST_F(SyntheticTest, FiltersSelectExactlyEachPhase) {
  const GridScenario& sc = *scenario_;
  struct Case {
    const Parsed* capture;
    const CaptureSummary* summary;
    std::string filter;
    std::vector<const char*> phases;
  };
  const Case cases[] = {
      {sensor_, sensor_summary_, sc.scan_filter, {kPhaseScan}},
      {sensor_, sensor_summary_, sc.exploit_filter, {kPhaseExploit}},
      {sensor_, sensor_summary_, sc.c2_filter, {kPhaseC2}},
      {sensor_, sensor_summary_, sc.attack_filter, {kPhaseScan, kPhaseExploit, kPhaseC2}},
      {server_, server_summary_, sc.scan_filter, {kPhaseScan}},
      {server_, server_summary_, sc.exploit_filter, {kPhaseExploit}},
      {server_, server_summary_, sc.c2_filter, {kPhaseC2}},
      {server_, server_summary_, sc.victim_filter, {kPhaseScan, kPhaseExploit, kPhaseC2}},
      {server_, server_summary_, sc.operator_filter, {kPhaseOperator}},
  };
  for (const Case& c : cases) {
    uint64_t want = 0;
    for (const char* phase : c.phases) want += c.summary->by_phase.at(phase);
    EXPECT_EQ(Select(*c.capture, c.filter).size(), want) << c.filter;
  }
}

TEST_F(SyntheticTest, AttackFlowsAppearInBothWithConsistentTimes) {
  const GridScenario& sc = *scenario_;
  std::map<Key, uint64_t> at_sensor;
  for (size_t i : Select(*sensor_, sc.attack_filter)) {
    EXPECT_TRUE(at_sensor.emplace(KeyOf(sensor_->bytes[i]), sensor_->packets[i].time_ns).second);
  }
  const std::vector<size_t> at_server = Select(*server_, sc.victim_filter);
  ASSERT_EQ(at_server.size(), at_sensor.size());
  const uint32_t attacker = (198u << 24) | (51u << 16) | (100u << 8) | 23u;
  const int64_t latency = absl::ToInt64Nanoseconds(sc.one_way_latency);
  const int64_t offset = absl::ToInt64Nanoseconds(sc.server_clock_offset);
  for (size_t i : at_server) {
    const Key key = KeyOf(server_->bytes[i]);
    auto it = at_sensor.find(key);
    ASSERT_NE(it, at_sensor.end()) << "packet " << i + 1 << " of the server capture";
    // Server clock = true + offset; a packet from the server reaches A's edge `latency`
    // later, one from A reaches the server `latency` later; the pcap keeps microseconds.
    const bool from_server = std::get<1>(key) == attacker;
    const int64_t want = int64_t(it->second) + (from_server ? -latency : latency) + offset;
    EXPECT_NEAR(double(int64_t(server_->packets[i].time_ns) - want), 0.0, 1000.0) << i;
  }
}

TEST_F(SyntheticTest, DeterministicAndScaled) {
  const std::string again = dir_->File("again.pcapng"), other = dir_->File("other.pcapng"),
                    big = dir_->File("big.pcap"), server_again = dir_->File("again.pcap");
  ASSERT_TRUE(WriteSensorCapture(again, *scenario_, kSeed).ok());
  ASSERT_TRUE(WriteServerCapture(server_again, *scenario_, kSeed).ok());
  EXPECT_EQ(seal::testing::ReadFile(again), seal::testing::ReadFile(dir_->File("sensor.pcapng")));
  EXPECT_EQ(seal::testing::ReadFile(server_again),
            seal::testing::ReadFile(dir_->File("server.pcap")));
  ASSERT_TRUE(WriteSensorCapture(other, *scenario_, kSeed + 1).ok());
  EXPECT_NE(seal::testing::ReadFile(other), seal::testing::ReadFile(again));

  auto big_sensor = WriteSensorCapture(dir_->File("big.pcapng"), *scenario_, kSeed, 3);
  auto big_server = WriteServerCapture(big, *scenario_, kSeed, 3);
  ASSERT_TRUE(big_sensor.ok() && big_server.ok());
  for (auto [small, large] :
       {std::pair{sensor_summary_, &*big_sensor}, std::pair{server_summary_, &*big_server}}) {
    EXPECT_GT(large->packets, small->packets * 5 / 2);
    EXPECT_LT(large->packets, small->packets * 7 / 2);
    EXPECT_EQ(large->by_phase.at(kPhaseScan) > 2 * small->by_phase.at(kPhaseScan), true);
  }
  EXPECT_EQ(Read(big).packets.size(), big_server->packets);
}

TEST_F(SyntheticTest, RejectsBadInput) {
  GridScenario sc = *scenario_;
  EXPECT_FALSE(WriteSensorCapture(dir_->File("x"), sc, kSeed, 0).ok());
  sc.attacker_server_ip = "198.51.100.300";
  EXPECT_FALSE(WriteServerCapture(dir_->File("x"), sc, kSeed).ok());
  sc = *scenario_;
  sc.compromised_host_ip = "192.0.2.5";  // outside the victim's network
  EXPECT_FALSE(WriteSensorCapture(dir_->File("x"), sc, kSeed).ok());
  EXPECT_FALSE(WriteSensorCapture(dir_->path() / "no" / "such" / "dir", *scenario_, kSeed).ok());
}

// The exact bytes of both captures for one fixed (start, seed, scale), so that a change
// to the generator's output is deliberate: a change that means to alter the captures
// updates these digests (and says why in its commit); a refactoring leaves them as they are.
TEST_F(SyntheticTest, GoldenDigests) {
  const GridScenario sc = DefaultGridScenario(absl::FromUnixSeconds(1773262800));
  const uint64_t seed = 20261127;
  const int scale = 2;
  const std::string sensor = dir_->File("golden.pcapng"), server = dir_->File("golden.pcap");
  ASSERT_TRUE(WriteSensorCapture(sensor, sc, seed, scale).ok());
  ASSERT_TRUE(WriteServerCapture(server, sc, seed, scale).ok());
  auto digest = [](const std::string& path) {
    return util::HexEncode(crypto::Sha256(seal::testing::ReadFile(path)));
  };
  EXPECT_EQ(digest(sensor), "ac251e0d7d9b534e0440052882516aed1ae4151191d233a7c8cd4c4471dffd0f");
  EXPECT_EQ(digest(server), "d4fe5ac41e6959cb6317c0640fc64d55caece1342ac4c29db2912d2d26ef1db7");
}

// tshark, an independent reader, sees the same packets, valid checksums, nothing
// malformed, and dissects the scenario's protocols.
TEST_F(SyntheticTest, TsharkDissectsCleanly) {
  if (!HaveTshark()) GTEST_SKIP() << "tshark is not installed";
  struct File {
    std::string path;
    uint64_t packets;
    std::vector<std::string> protocols;
  };
  const File files[] = {
      {dir_->File("sensor.pcapng"),
       sensor_summary_->packets,
       {"dns", "tls", "ntp", "mbtcp", "modbus", "http"}},
      {dir_->File("server.pcap"), server_summary_->packets, {"dns", "tls", "ntp", "http", "ssh"}},
  };
  const std::string checks =
      "-o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE";
  for (const File& f : files) {
    Command all = RunCommand(
        absl::StrCat("tshark -n -r '", f.path, "' ", checks, " -T fields -e frame.protocols"));
    ASSERT_EQ(all.code, 0) << f.path;
    std::set<std::string> seen;
    uint64_t lines = 0;
    for (size_t from = 0, at; (at = all.out.find('\n', from)) != std::string::npos; from = at + 1) {
      ++lines;
      const std::string line = all.out.substr(from, at - from);
      for (size_t p = 0, q; p <= line.size(); p = q + 1) {
        q = line.find(':', p);
        if (q == std::string::npos) q = line.size();
        seen.insert(line.substr(p, q - p));
      }
    }
    EXPECT_EQ(lines, f.packets) << f.path;
    for (const std::string& proto : f.protocols) EXPECT_TRUE(seen.count(proto)) << proto;
    Command bad = RunCommand(absl::StrCat(
        "tshark -n -r '", f.path, "' ", checks,
        " -Y 'ip.checksum.status == \"Bad\" || tcp.checksum.status == \"Bad\" || "
        "udp.checksum.status == \"Bad\" || _ws.malformed || _ws.expert.severity >= \"Error\"'"
        " -T fields -e frame.number -e _ws.col.Info"));
    ASSERT_EQ(bad.code, 0) << f.path;
    EXPECT_EQ(bad.out, "") << f.path;
    // Warnings: only the scan's resets, and tshark 4.0's note on Ed25519 host-key
    // signatures, which it does not decode (real OpenSSH handshakes draw it too).
    Command warnings = RunCommand(absl::StrCat("tshark -n -r '", f.path, "' -Y '",
                                               "_ws.expert.severity >= \"Warning\"' -T fields",
                                               " -e frame.number -e _ws.expert.message"));
    ASSERT_EQ(warnings.code, 0) << f.path;
    std::istringstream lines_in(warnings.out);
    for (std::string line; std::getline(lines_in, line);) {
      const std::string message = line.substr(line.find('\t') + 1);
      EXPECT_TRUE(message == "Connection reset (RST)" ||
                  message.find("but packet legnth is") != std::string::npos)
          << f.path << ": " << line;
    }
  }
}

}  // namespace
}  // namespace accord::drill
