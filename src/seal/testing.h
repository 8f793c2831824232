// Test helpers for seal: captures built byte by byte (classic pcap in either byte order
// and timestamp precision; pcapng through PcapngEncoder), synthetic packets, files.
#ifndef ACCORD_SEAL_TESTING_H_
#define ACCORD_SEAL_TESTING_H_

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/seal/bytes.h"
#include "src/seal/pcapng_writer.h"
#include "src/test/temp_dir.h"

namespace accord::seal::testing {

inline constexpr uint16_t kLinkEthernet = 1;
inline constexpr uint16_t kLinkRaw = 101;  // LINKTYPE_RAW: IPv4/IPv6, no link header
inline constexpr uint16_t kLinkNull = 0;   // BSD loopback
inline constexpr uint16_t kLinkLinuxSll = 113;

// A packet as a test means it: what the reader must report.
struct TestPacket {
  uint64_t time_ns = 0;
  uint32_t original_length = 0;
  uint16_t link_type = kLinkEthernet;
  std::vector<uint8_t> data;
};

// An Ethernet/IPv4/UDP frame (or the bare IPv4/UDP datagram for LINKTYPE_RAW) of
// `size` bytes from 10.0.0.<src> port <sport> to 10.0.1.<dst> port <dport>, with the
// payload filled from `seed`. size ≥ 42 (Ethernet) or ≥ 28 (raw).
inline std::vector<uint8_t> UdpFrame(uint16_t link_type, size_t size, uint8_t src, uint8_t dst,
                                     uint16_t sport, uint16_t dport, uint32_t seed) {
  std::vector<uint8_t> f;
  if (link_type == kLinkEthernet) {
    const uint8_t eth[14] = {2, 0, 0, 0, 1, dst, 2, 0, 0, 0, 0, src, 0x08, 0x00};
    f.assign(eth, eth + 14);
  } else if (link_type == kLinkNull) {
    f = {2, 0, 0, 0};  // AF_INET, host order of a little-endian writer
  }
  const size_t ip_len = size - f.size();
  const uint8_t ip[20] = {0x45,
                          0,
                          static_cast<uint8_t>(ip_len >> 8),
                          static_cast<uint8_t>(ip_len),
                          0,
                          1,
                          0,
                          0,
                          64,
                          17,
                          0,
                          0,
                          10,
                          0,
                          0,
                          src,
                          10,
                          0,
                          1,
                          dst};
  f.insert(f.end(), ip, ip + 20);
  const size_t udp_len = ip_len - 20;
  const uint8_t udp[8] = {static_cast<uint8_t>(sport >> 8),
                          static_cast<uint8_t>(sport),
                          static_cast<uint8_t>(dport >> 8),
                          static_cast<uint8_t>(dport),
                          static_cast<uint8_t>(udp_len >> 8),
                          static_cast<uint8_t>(udp_len),
                          0,
                          0};
  f.insert(f.end(), udp, udp + 8);
  std::mt19937 rng(seed);
  while (f.size() < size) f.push_back(static_cast<uint8_t>(rng()));
  return f;
}

// Classic pcap, written in either byte order at micro- or nanosecond precision.
class PcapWriter {
 public:
  PcapWriter(uint16_t link_type, bool big_endian, bool nanosecond, uint32_t snap_length = 65535)
      : big_(big_endian), nanos_(nanosecond) {
    Put32(out_, nanosecond ? 0xA1B23C4D : 0xA1B2C3D4, big_);
    Put16(out_, 2, big_);
    Put16(out_, 4, big_);
    Put32(out_, 0, big_);  // thiszone
    Put32(out_, 0, big_);  // sigfigs
    Put32(out_, snap_length, big_);
    Put32(out_, link_type, big_);
  }
  // time_ns is rounded down to the file's precision.
  void Add(uint64_t time_ns, uint32_t original_length, std::span<const uint8_t> data) {
    Put32(out_, static_cast<uint32_t>(time_ns / 1'000'000'000), big_);
    const uint64_t frac = time_ns % 1'000'000'000;
    Put32(out_, static_cast<uint32_t>(nanos_ ? frac : frac / 1000), big_);
    Put32(out_, static_cast<uint32_t>(data.size()), big_);
    Put32(out_, original_length, big_);
    PutBytes(out_, data);
  }
  const std::string& bytes() const { return out_; }

 private:
  bool big_, nanos_;
  std::string out_;
};

using TempDir = test::TempDir;

inline void WriteFile(const std::string& path, std::string_view data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

inline std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// A mixed pcapng: two sections (little-, then big-endian); interfaces with Ethernet,
// raw IP and BSD loopback link types, different snap lengths and timestamp resolutions
// (µs default, ns, 2^-20 s, with an if_tsoffset); EPBs, an SPB and an obsolete PB;
// unknown and custom blocks between them; some packets truncated by the snap length.
// `expected` receives what a reader must report, in order.
inline std::string MixedPcapng(std::vector<TestPacket>& expected) {
  expected.clear();
  std::string out;
  auto add = [&](uint64_t ns, uint16_t link, uint32_t orig, std::vector<uint8_t> data) {
    expected.push_back(TestPacket{ns, orig, link, std::move(data)});
  };
  {  // Section 0, little-endian.
    PcapngEncoder le(false);
    const PcapngOption shb[] = {TextOption(2, "test hardware"), TextOption(3, "test os"),
                                TextOption(4, "accord tests")};
    out += le.SectionHeader(shb);
    const PcapngOption eth[] = {TextOption(2, "eth0")};
    out += le.InterfaceDescription(kLinkEthernet, 65535, eth);  // µs
    const PcapngOption raw[] = {U8Option(9, 9), TextOption(3, "raw ip, 96-byte snap")};
    out += le.InterfaceDescription(kLinkRaw, 96, raw);  // ns
    PcapngOption offset{14, std::string()};
    Put64(offset.value, 1000, false);
    const PcapngOption null[] = {U8Option(9, 0x94), offset};  // 2^-20 s, +1000 s
    out += le.InterfaceDescription(kLinkNull, 0, null);

    auto f0 = UdpFrame(kLinkEthernet, 80, 1, 2, 1000, 53, 1);
    out += le.EnhancedPacket(0, 1700000000123456ull, 80, f0);
    add(1700000000123456000ull, kLinkEthernet, 80, f0);

    auto f1 = UdpFrame(kLinkRaw, 200, 3, 4, 2000, 80, 2);
    std::vector<uint8_t> f1cut(f1.begin(), f1.begin() + 96);
    out += le.EnhancedPacket(1, 1700000000987654321ull, 200, f1cut);
    add(1700000000987654321ull, kLinkRaw, 200, f1cut);

    out += le.Block(0x80000001, "a local block type a reader must skip");

    auto f2 = UdpFrame(kLinkNull, 64, 5, 6, 3000, 443, 3);
    out += le.EnhancedPacket(2, (5ull << 20) + (1ull << 19), 64, f2);
    add(1005500000000ull, kLinkNull, 64, f2);

    out += le.Custom(kCustomBlockCopyable, 32473, "someone else's custom block");

    auto f3 = UdpFrame(kLinkEthernet, 60, 7, 8, 4000, 22, 4);
    std::string spb;
    Put32(spb, 60, false);
    PutBytes(spb, f3);
    out += le.Block(kSimplePacketBlock, spb);
    add(0, kLinkEthernet, 60, f3);

    auto f4 = UdpFrame(kLinkRaw, 50, 9, 10, 5000, 25, 5);
    std::string pb;
    Put16(pb, 1, false);  // interface
    Put16(pb, 0, false);  // drops
    Put32(pb, 0, false);
    Put32(pb, 42, false);  // 42 ns
    Put32(pb, 50, false);
    Put32(pb, 50, false);
    PutBytes(pb, f4);
    out += le.Block(2, pb);
    add(42, kLinkRaw, 50, f4);
  }
  {  // Section 1, big-endian.
    PcapngEncoder be(true);
    out += be.SectionHeader();
    const PcapngOption ms[] = {U8Option(9, 3)};
    out += be.InterfaceDescription(kLinkLinuxSll, 262144, ms);
    const PcapngOption ps[] = {U8Option(9, 12)};
    out += be.InterfaceDescription(kLinkEthernet, 1514, ps);

    std::vector<uint8_t> f5(16, 0x11);
    auto ip = UdpFrame(kLinkRaw, 100, 11, 12, 6000, 123, 6);
    f5.insert(f5.end(), ip.begin(), ip.end());
    out += be.EnhancedPacket(0, 1700000001000ull, 116, f5);
    add(1700000001000000000ull, kLinkLinuxSll, 116, f5);

    auto f6 = UdpFrame(kLinkEthernet, 1514, 13, 14, 7000, 8080, 7);
    out += be.EnhancedPacket(1, 1234567ull, 9000, f6);  // truncated jumbo frame
    add(1234, kLinkEthernet, 9000, f6);
  }
  return out;
}

}  // namespace accord::seal::testing

#endif  // ACCORD_SEAL_TESTING_H_
