// Internal to the synthetic captures (synthetic.h): the application payloads the
// scenario's flows carry — DNS, TLS 1.3, NTP, Modbus/TCP, HTTP/1.1 and SSH — each
// well-formed enough for tshark to dissect without malformed-packet warnings. Encrypted
// parts are random bytes from the generator's Rng. Not part of accord's API; used only by
// src/drill/synthetic*.cc.
#ifndef ACCORD_DRILL_SYNTHETIC_PAYLOADS_H_
#define ACCORD_DRILL_SYNTHETIC_PAYLOADS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "src/drill/synthetic_wire.h"

namespace accord::drill::synthetic_internal {

// ---- DNS (RFC 1035) ----

// A standard query for `name` (type A, recursion desired), with transaction `id`.
std::string DnsQuery(uint16_t id, std::string_view name);
// Its answer with `ips` (empty: NXDOMAIN), each record with `ttl` seconds; recursive
// (RA set) or `authoritative` (AA set).
std::string DnsAnswer(uint16_t id, std::string_view name, const std::vector<uint32_t>& ips,
                      uint32_t ttl, bool authoritative);

// ---- TLS 1.3 (RFC 8446), as TCP payloads of whole records ----

// A ClientHello naming `sni` (a browser-like offer), offering h2 in ALPN if `alpn_h2`.
std::string TlsClientHello(Rng& rng, std::string_view sni, bool alpn_h2);
// The server's first flight: ServerHello, ChangeCipherSpec, then `encrypted_bytes` of
// the encrypted rest of the handshake in one application-data record.
std::string TlsServerFlight(Rng& rng, size_t encrypted_bytes);
// The client's ChangeCipherSpec and encrypted Finished.
std::string TlsClientFinish(Rng& rng);
// `n` bytes of application data, in records of at most 16,401 bytes.
std::string TlsData(Rng& rng, size_t n);

// ---- NTP v4 (RFC 5905) ----

// A client request (mode 3) or server reply (mode 4, stratum 2, reference `ref_id`);
// times are true Unix nanoseconds (origin and receive are zero in a request).
std::string NtpPacket(bool server, int64_t origin_ns, int64_t rx_ns, int64_t tx_ns,
                      uint32_t ref_id);

// ---- Modbus/TCP and HTTP/1.1 ----

// An MBAP header for `unit` and `transaction`, then the `pdu`.
std::string Modbus(uint16_t transaction, uint8_t unit, std::string_view pdu);
// `head` (a start line and header fields, each ending in CRLF), a Content-Length for
// `body`, the blank line and `body`.
std::string Http(std::string_view head, std::string_view body);

// ---- SSH (RFC 4253) ----

// A binary packet, unencrypted: padding to a multiple of 8, at least 4 bytes (§6).
std::string SshPacket(std::string_view payload);
// An SSH `string`: a 32-bit length, then the bytes (RFC 4251 §5).
std::string SshString(std::string_view s);
// An SSH_MSG_KEXINIT packet with OpenSSH-like algorithm lists, the server's or client's.
std::string SshKexInit(Rng& rng, bool server);

}  // namespace accord::drill::synthetic_internal

#endif  // ACCORD_DRILL_SYNTHETIC_PAYLOADS_H_
