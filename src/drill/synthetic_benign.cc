// The grid scenario's benign traffic (synthetic_traffic.h): what the operator's network
// and the hosting provider's other customers send while the attack goes on.
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/drill/synthetic_payloads.h"
#include "src/drill/synthetic_traffic.h"

namespace accord::drill::synthetic_internal {
namespace {

// Poisson arrivals of `per_hour` events an hour over the plan, calling `f(t)`.
template <typename F>
void Arrivals(Rng& rng, const Plan& p, double per_hour, F&& f) {
  const double mean_ns = 3600.0 * kSec / per_hour;
  for (double t = double(p.start_ns);;) {
    t += -std::log(1.0 - rng.Real()) * mean_ns;
    if (t >= double(p.end_ns) - 5.0 * kSec) return;
    f(int64_t(t));
  }
}

// Names the office workstations visit, and the address each resolves to.
const std::vector<std::string> kWebNames = {
    "www.example.com",  "login.example.com", "cdn.example.net",    "api.example.org",
    "mail.example.com", "docs.example.org",  "static.example.net", "updates.example.com",
    "news.example.org", "sso.example.net",   "maps.example.com",   "files.example.org"};

uint32_t WebServerFor(const std::string& name) {
  uint32_t h = 0;
  for (char c : name) h = h * 31 + uint8_t(c);
  return 0xC0000200u | (10 + h % 30);  // 192.0.2.10 - 192.0.2.39
}

// One HTTPS visit: handshake, request(s), response(s), close.
void HttpsVisit(World& w, Rng& rng, Phase phase, Endpoint client, Endpoint server,
                std::string_view sni, int64_t t, int requests) {
  TcpFlow f(w, rng, phase, client, server, t);
  f.Connect();
  f.Send(true, TlsClientHello(rng, sni, true), true);
  f.Send(false, TlsServerFlight(rng, size_t(rng.Range(2400, 4200))));
  // The operands of + are unsequenced (gcc and clang differ): one draw per statement.
  const std::string data = TlsData(rng, size_t(rng.Range(280, 600)));
  f.Send(true, TlsClientFinish(rng) + data, true);
  for (int i = 0; i < requests; ++i) {
    if (i > 0) {
      f.Wait(rng.Range(50 * kMs, 3 * kSec));
      f.Send(true, TlsData(rng, size_t(rng.Range(90, 500))), true);
    }
    const size_t size =
        rng.Chance(0.2) ? size_t(rng.Range(20000, 60000)) : size_t(rng.Range(300, 6000));
    f.Send(false, TlsData(rng, size));
  }
  f.Wait(rng.Range(1 * kSec, 15 * kSec));
  f.Close(true);
}

}  // namespace

void SensorBenign(World& w, Rng& rng, const Plan& p) {
  const Addresses& a = w.addresses();
  const uint32_t resolver = a.victim.Host(53), ntp = a.victim.Host(123);
  const uint32_t upstream[] = {0xC0000235u, 0xC0000236u};  // 192.0.2.53, .54
  // DNS: the operator's resolver asks upstream resolvers.
  Arrivals(rng, p, 300, [&](int64_t t) {
    const std::string& name = rng.Pick(kWebNames);
    const auto id = uint16_t(rng.Next());
    Endpoint c{resolver, EphemeralPort(rng, false, 0), 64, 0};
    Endpoint s{upstream[rng.Next() % 2], 53, 64, rng.Range(4 * kMs, 12 * kMs)};
    EmitUdp(w, rng, Phase::kBenign, c, s, DnsQuery(id, name), t);
    EmitUdp(w, rng, Phase::kBenign, s, c, DnsAnswer(id, name, {WebServerFor(name)}, 300, false),
            t + 2 * s.delay_ns);
  });
  // The C2 name, resolved once before the first beacon (the answer names B's server).
  {
    const int64_t t = At(p, 0) + Minutes(19.9);
    Endpoint c{resolver, EphemeralPort(rng, false, 0), 64, 0};
    Endpoint s{upstream[0], 53, 64, 7 * kMs};
    EmitUdp(w, rng, Phase::kBenign, c, s, DnsQuery(0x4c2e, p.sc->c2_domain), t);
    EmitUdp(w, rng, Phase::kBenign, s, c,
            DnsAnswer(0x4c2e, p.sc->c2_domain, {a.attacker}, 60, false), t + 38 * kMs);
  }
  // NTP: the operator's time server polls upstream every 64 s.
  for (int64_t t = p.start_ns + rng.Range(0, 60 * kSec); t < p.end_ns; t += 64 * kSec) {
    Endpoint c{ntp, 123, 64, 0}, s{0xC000027Bu, 123, 64, 9 * kMs};  // 192.0.2.123
    const int64_t tx = t + rng.Range(0, 900 * kMs);
    EmitUdp(w, rng, Phase::kBenign, c, s, NtpPacket(false, 0, 0, tx, 0), tx);
    EmitUdp(w, rng, Phase::kBenign, s, c,
            NtpPacket(true, tx, tx + s.delay_ns, tx + s.delay_ns + 40 * kUs, 0xC000027Fu),
            tx + 2 * s.delay_ns + 40 * kUs);
  }
  // HTTPS from the office workstations (Windows), to common services.
  Arrivals(rng, p, 60, [&](int64_t t) {
    const std::string& name = rng.Pick(kWebNames);
    Endpoint c{a.victim.Host(uint32_t(rng.Range(64, 95))), 0, 128, 300 * kUs};
    if (c.ip == a.workstation) c.ip = a.victim.Host(64);
    c.port = EphemeralPort(rng, true, p.sc->scan_source_port);
    Endpoint s{WebServerFor(name), 443, 64, rng.Range(3 * kMs, 25 * kMs)};
    HttpsVisit(w, rng, Phase::kBenign, c, s, name, t, int(rng.Range(1, 4)));
  });
  // Plain HTTP: Windows' network connectivity probes.
  Arrivals(rng, p, 12, [&](int64_t t) {
    Endpoint c{a.victim.Host(uint32_t(rng.Range(64, 95))), 0, 128, 300 * kUs};
    if (c.ip == a.workstation) c.ip = a.victim.Host(65);
    c.port = EphemeralPort(rng, true, p.sc->scan_source_port);
    Endpoint s{0xC0000228u, 80, 64, 11 * kMs};  // 192.0.2.40
    TcpFlow f(w, rng, Phase::kBenign, c, s, t);
    f.Connect();
    f.Send(true,
           "GET /connecttest.txt HTTP/1.1\r\nConnection: Close\r\n"
           "User-Agent: Microsoft NCSI\r\nHost: www.msftconnecttest.example.com\r\n\r\n",
           true);
    f.Send(false, Http("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                       "Cache-Control: max-age=30, must-revalidate\r\nConnection: close\r\n",
                       "Microsoft Connect Test"));
    f.Close(false);
  });
}

// Modbus/TCP on the OT segment: the HMI polls each PLC's holding registers every 30 s
// over one long-lived connection; now and then an operator writes a set point.
void OtModbus(World& w, Rng& rng, const Plan& p) {
  const Addresses& a = w.addresses();
  Endpoint hmi{a.ot.Host(10), 0, 128, 40 * kUs};
  for (uint32_t plc = 21; plc <= 24; ++plc) {
    hmi.port = EphemeralPort(rng, true, 0);
    Endpoint s{a.ot.Host(plc), 502, 64, 150 * kUs};
    TcpFlow f(w, rng, Phase::kBenign, hmi, s, p.start_ns + rng.Range(0, 2 * kSec));
    f.Connect();
    uint16_t transaction = 1;
    while (f.now() < p.end_ns - 35 * kSec) {
      const bool write = rng.Chance(0.03);
      const uint16_t reg = uint16_t(40 + plc * 10);
      std::string req, resp;
      if (write) {
        std::string pdu("\x06", 1);
        Put16(pdu, reg);
        Put16(pdu, uint16_t(rng.Range(480, 520)));
        req = resp = pdu;
      } else {
        const uint16_t count = 10;
        std::string pdu("\x03", 1), answer("\x03", 1);
        Put16(pdu, 0);
        Put16(pdu, count);
        answer.push_back(char(2 * count));
        for (int i = 0; i < count; ++i) Put16(answer, uint16_t(rng.Range(0, 1000)));
        req = pdu;
        resp = answer;
      }
      f.Send(true, Modbus(transaction, 1, req), true);
      f.Send(false, Modbus(transaction, 1, resp), true);
      ++transaction;
      f.Wait(30 * kSec + rng.Range(-200 * kMs, 200 * kMs));
    }
    f.Close(true);
  }
}

// Other customers of B's hosting provider: web sites, an authoritative DNS server, NTP.
void HostingBenign(World& w, Rng& rng, const Plan& p) {
  const Addresses& a = w.addresses();
  auto client = [&](bool windows) {
    return Endpoint{0xC0000200u | uint32_t(rng.Range(100, 250)), EphemeralPort(rng, windows, 0),
                    uint8_t(windows ? 128 : 64), rng.Range(4 * kMs, 70 * kMs)};
  };
  Arrivals(rng, p, 70, [&](int64_t t) {
    const uint32_t site = uint32_t(rng.Range(40, 47));
    Endpoint s{a.hosting.Host(site), 443, 64, 60 * kUs};
    // One draw per statement: the order of a call's arguments is unspecified (gcc and
    // clang differ), and the captures must be the same whoever compiles them.
    const int visits = int(rng.Range(1, 3));
    const Endpoint c = client(rng.Chance(0.6));
    HttpsVisit(w, rng, Phase::kBenign, c, s, absl::StrCat("shop", site, ".example.org"), t, visits);
  });
  Arrivals(rng, p, 20, [&](int64_t t) {
    Endpoint s{a.hosting.Host(48), 80, 64, 60 * kUs};
    TcpFlow f(w, rng, Phase::kBenign, client(false), s, t);
    f.Connect();
    f.Send(true,
           "GET /index.html HTTP/1.1\r\nHost: blog.example.org\r\n"
           "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
           "Accept: text/html\r\nConnection: close\r\n\r\n",
           true);
    f.Send(false, Http("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Type: text/html\r\n"
                       "Connection: close\r\n",
                       std::string(size_t(rng.Range(800, 9000)), 'x')));
    f.Close(false);
  });
  Arrivals(rng, p, 180, [&](int64_t t) {
    Endpoint c = client(false);
    Endpoint s{a.hosting.Host(53), 53, 64, 60 * kUs};
    const int64_t shop = rng.Range(40, 47);
    const char* const host = rng.Chance(0.5) ? "www" : "mail";
    const std::string name = absl::StrCat(host, ".shop", shop, ".example.org");
    const auto id = uint16_t(rng.Next());
    EmitUdp(w, rng, Phase::kBenign, c, s, DnsQuery(id, name), t);
    EmitUdp(w, rng, Phase::kBenign, s, c, DnsAnswer(id, name, {a.hosting.Host(44)}, 3600, true),
            t + 2 * s.delay_ns + 90 * kUs);
  });
  for (uint32_t host : {a.hosting.Host(40), a.hosting.Host(53)}) {
    for (int64_t t = p.start_ns + rng.Range(0, 60 * kSec); t < p.end_ns; t += 64 * kSec) {
      Endpoint c{host, 123, 64, 60 * kUs}, s{0xC000027Bu, 123, 64, 22 * kMs};
      EmitUdp(w, rng, Phase::kBenign, c, s, NtpPacket(false, 0, 0, t, 0), t);
      EmitUdp(w, rng, Phase::kBenign, s, c,
              NtpPacket(true, t, t + s.delay_ns, t + s.delay_ns + 40 * kUs, 0xC000027Fu),
              t + 2 * s.delay_ns + 40 * kUs);
    }
  }
}

}  // namespace accord::drill::synthetic_internal
