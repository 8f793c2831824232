// The application payloads of the synthetic captures (synthetic_payloads.h).
#include "src/drill/synthetic_payloads.h"

#include <algorithm>

namespace accord::drill::synthetic_internal {
namespace {

// A DNS name in wire form (RFC 1035 §3.1), uncompressed.
std::string DnsName(std::string_view name) {
  std::string out;
  for (const std::string& label : Split(name, '.')) {
    out.push_back(char(label.size()));
    out += label;
  }
  out.push_back(0);
  return out;
}

// TLS framing (RFC 8446 §5.1, §4, §4.2): a record, an extension, a handshake message.
std::string TlsRecord(uint8_t type, std::string_view body, uint16_t version = 0x0303) {
  std::string r(1, char(type));
  Put16(r, version);
  Put16(r, uint16_t(body.size()));
  r += body;
  return r;
}
std::string TlsExtension(uint16_t type, std::string_view body) {
  std::string e;
  Put16(e, type);
  Put16(e, uint16_t(body.size()));
  e += body;
  return e;
}
std::string TlsHandshake(uint8_t type, std::string_view body) {
  std::string h(1, char(type));
  Put24(h, uint32_t(body.size()));
  h += body;
  return h;
}

// An NTP timestamp (RFC 5905 §6): seconds since 1900 and a 32-bit fraction.
std::string NtpTimestamp(int64_t unix_ns) {
  std::string out;
  const uint64_t secs = uint64_t(unix_ns / kSec) + 2208988800ull;
  const uint64_t frac = (uint64_t(unix_ns % kSec) << 32) / uint64_t(kSec);
  Put32(out, uint32_t(secs));
  Put32(out, uint32_t(frac));
  return out;
}

}  // namespace

// ---- DNS ----

std::string DnsQuery(uint16_t id, std::string_view name) {
  std::string m;
  Put16(m, id);
  Put16(m, 0x0100);  // RD
  Put16(m, 1);
  Put16(m, 0);
  Put16(m, 0);
  Put16(m, 0);
  m += DnsName(name);
  Put16(m, 1);
  Put16(m, 1);
  return m;
}
std::string DnsAnswer(uint16_t id, std::string_view name, const std::vector<uint32_t>& ips,
                      uint32_t ttl, bool authoritative) {
  std::string m;
  Put16(m, id);
  Put16(m, uint16_t((authoritative ? 0x8500 : 0x8180) | (ips.empty() ? 3 : 0)));
  Put16(m, 1);
  Put16(m, uint16_t(ips.size()));
  Put16(m, 0);
  Put16(m, 0);
  m += DnsName(name);
  Put16(m, 1);
  Put16(m, 1);
  for (uint32_t ip : ips) {
    Put16(m, 0xc00c);  // the question's name
    Put16(m, 1);
    Put16(m, 1);
    Put32(m, ttl);
    Put16(m, 4);
    Put32(m, ip);
  }
  return m;
}

// ---- TLS ----

// A TLS 1.3 ClientHello naming `sni` (a browser-like offer).
std::string TlsClientHello(Rng& rng, std::string_view sni, bool alpn_h2) {
  std::string hello;
  Put16(hello, 0x0303);
  hello += rng.Bytes(32);
  hello.push_back(32);
  hello += rng.Bytes(32);
  const uint16_t suites[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9};
  Put16(hello, uint16_t(sizeof(suites)));
  for (uint16_t s : suites) Put16(hello, s);
  hello += std::string("\x01\x00", 2);
  std::string ext, sni_list, name;
  Put16(name, uint16_t(sni.size()));
  name = std::string(1, '\0') + name + std::string(sni);
  Put16(sni_list, uint16_t(name.size()));
  ext += TlsExtension(0x0000, sni_list + name);
  ext += TlsExtension(0x000a, std::string("\x00\x06\x00\x1d\x00\x17\x00\x18", 8));
  ext += TlsExtension(0x000b, std::string("\x01\x00", 2));
  ext += TlsExtension(0x000d, std::string("\x00\x10\x04\x03\x08\x04\x04\x01\x05\x03\x08\x05"
                                          "\x05\x01\x08\x06\x06\x01",
                                          18));
  const std::string alpn = alpn_h2 ? std::string("\x00\x0c\x02h2\x08http/1.1", 14)
                                   : std::string("\x00\x09\x08http/1.1", 11);
  ext += TlsExtension(0x0010, alpn);
  ext += TlsExtension(0x002b, std::string("\x04\x03\x04\x03\x03", 5));
  ext += TlsExtension(0x002d, std::string("\x01\x01", 2));
  ext += TlsExtension(0x0033, std::string("\x00\x24\x00\x1d\x00\x20", 6) + rng.Bytes(32));
  Put16(hello, uint16_t(ext.size()));
  hello += ext;
  return TlsRecord(22, TlsHandshake(1, hello), 0x0301);
}

// The server's first flight: ServerHello, ChangeCipherSpec, then the encrypted rest of
// the handshake (EncryptedExtensions, Certificate, CertificateVerify, Finished).
std::string TlsServerFlight(Rng& rng, size_t encrypted_bytes) {
  std::string hello;
  Put16(hello, 0x0303);
  hello += rng.Bytes(32);
  hello.push_back(32);
  hello += rng.Bytes(32);  // (a real server echoes the client's session id; opaque here)
  Put16(hello, 0x1301);
  hello.push_back(0);
  std::string ext = TlsExtension(0x002b, std::string("\x03\x04", 2)) +
                    TlsExtension(0x0033, std::string("\x00\x1d\x00\x20", 4) + rng.Bytes(32));
  Put16(hello, uint16_t(ext.size()));
  hello += ext;
  return TlsRecord(22, TlsHandshake(2, hello)) + TlsRecord(20, std::string(1, '\x01')) +
         TlsRecord(23, rng.Bytes(encrypted_bytes));
}
std::string TlsClientFinish(Rng& rng) {
  return TlsRecord(20, std::string(1, '\x01')) + TlsRecord(23, rng.Bytes(53));
}
std::string TlsData(Rng& rng, size_t n) {
  std::string out;
  while (n > 0) {
    const size_t chunk = std::min<size_t>(n, 16401);
    out += TlsRecord(23, rng.Bytes(chunk));
    n -= chunk;
  }
  return out;
}

// ---- NTP, Modbus/TCP, HTTP ----

std::string NtpPacket(bool server, int64_t origin_ns, int64_t rx_ns, int64_t tx_ns,
                      uint32_t ref_id) {
  std::string p;
  p.push_back(server ? 0x24 : 0x23);     // LI 0, version 4, mode 4 / 3
  p.push_back(server ? 2 : 0);           // stratum
  p.push_back(6);                        // poll 2^6 s
  p.push_back(char(server ? 0xe9 : 0));  // precision
  Put32(p, server ? 0x00000a2c : 0);     // root delay
  Put32(p, server ? 0x00001b40 : 0);     // root dispersion
  Put32(p, server ? ref_id : 0);
  p += server ? NtpTimestamp(tx_ns - 40 * kSec) : std::string(8, '\0');
  p += server ? NtpTimestamp(origin_ns) : std::string(8, '\0');
  p += server ? NtpTimestamp(rx_ns) : std::string(8, '\0');
  p += NtpTimestamp(tx_ns);
  return p;
}

// Modbus/TCP (MBAP header, then the PDU).
std::string Modbus(uint16_t transaction, uint8_t unit, std::string_view pdu) {
  std::string m;
  Put16(m, transaction);
  Put16(m, 0);
  Put16(m, uint16_t(pdu.size() + 1));
  m.push_back(char(unit));
  m += pdu;
  return m;
}

std::string Http(std::string_view head, std::string_view body) {
  return std::string(head) + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         std::string(body);
}

// ---- SSH ----

// SSH binary packet (RFC 4253 §6), unencrypted: padding to a multiple of 8, at least 4.
std::string SshPacket(std::string_view payload) {
  size_t pad = 8 - (5 + payload.size()) % 8;
  if (pad < 4) pad += 8;
  std::string p;
  Put32(p, uint32_t(1 + payload.size() + pad));
  p.push_back(char(pad));
  p += payload;
  p += std::string(pad, '\0');
  return p;
}
std::string SshString(std::string_view s) {
  std::string out;
  Put32(out, uint32_t(s.size()));
  out += s;
  return out;
}
std::string SshKexInit(Rng& rng, bool server) {
  std::string p(1, char(20));
  p += rng.Bytes(16);
  p += SshString(server ? "curve25519-sha256,curve25519-sha256@libssh.org,"
                          "ecdh-sha2-nistp256,diffie-hellman-group14-sha256"
                        : "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,"
                          "ext-info-c");
  p += SshString(server ? "rsa-sha2-512,rsa-sha2-256,ecdsa-sha2-nistp256,ssh-ed25519"
                        : "ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512");
  for (int i = 0; i < 2; ++i) {
    p += SshString("aes128-ctr,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com");
  }
  for (int i = 0; i < 2; ++i) {
    p += SshString("hmac-sha2-256-etm@openssh.com,umac-64-etm@openssh.com");
  }
  for (int i = 0; i < 2; ++i) p += SshString("none,zlib@openssh.com");
  p += SshString("");
  p += SshString("");
  p.push_back(0);
  Put32(p, 0);
  return SshPacket(p);
}

}  // namespace accord::drill::synthetic_internal
