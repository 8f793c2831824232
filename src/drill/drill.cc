#include "src/drill/drill.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <set>
#include <thread>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "src/casework/body_client.h"
#include "src/casework/confidential.h"
#include "src/casework/party.h"
#include "src/drill/synthetic.h"
#include "src/federation/equivocation.h"
#include "src/federation/federation.h"
#include "src/log/log.h"
#include "src/node/api.h"
#include "src/node/client.h"
#include "src/note/checkpoint.h"
#include "src/note/note.h"
#include "src/seal/byte_source.h"
#include "src/seal/capture.h"
#include "src/seal/evidence_log.h"
#include "src/seal/seal.h"
#include "src/seal/select.h"
#include "src/statement/statement.h"
#include "src/store/durable_file.h"
#include "src/store/statement_index.h"
#include "src/util/encoding.h"

namespace accord::drill {
namespace fs = std::filesystem;
using json = nlohmann::ordered_json;
using statement::Kind;

namespace {

struct PartyInfo {
  const char* letter;
  const char* name;
  const char* host;
  const char* country;  // ISO 3166 user-assigned codes: no real country is meant
};
constexpr PartyInfo kParties[] = {
    {"A", "Republic of Aster, national CERT", "cert.aster.example", "XA"},
    {"B", "Kingdom of Borealia, national CERT", "cert.borealia.example", "XB"},
    {"C", "Caldera, national CERT", "cert.caldera.example", "XC"},
    {"D", "Dorado, national CERT", "cert.dorado.example", "XD"},
    {"E", "Elara, national CERT", "cert.elara.example", "XE"},
    {"F", "Fjordland, national CERT", "cert.fjordland.example", "XF"},
    {"G", "Galicea, national CERT", "cert.galicea.example", "XG"},
    {"H", "Helvor, national CERT", "cert.helvor.example", "XH"},
};
constexpr int kMaxParties = sizeof(kParties) / sizeof(kParties[0]);

// Ports for the nodes: bound together on 127.0.0.1, then released for the servers.
absl::StatusOr<std::vector<uint16_t>> ReservePorts(int n) {
  std::vector<int> fds;
  std::vector<uint16_t> ports;
  absl::Status status;
  for (int i = 0; i < n && status.ok(); ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
      status = absl::InternalError("socket() failed");
      break;
    }
    fds.push_back(fd);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      status = absl::UnavailableError("cannot bind a port on 127.0.0.1");
      break;
    }
    ports.push_back(ntohs(addr.sin_port));
  }
  for (int fd : fds) ::close(fd);
  if (!status.ok()) return status;
  return ports;
}

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

json RefJson(const std::string& origin, const node::ReceiptDoc& r, Kind kind) {
  return {{"origin", origin},
          {"index", r.index},
          {"leaf_hash", util::Base64Encode(r.leaf_hash)},
          {"kind", std::string(statement::KindName(kind))}};
}

std::string Position(const std::string& letter, uint64_t index) {
  return absl::StrCat(letter, "#", index);
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5));
  return v[i];
}

// The transport 5-tuples of a capture's IPv4 TCP/UDP packets (Ethernet or raw IP),
// endpoints ordered so both directions of a flow give one key.
using Flow = std::tuple<uint8_t, uint32_t, uint16_t, uint32_t, uint16_t>;
absl::StatusOr<std::set<Flow>> FlowsOf(const fs::path& capture) {
  auto source = seal::ByteSource::OpenFile(capture.string());
  if (!source.ok()) return source.status();
  auto reader = seal::CaptureReader::Open(**source);
  if (!reader.ok()) return reader.status();
  std::set<Flow> flows;
  while (true) {
    auto packet = (*reader)->Next();
    if (!packet.ok()) return packet.status();
    if (!packet->has_value()) break;
    std::span<const uint8_t> d = (*packet)->data;
    if ((*packet)->link_type == 1) {  // Ethernet II
      if (d.size() < 14 || d[12] != 0x08 || d[13] != 0x00) continue;
      d = d.subspan(14);
    } else if ((*packet)->link_type != 101 && (*packet)->link_type != 228) {
      continue;
    }
    if (d.size() < 20 || (d[0] >> 4) != 4) continue;
    const size_t ihl = (d[0] & 0x0f) * 4;
    const uint8_t proto = d[9];
    if ((proto != 6 && proto != 17) || d.size() < ihl + 4) continue;
    auto u32 = [&](size_t o) {
      return uint32_t{d[o]} << 24 | uint32_t{d[o + 1]} << 16 | uint32_t{d[o + 2]} << 8 | d[o + 3];
    };
    auto u16 = [&](size_t o) { return static_cast<uint16_t>(d[o] << 8 | d[o + 1]); };
    std::pair<uint32_t, uint16_t> a{u32(12), u16(ihl)}, b{u32(16), u16(ihl + 2)};
    if (b < a) std::swap(a, b);
    flows.insert({proto, a.first, a.second, b.first, b.second});
  }
  return flows;
}

}  // namespace

struct Drill::Impl {
  struct Party {
    std::string letter, name, origin, host, country;
    fs::path data, directory_file;
    note::KeyPair log_key, witness_key;
    uint16_t port = 0;
    std::string url;
    std::unique_ptr<node::NodeServer> server;
  };

  DrillOptions options;
  fs::path dir;
  absl::Time t0 = absl::Now();
  std::vector<Party> parties;
  federation::Directory directory;
  std::vector<Event> timeline;
  std::unique_ptr<statement::Validator> validator;

  ~Impl() {
    for (auto& p : parties) {
      if (p.server) p.server->Stop();
    }
    parties.clear();
    if (!options.keep && !dir.empty()) {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  }

  void Say(const std::string& party, std::string what, bool ok = true) {
    Event e{absl::Now() - t0, party, std::move(what), ok};
    timeline.push_back(e);
    if (options.on_event) options.on_event(e);
  }

  void Fail(json& report, const std::string& party, const std::string& what,
            const absl::Status& status) {
    Say(party, absl::StrCat(what, " FAILED: ", status.message()), false);
    report["passed"] = false;
    report["failure"] = absl::StrCat(what, ": ", status.message());
  }

  federation::Federation& Fed(Party& p) {
    return static_cast<casework::PartyExtension*>(p.server->extension())->federation();
  }

  absl::Status StartNode(Party& p, uint16_t port, const fs::path& data,
                         const fs::path& directory_file) {
    node::NodeServerOptions o;
    o.node.data_dir = data;
    o.node.key_file = data / "party.key";
    o.node.sequencer.max_delay = absl::Milliseconds(2);
    o.http.listen = absl::StrCat("127.0.0.1:", port);
    federation::FederationOptions f;
    f.directory_file = directory_file;
    f.poll_interval = options.poll_interval;
    f.request_timeout = absl::Seconds(2);
    casework::CaseworkOptions c;
    if (options.scenario == "deadline") c.ack_emergency = options.deadline_ack;
    o.extension = casework::PartyExtension::Factory(data, f, c);
    auto server = node::NodeServer::Start(std::move(o));
    if (!server.ok()) {
      return absl::Status(
          server.status().code(),
          absl::StrCat("starting ", p.letter, "'s node: ", server.status().message()));
    }
    p.server = *std::move(server);
    return absl::OkStatus();
  }

  absl::Status Setup() {
    auto v = statement::Validator::Create();
    if (!v.ok()) return v.status();
    validator = *std::move(v);
    auto ports = ReservePorts(options.parties);
    if (!ports.ok()) return ports.status();
    directory.witness_quorum = static_cast<size_t>(
        options.witness_quorum >= 0 ? options.witness_quorum : options.parties - 1);
    for (int i = 0; i < options.parties; ++i) {
      const PartyInfo& info = kParties[i];
      Party p;
      p.letter = info.letter;
      p.name = info.name;
      p.host = info.host;
      p.country = info.country;
      p.origin = absl::StrCat(info.host, "/log");
      p.data = dir / p.letter;
      p.directory_file = p.data / "directory.json";
      p.port = (*ports)[i];
      p.url = absl::StrCat("http://127.0.0.1:", p.port);
      auto log_key = note::GenerateKey(p.origin);
      auto witness_key = note::GenerateCosignerKey(federation::WitnessNameFor(p.origin));
      if (!log_key.ok()) return log_key.status();
      if (!witness_key.ok()) return witness_key.status();
      p.log_key = *log_key;
      p.witness_key = *witness_key;
      if (auto s = store::MakeDirsDurably(p.data); !s.ok()) return s;
      // FileWrite borrows its data.
      const std::string texts[] = {p.log_key.private_key + "\n", p.log_key.verifier_key + "\n",
                                   p.witness_key.private_key + "\n",
                                   p.witness_key.verifier_key + "\n"};
      const store::FileWrite keys[] = {{p.data / "party.key", texts[0], 0600},
                                       {p.data / "party.vkey", texts[1]},
                                       {p.data / "witness.key", texts[2], 0600},
                                       {p.data / "witness.vkey", texts[3]}};
      if (auto s = store::WriteFilesDurably(keys); !s.ok()) return s;

      auto box = casework::LoadOrCreateBoxKey(p.data / "box.key");
      if (!box.ok()) return box.status();
      federation::Party entry;
      entry.box_key = casework::FormatBoxPublicKey(box->public_key());
      entry.name = p.name;
      entry.origin = p.origin;
      entry.log_key = p.log_key.verifier_key;
      entry.url = p.url;
      entry.witness_key = p.witness_key.verifier_key;
      entry.witness_url = p.url;
      entry.contact = {absl::StrCat(p.letter, " 24/7 point of contact"),
                       absl::StrCat("duty@", p.host), "+000 555 01" + std::to_string(10 + i),
                       "24/7"};
      directory.parties.push_back(std::move(entry));
      parties.push_back(std::move(p));
    }
    // Parse what was formatted, so the drill runs on exactly what nodes load.
    const std::string text = federation::FormatDirectory(directory);
    auto parsed = federation::ParseDirectory(text);
    if (!parsed.ok()) return parsed.status();
    directory = *std::move(parsed);
    for (Party& p : parties) {
      const store::FileWrite file[] = {{p.directory_file, text}};
      if (auto s = store::WriteFilesDurably(file); !s.ok()) return s;
    }
    const store::FileWrite shared[] = {{dir / "directory.json", text}};
    if (auto s = store::WriteFilesDurably(shared); !s.ok()) return s;
    Say("", absl::StrCat("directory of ", parties.size(), " parties written (witness quorum ",
                         directory.witness_quorum, "): ", (dir / "directory.json").string()));

    for (Party& p : parties) {
      if (auto s = StartNode(p, p.port, p.data, p.directory_file); !s.ok()) return s;
      Say(p.letter, absl::StrCat(p.name, ": node up at ", p.url, " (log ", p.origin, ")"));
    }
    for (Party& p : parties) {
      if (auto s = WaitWitnessed(p, 0, absl::Seconds(20)); !s.ok()) return s;
    }
    Say("", absl::StrCat("every node's checkpoint is cosigned by the ", directory.witness_quorum,
                         " other parties' witnesses"));
    return absl::OkStatus();
  }

  // Waits until p's published checkpoint covers `size` with a quorum of cosignatures.
  absl::Status WaitWitnessed(Party& p, uint64_t size, absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    std::string cp;
    while (true) {
      cp = Fed(p).witnessing().published();
      auto n = note::Parse(cp);
      if (n.ok()) {
        auto c = note::ParseCheckpoint(n->text);
        if (c.ok() && c->size >= size &&
            federation::CountCosignatures(directory, p.origin, cp) >= directory.witness_quorum) {
          return absl::OkStatus();
        }
      }
      if (absl::Now() > deadline) break;
      absl::SleepFor(absl::Milliseconds(5));
    }
    return absl::DeadlineExceededError(absl::StrCat(
        p.letter, "'s checkpoint of size ≥ ", size, " did not get ", directory.witness_quorum,
        " cosignatures within ", absl::FormatDuration(timeout), "; published:\n", cp));
  }

  absl::StatusOr<node::ReceiptDoc> Submit(Party& p, const std::string& envelope) {
    auto client = node::NodeClient::Create(p.url);
    if (!client.ok()) return client.status();
    auto receipt = (*client)->Submit(envelope);
    if (!receipt.ok()) return receipt.status();
    auto verifier = note::NewVerifier(p.log_key.verifier_key);
    if (!verifier.ok()) return verifier.status();
    if (auto s = node::VerifyReceipt(*receipt, envelope, **verifier); !s.ok()) return s;
    return receipt;
  }

  absl::StatusOr<node::ReceiptDoc> Publish(Party& p, Kind kind, json payload) {
    payload["kind"] = std::string(statement::KindName(kind));
    payload["issuer"] = p.origin;
    if (!payload.contains("issued")) payload["issued"] = Rfc3339(absl::Now());
    auto signer = note::NewSigner(p.log_key.private_key);
    if (!signer.ok()) return signer.status();
    auto envelope = statement::Sign(kind, payload.dump(), *signer);
    if (!envelope.ok()) return envelope.status();
    return Submit(p, *envelope);
  }

  absl::StatusOr<federation::InboxItem> WaitInbox(Party& p, const std::string& origin,
                                                  uint64_t index, absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      federation::InboxQuery q;
      q.origin = origin;
      q.limit = 1000;
      while (true) {
        auto page = Fed(p).monitor().Inbox(q);
        if (!page.ok()) return page.status();
        for (const auto& item : page->items) {
          if (item.index == index) return item;
        }
        if (!page->next) break;
        q.after = page->next;
      }
      absl::SleepFor(absl::Milliseconds(5));
    }
    return absl::DeadlineExceededError(absl::StrCat(p.letter, "'s monitor did not pick up ", origin,
                                                    " #", index, " within ",
                                                    absl::FormatDuration(timeout)));
  }

  // What any outsider can check, with nothing but the directory and the parties' URLs:
  // the log's checkpoint (signature and witness quorum) and one statement in it.
  struct Checked {
    std::string checkpoint;
    uint64_t size = 0;
    std::vector<std::string> witnesses;
    statement::Statement statement;
  };
  absl::StatusOr<Checked> CheckStatement(const std::string& origin, uint64_t index,
                                         const crypto::Digest& leaf_hash) {
    const federation::Party* party = directory.FindByOrigin(origin);
    if (party == nullptr) return absl::NotFoundError(absl::StrCat(origin, " is not a party"));
    auto storage = node::HttpLogStorage::Create(party->url);
    if (!storage.ok()) return storage.status();
    auto log = log::Log::OpenReadOnly(*std::move(storage), *party->log_verifier);
    if (!log.ok()) return log.status();
    Checked c;
    c.checkpoint = (*log)->signed_checkpoint();
    c.size = (*log)->size();
    c.witnesses = federation::CosigningWitnesses(directory, origin, c.checkpoint);
    if (c.witnesses.size() < directory.witness_quorum) {
      return absl::FailedPreconditionError(
          absl::StrCat(origin, "'s checkpoint carries ", c.witnesses.size(),
                       " valid witness cosignatures; the policy needs ", directory.witness_quorum));
    }
    auto entry = (*log)->ReadEntry(index);  // checked against the tiles of that checkpoint
    if (!entry.ok()) return entry.status();
    if (statement::LeafHashOf(*entry) != leaf_hash) {
      return absl::DataLossError(
          absl::StrCat(origin, " #", index, " is not the statement cited (leaf hash differs)"));
    }
    auto st = validator->Parse(*entry);
    if (!st.ok()) return st.status();
    if (st->issuer != origin || !statement::VerifiedBy(st->envelope, *party->log_verifier)) {
      return absl::UnauthenticatedError(
          absl::StrCat(origin, " #", index, " is not signed by ", origin, "'s key"));
    }
    c.statement = *std::move(st);
    return c;
  }

  absl::StatusOr<seal::DisclosureReport> CheckDisclosure(const fs::path& file,
                                                         const std::string& origin) {
    const federation::Party* party = directory.FindByOrigin(origin);
    if (party == nullptr) return absl::NotFoundError(absl::StrCat(origin, " is not a party"));
    auto storage = node::HttpLogStorage::Create(party->url);
    if (!storage.ok()) return storage.status();
    auto log = seal::OpenEvidenceLog(*std::move(storage), party->log_verifier.get());
    if (!log.ok()) return log.status();
    return seal::VerifyDisclosure(file.string(), *party->log_verifier, log->get());
  }

  absl::StatusOr<seal::DiscloseResult> DiscloseFrom(Party& p, const fs::path& capture,
                                                    uint64_t evidence_index,
                                                    const std::string& filter,
                                                    const fs::path& out) {
    auto log = seal::OpenLogFolder((p.data / "log").string(), nullptr);
    if (!log.ok()) return log.status();
    seal::EvidenceQuery q;
    q.index = evidence_index;
    auto evidence = seal::ResolveEvidence(**log, q);
    if (!evidence.ok()) return evidence.status();
    seal::Selector selector;
    auto bpf = seal::BpfFilter::Create(filter);
    if (!bpf.ok()) return bpf.status();
    selector.filter = *std::move(bpf);
    seal::DiscloseRequest req;
    req.capture_path = capture.string();
    req.evidence = *std::move(evidence);
    req.out_path = out.string();
    return seal::Disclose(req, selector);
  }

  absl::StatusOr<node::ReceiptDoc> SealAndPublish(Party& p, const fs::path& capture,
                                                  seal::Custody custody, uint64_t* packets) {
    auto signer = note::NewSigner(p.log_key.private_key);
    if (!signer.ok()) return signer.status();
    seal::SealRequest req;
    req.capture_path = capture.string();
    custody.issuer = p.origin;
    req.custody = std::move(custody);
    auto sealed = seal::Seal(req, *signer);
    if (!sealed.ok()) return sealed.status();
    *packets = sealed->built.tree.size;
    return Submit(p, sealed->statement);
  }

  json PlayGrid();
  json PlaySplitView();
  json PlayPickup();
  json PlayDeadline();

  casework::PartyExtension& Party_(Party& p) {
    return *static_cast<casework::PartyExtension*>(p.server->extension());
  }
  // The case containing `origin`#`index` in `p`'s view, as its API shows it.
  absl::StatusOr<json> CaseOf(Party& p, const std::string& origin, uint64_t index) {
    auto cases = Party_(p).Cases();
    if (!cases.ok()) return cases.status();
    for (const casework::Case& c : *cases) {
      for (const auto& item : c.items) {
        if (item.origin == origin && item.index == index) return json(casework::CaseJson(c, true));
      }
    }
    return absl::NotFoundError(absl::StrCat(p.letter, " knows no case with ", origin, " #", index));
  }
};

// Scenario steps: a failed step is recorded in the timeline and the report, and ends the
// scenario (Abseil's ASSIGN_OR_RETURN pattern, returning the report).
#define DRILL_CONCAT_(a, b) a##b
#define DRILL_CONCAT(a, b) DRILL_CONCAT_(a, b)
#define DRILL_ASSIGN(lhs, party, expr, what)                    \
  auto DRILL_CONCAT(lhs, _or) = (expr);                         \
  if (!DRILL_CONCAT(lhs, _or).ok()) {                           \
    Fail(report, party, what, DRILL_CONCAT(lhs, _or).status()); \
    return report;                                              \
  }                                                             \
  auto lhs = *std::move(DRILL_CONCAT(lhs, _or))
#define DRILL_CHECK(party, expr, what)        \
  do {                                        \
    if (absl::Status s_ = (expr); !s_.ok()) { \
      Fail(report, party, what, s_);          \
      return report;                          \
    }                                         \
  } while (false)

json Drill::Impl::PlayGrid() {
  json report = {{"scenario", "grid"}, {"passed", false}};
  Party& a = parties[0];
  Party& b = parties[1];
  Party& c = parties[2];
  const GridScenario sc = DefaultGridScenario(absl::Now() - absl::Hours(30));

  // 1. A's sensor at the grid operator recorded the attack; A seals the capture.
  const fs::path sensor = a.data / "sensor-grid-edge.pcapng";
  DRILL_ASSIGN(sensor_summary, "A", WriteSensorCapture(sensor, sc, options.seed),
               "writing A's sensor capture");
  Say("A", absl::StrCat("sensor capture at the grid operator's edge: ", sensor_summary.packets,
                        " packets (", sensor.filename().string(), ")"));
  json incident = {
      {"title", "Intrusion into a power-grid operator's remote-access gateway"},
      {"summary",
       "Scanning of the operator's public range, an exploit attempt against its VPN gateway, "
       "then command-and-control beacons from an internal engineering host to a server abroad."},
      {"detected", Rfc3339(absl::Now() - absl::Hours(2))},
      {"status", "ongoing"},
      {"sector", "energy"},
      {"country", a.country},
      {"entity", "electricity distribution system operator"},
      {"severity", "critical"},
      {"offences", {"budapest:art2-illegal-access", "budapest:art5-system-interference"}},
      {"indicators", {{{"type", "ipv4-addr"}, {"value", sc.attacker_server_ip}, {"role", "c2"}}}},
      {"to", {b.origin}}};
  DRILL_ASSIGN(incident_r, "A", Publish(a, Kind::kIncident, incident), "publishing the incident");
  Say("A", absl::StrCat("published the incident at ", Position("A", incident_r.index)));

  uint64_t sensor_packets = 0;
  seal::Custody custody;
  custody.collector_role = "CERT analyst";
  custody.collector_name = "A duty analyst";
  custody.sensor = "grid-edge-tap-01";
  custody.place = "operator control centre uplink";
  custody.file_name = sensor.filename().string();
  DRILL_ASSIGN(evidence_a, "A", SealAndPublish(a, sensor, custody, &sensor_packets),
               "sealing A's capture");
  Say("A", absl::StrCat("sealed ", sensor_packets, " packets: evidence at ",
                        Position("A", evidence_a.index)));

  const json offences = {"budapest:art2-illegal-access", "budapest:art5-system-interference"};
  const json server_id = {{{"type", "ipv4-addr"}, {"value", sc.attacker_server_ip}}};
  json procedure = json::array();
  auto step = [&](const std::string& what, const std::string& position) {
    procedure.push_back({{"step", what}, {"position", position}});
  };

  // 2. Urgent contact through the 24/7 network.
  json contact = {
      {"request_type", "assistance_24_7"},
      {"legal_basis", {"Budapest Art. 35", "UNCC Art. 41"}},
      {"urgency", "emergency"},
      {"summary",
       "Ongoing intrusion into a power-grid operator controlled from a server in "
       "your territory: immediate assistance requested."},
      {"data_sought", "Point of contact and handling of the server's hosting provider."},
      {"identifiers", server_id},
      {"offences", offences},
      {"refs", {RefJson(a.origin, incident_r, Kind::kIncident)}},
      {"to", {b.origin}}};
  const absl::Time contact_sent = absl::Now();
  DRILL_ASSIGN(contact_r, "A", Publish(a, Kind::kRequest, contact), "the 24/7 request");
  Say("A", absl::StrCat("24/7 contact: emergency assistance request to B at ",
                        Position("A", contact_r.index), " (Budapest Art. 35, UNCC Art. 41)"));
  step("24/7 assistance requested (emergency)", Position("A", contact_r.index));
  DRILL_ASSIGN(picked, "B", WaitInbox(b, a.origin, contact_r.index, absl::Seconds(20)),
               "B's monitor picking up the 24/7 request");
  const double pickup_ms =
      absl::ToDoubleMilliseconds(absl::FromUnixMillis(picked.picked_up_unix_ms) - contact_sent);
  Say("B", absl::StrFormat("monitor picked up A's request %s after %.0f ms",
                           Position("A", contact_r.index), pickup_ms));
  DRILL_ASSIGN(contact_ack, "B",
               Publish(b, Kind::kResponse,
                       {{"request", RefJson(a.origin, contact_r, Kind::kRequest)},
                        {"status", "acknowledged"},
                        {"summary", "Received by B's 24/7 point of contact; provider alerted."},
                        {"to", {a.origin}}}),
               "B acknowledging the 24/7 request");
  Say("B", absl::StrCat("acknowledged at ", Position("B", contact_ack.index)));
  step("24/7 request acknowledged", Position("B", contact_ack.index));

  // 3. Expedited preservation, its facts in a confidential body only B can read.
  const federation::Party* b_entry = directory.FindByOrigin(b.origin);
  DRILL_ASSIGN(b_box, "A", casework::ParseBoxPublicKey(b_entry->box_key), "B's box key");
  DRILL_ASSIGN(
      body, "A",
      casework::MakeBody(
          {{"facts",
            "Engineering workstation 203.0.113.77 beacons every 60 s to the "
            "server since minute 20 of the capture; the server scanned and "
            "exploited the operator's VPN gateway first."},
           {"data_identifiers", {{"server", sc.attacker_server_ip}, {"c2_domain", sc.c2_domain}}},
           {"legal_basis", "Budapest Art. 29; national code of criminal procedure"},
           {"contact", {{"role", "duty prosecutor"}, {"phone", "+000 555 0199"}}}}),
      "making the confidential body");
  DRILL_CHECK("A", casework::PutBody(a.url, a.log_key.private_key, body, {{b.origin, b_box}}),
              "storing the confidential body on A's node");
  json preservation = {
      {"request_type", "preservation"},
      {"legal_basis", {"Budapest Art. 29", "UNCC Art. 42"}},
      {"urgency", "urgent"},
      {"summary", absl::StrCat("Expedited preservation of the stored data of the server ",
                               sc.attacker_server_ip, "; a disclosure request follows.")},
      {"data_sought", "Connection logs, subscriber records and a disk snapshot of the server."},
      {"identifiers", server_id},
      {"offences", offences},
      {"preservation_days", 90},
      {"private", {{"sha256", body.commitment}}},
      {"refs",
       {RefJson(a.origin, incident_r, Kind::kIncident),
        RefJson(a.origin, contact_r, Kind::kRequest)}},
      {"to", {b.origin}}};
  DRILL_ASSIGN(preserve_r, "A", Publish(a, Kind::kRequest, preservation),
               "the preservation request");
  Say("A", absl::StrCat("preservation request at ", Position("A", preserve_r.index),
                        " (Budapest Art. 29, UNCC Art. 42); its facts sealed to B's key"));
  step("expedited preservation requested, confidential body committed",
       Position("A", preserve_r.index));
  DRILL_CHECK("B", WaitInbox(b, a.origin, preserve_r.index, absl::Seconds(20)).status(),
              "B's monitor picking up the preservation request");
  DRILL_ASSIGN(b_box_pair, "B", casework::LoadOrCreateBoxKey(b.data / "box.key"), "B's box key");
  DRILL_ASSIGN(fetched, "B",
               casework::FetchBody(a.url, b.log_key.private_key, b_box_pair, body.commitment),
               "B fetching the confidential body");
  Say("B", absl::StrCat("fetched and opened the confidential body (", fetched.plaintext.size(),
                        " bytes, matches the commitment)"));
  // A's node recorded the release before it let the body go.
  std::optional<store::IndexedStatement> access;
  {
    store::IndexQuery q;
    q.kind = "access";
    auto page = a.server->node().List(q);
    if (page.ok() && !page->statements.empty()) access = page->statements.back();
  }
  if (!access) {
    DRILL_CHECK("A", absl::NotFoundError("no access statement in A's log"), "recording B's access");
  }
  Say("A", absl::StrCat("access record ", Position("A", access->index), ": B fetched the body of ",
                        Position("A", preserve_r.index), " (who, what, when, legal basis)"));
  step("confidential body released to B, access recorded", Position("A", access->index));
  DRILL_ASSIGN(preserve_ack, "B",
               Publish(b, Kind::kResponse,
                       {{"request", RefJson(a.origin, preserve_r, Kind::kRequest)},
                        {"status", "acknowledged"},
                        {"summary", "Preservation order sent to the hosting provider."},
                        {"to", {a.origin}}}),
               "B acknowledging the preservation request");
  DRILL_ASSIGN(preserved, "B",
               Publish(b, Kind::kResponse,
                       {{"request", RefJson(a.origin, preserve_r, Kind::kRequest)},
                        {"status", "executed"},
                        {"summary", "Data preserved by the provider."},
                        {"until", Rfc3339(absl::Now() + absl::Hours(24 * 90))},
                        {"to", {a.origin}}}),
               "B confirming preservation");
  Say("B", absl::StrCat("acknowledged (", Position("B", preserve_ack.index),
                        ") and confirmed preservation for 90 days (",
                        Position("B", preserved.index), ")"));
  DRILL_ASSIGN(contact_done, "B",
               Publish(b, Kind::kResponse,
                       {{"request", RefJson(a.origin, contact_r, Kind::kRequest)},
                        {"status", "executed"},
                        {"summary", "Provider's abuse desk reached; preservation under way."},
                        {"to", {a.origin}}}),
               "B executing the 24/7 request");
  Say("B", absl::StrCat("24/7 assistance given (", Position("B", contact_done.index), ")"));
  step("24/7 assistance given", Position("B", contact_done.index));
  step("preservation acknowledged", Position("B", preserve_ack.index));
  step("preservation confirmed for 90 days", Position("B", preserved.index));
  // The node enforces the procedure: a second acknowledgement after execution is refused.
  {
    auto again = Publish(b, Kind::kResponse,
                         {{"request", RefJson(a.origin, preserve_r, Kind::kRequest)},
                          {"status", "acknowledged"},
                          {"summary", "Acknowledged again."},
                          {"to", {a.origin}}});
    if (again.ok()) {
      DRILL_CHECK("B", absl::InternalError("B's node accepted an out-of-order acknowledgement"),
                  "enforcing the procedure");
    }
    Say("B", absl::StrCat("B's node refused an out-of-order answer: ", again.status().message()));
  }

  // 4. Expedited disclosure of the preserved traffic data: B seals the server's capture,
  // discloses the packets with A's network and refuses the rest on listed grounds.
  json disclosure_request = {
      {"request_type", "traffic_disclosure"},
      {"legal_basis", {"Budapest Art. 30", "UNCC Art. 43"}},
      {"urgency", "urgent"},
      {"summary", absl::StrCat("Expedited disclosure of the preserved traffic data of ",
                               sc.attacker_server_ip, ".")},
      {"identifiers", server_id},
      {"offences", offences},
      {"refs",
       {RefJson(a.origin, preserve_r, Kind::kRequest),
        RefJson(a.origin, evidence_a, Kind::kEvidence)}},
      {"to", {b.origin}}};
  DRILL_ASSIGN(request_r, "A", Publish(a, Kind::kRequest, disclosure_request),
               "the disclosure request");
  Say("A", absl::StrCat("traffic data disclosure request at ", Position("A", request_r.index),
                        " (Budapest Art. 30, UNCC Art. 43)"));
  step("expedited disclosure of traffic data requested", Position("A", request_r.index));
  DRILL_CHECK("B", WaitInbox(b, a.origin, request_r.index, absl::Seconds(20)).status(),
              "B's monitor picking up the disclosure request");

  const fs::path server_capture = b.data / "server-capture.pcap";
  DRILL_ASSIGN(server_summary, "B", WriteServerCapture(server_capture, sc, options.seed),
               "writing B's server capture");
  seal::Custody b_custody;
  b_custody.collector_role = "hosting provider, under preservation order";
  b_custody.collector_name = "B provider liaison";
  b_custody.sensor = "hosting-core-span-7";
  b_custody.place = "data centre, rack 12";
  b_custody.file_name = server_capture.filename().string();
  uint64_t server_packets = 0;
  DRILL_ASSIGN(evidence_b, "B", SealAndPublish(b, server_capture, b_custody, &server_packets),
               "sealing B's capture");
  Say("B", absl::StrCat("sealed the server's capture (", server_summary.packets,
                        " packets): evidence at ", Position("B", evidence_b.index)));
  const fs::path b_disclosure_out = b.data / "disclosure-to-A.pcapng";
  DRILL_ASSIGN(
      b_disclosed, "B",
      DiscloseFrom(b, server_capture, evidence_b.index, sc.victim_filter, b_disclosure_out),
      "disclosing B's packets");
  Say("B", absl::StrCat("disclosed ", b_disclosed.indices.size(), " of ", server_packets,
                        " packets (filter: ", sc.victim_filter, ") with proofs"));
  // The disclosure goes to A only, as a confidential body of the response.
  DRILL_ASSIGN(disclosure_bytes, "B", store::ReadWholeFile(b_disclosure_out),
               "reading the disclosure");
  const federation::Party* a_entry = directory.FindByOrigin(a.origin);
  DRILL_ASSIGN(a_box, "B", casework::ParseBoxPublicKey(a_entry->box_key), "A's box key");
  DRILL_ASSIGN(
      disclosure_body, "B",
      casework::MakeBody({{"disclosure",
                           {{"file", b_disclosure_out.filename().string()},
                            {"media_type", "application/x-pcapng"},
                            {"base64", util::Base64Encode(util::AsBytes(disclosure_bytes))}}}}),
      "making the disclosure body");
  DRILL_CHECK("B",
              casework::PutBody(b.url, b.log_key.private_key, disclosure_body, {{a.origin, a_box}}),
              "storing the disclosure on B's node");
  json response = {{"request", RefJson(a.origin, request_r, Kind::kRequest)},
                   {"private", {{"sha256", disclosure_body.commitment}}},
                   {"status", "executed_in_part"},
                   {"grounds", {"budapest:art30-2-b-essential-interests"}},
                   {"summary", absl::StrCat("Traffic data of ", sc.attacker_server_ip,
                                            " with the requesting party's network disclosed: ",
                                            b_disclosed.indices.size(), " sealed packets.")},
                   {"refs", {RefJson(b.origin, evidence_b, Kind::kEvidence)}},
                   {"to", {a.origin}}};
  DRILL_ASSIGN(response_r, "B", Publish(b, Kind::kResponse, response), "publishing the response");
  Say("B", absl::StrCat("executed in part at ", Position("B", response_r.index),
                        ", citing its evidence ", Position("B", evidence_b.index)));
  step("traffic data disclosed in part, with sealed evidence", Position("B", response_r.index));
  json refusal = {{"request", RefJson(a.origin, request_r, Kind::kRequest)},
                  {"status", "refused"},
                  {"grounds", {"budapest:art30-2-b-essential-interests"}},
                  {"summary", "Traffic of the provider's other customers is not disclosed."},
                  {"to", {a.origin}}};
  DRILL_ASSIGN(refusal_r, "B", Publish(b, Kind::kResponse, refusal), "refusing the rest");
  Say("B", absl::StrCat("refused the rest with grounds (Budapest Art. 30(2)(b)) at ",
                        Position("B", refusal_r.index)));
  step("the rest refused on listed grounds", Position("B", refusal_r.index));
  DRILL_CHECK("A", WaitInbox(a, b.origin, refusal_r.index, absl::Seconds(20)).status(),
              "A's monitor picking up B's answers");
  Say("A", "monitor picked up B's answers");
  // A fetches the disclosure from B's node; B's node records the release in B's log.
  DRILL_ASSIGN(a_box_pair, "A", casework::LoadOrCreateBoxKey(a.data / "box.key"), "A's box key");
  DRILL_ASSIGN(
      b_release, "A",
      casework::FetchBody(b.url, a.log_key.private_key, a_box_pair, disclosure_body.commitment),
      "A fetching the disclosure");
  const fs::path b_disclosure = dir / "disclosure-B-to-A.pcapng";
  {
    auto bytes =
        util::Base64Decode(b_release.content.content["disclosure"].value("base64", std::string()));
    if (!bytes) {
      DRILL_CHECK("A", absl::DataLossError("the disclosure body holds no pcapng"),
                  "opening the disclosure");
    }
    const store::FileWrite file[] = {{b_disclosure, util::AsChars(*bytes)}};
    DRILL_CHECK("A", store::WriteFilesDurably(file), "saving the disclosure");
  }
  std::optional<store::IndexedStatement> b_access;
  {
    store::IndexQuery q;
    q.kind = "access";
    auto page = b.server->node().List(q);
    if (page.ok() && !page->statements.empty()) b_access = page->statements.back();
  }
  if (!b_access) {
    DRILL_CHECK("B", absl::NotFoundError("no access statement in B's log"),
                "recording A's access to the disclosure");
  }
  Say("A", absl::StrCat("fetched B's disclosure from B's node (", b_release.plaintext.size(),
                        " bytes, matches the commitment); B's node recorded it at ",
                        Position("B", b_access->index)));
  step("disclosure released to A, access recorded", Position("B", b_access->index));

  // 5. A discloses its own packets and publishes the attribution claim.
  const fs::path a_disclosure = dir / "disclosure-A.pcapng";
  DRILL_ASSIGN(a_disclosed, "A",
               DiscloseFrom(a, sensor, evidence_a.index, sc.attack_filter, a_disclosure),
               "disclosing A's packets");
  Say("A", absl::StrCat("disclosed ", a_disclosed.indices.size(), " of ", sensor_packets,
                        " packets (filter: ", sc.attack_filter, ")"));
  json claim = {
      {"attribution", absl::StrCat("The intrusion was controlled from the server ",
                                   sc.attacker_server_ip, " in ", b.country,
                                   ": the same command-and-control sessions were sealed at "
                                   "the operator's edge and at the server.")},
      {"confidence", 85},
      {"attributed_to",
       {{"type", "infrastructure"}, {"name", sc.attacker_server_ip}, {"country", b.country}}},
      {"offences", {"budapest:art2-illegal-access", "budapest:art5-system-interference"}},
      {"evidence",
       {RefJson(a.origin, evidence_a, Kind::kEvidence),
        RefJson(b.origin, evidence_b, Kind::kEvidence)}},
      {"refs",
       {RefJson(a.origin, incident_r, Kind::kIncident),
        RefJson(b.origin, response_r, Kind::kResponse)}},
      {"to", {b.origin, c.origin}}};
  DRILL_ASSIGN(claim_r, "A", Publish(a, Kind::kClaim, claim), "publishing the claim");
  Say("A",
      absl::StrCat("published the attribution claim at ", Position("A", claim_r.index), ", citing ",
                   Position("A", evidence_a.index), " and ", Position("B", evidence_b.index)));

  // 6. C, which took part in nothing, learns of the claim through its monitor and checks
  // it from the logs and the disclosures alone.
  DRILL_ASSIGN(c_picked, "C", WaitInbox(c, a.origin, claim_r.index, absl::Seconds(20)),
               "C's monitor picking up the claim");
  (void)c_picked;
  Say("C", absl::StrCat("monitor picked up A's claim ", Position("A", claim_r.index)));
  for (Party* p : {&a, &b}) {
    DRILL_CHECK(p->letter, WaitWitnessed(*p, p->server->node().log().size(), absl::Seconds(20)),
                "waiting for witnessed checkpoints");
  }
  DRILL_ASSIGN(checked_claim, "C", CheckStatement(a.origin, claim_r.index, claim_r.leaf_hash),
               "C checking the claim in A's log");
  Say("C", absl::StrCat("claim ", Position("A", claim_r.index), " is in A's log (checkpoint ",
                        checked_claim.size, ", cosigned by ",
                        absl::StrJoin(checked_claim.witnesses, ", "), ") and signed by A"));
  json proven = json::array();
  proven.push_back({{"what", "the attribution claim is in A's log, signed by A"},
                    {"position", Position("A", claim_r.index)},
                    {"checkpoint_size", checked_claim.size},
                    {"witnesses", checked_claim.witnesses}});

  struct Cited {
    Party* party;
    node::ReceiptDoc receipt;
    fs::path disclosure;
  };
  std::vector<std::set<Flow>> flows;
  for (const Cited& cited :
       {Cited{&a, evidence_a, a_disclosure}, Cited{&b, evidence_b, b_disclosure}}) {
    const std::string pos = Position(cited.party->letter, cited.receipt.index);
    DRILL_ASSIGN(checked, "C",
                 CheckStatement(cited.party->origin, cited.receipt.index, cited.receipt.leaf_hash),
                 absl::StrCat("C checking evidence ", pos));
    if (checked.statement.kind != Kind::kEvidence) {
      DRILL_CHECK("C", absl::FailedPreconditionError(absl::StrCat(pos, " is not evidence")),
                  "C checking the kind of the cited statement");
    }
    DRILL_ASSIGN(disclosure, "C", CheckDisclosure(cited.disclosure, cited.party->origin),
                 absl::StrCat("C verifying the disclosure of ", pos));
    if (disclosure.statement_leaf_hash != cited.receipt.leaf_hash ||
        disclosure.statement_index != cited.receipt.index) {
      DRILL_CHECK("C",
                  absl::FailedPreconditionError(absl::StrCat(cited.disclosure.filename().string(),
                                                             " discloses another statement")),
                  "C matching the disclosure to the evidence cited");
    }
    Say("C", absl::StrCat("disclosure ", cited.disclosure.filename().string(), ": ",
                          disclosure.indices.size(), " packets proven sealed in evidence ", pos,
                          " (witnessed by ", absl::StrJoin(checked.witnesses, ", "), ")"));
    proven.push_back({{"what", absl::StrCat("packets sealed by ", cited.party->letter,
                                            " at collection, disclosed with proofs")},
                      {"position", pos},
                      {"packets", disclosure.indices.size()},
                      {"disclosure", cited.disclosure.filename().string()},
                      {"checkpoint_size", checked.size},
                      {"witnesses", checked.witnesses}});
    DRILL_ASSIGN(disclosed_flows, "C", FlowsOf(cited.disclosure), "C reading the disclosed flows");
    flows.push_back(std::move(disclosed_flows));
  }
  // The access record is public: anyone sees who fetched what, when and why.
  DRILL_ASSIGN(checked_access, "C", CheckStatement(a.origin, access->index, access->leaf_hash),
               "C checking the access record");
  if (checked_access.statement.kind != Kind::kAccess) {
    DRILL_CHECK("C", absl::FailedPreconditionError("the access record is not an access statement"),
                "C checking the access record");
  }
  Say("C", absl::StrCat("access record ", Position("A", access->index),
                        " is in A's log: B fetched the confidential body of ",
                        Position("A", preserve_r.index)));
  proven.push_back({{"what", "B's fetch of the confidential body is recorded in A's log"},
                    {"position", Position("A", access->index)},
                    {"witnesses", checked_access.witnesses}});
  DRILL_ASSIGN(checked_b_access, "C",
               CheckStatement(b.origin, b_access->index, b_access->leaf_hash),
               "C checking B's access record");
  proven.push_back({{"what", "A's fetch of B's disclosure is recorded in B's log"},
                    {"position", Position("B", b_access->index)},
                    {"witnesses", checked_b_access.witnesses}});

  std::vector<Flow> common;
  std::set_intersection(flows[0].begin(), flows[0].end(), flows[1].begin(), flows[1].end(),
                        std::back_inserter(common));
  if (common.empty()) {
    DRILL_CHECK("C",
                absl::FailedPreconditionError(
                    "the two disclosures share no flow: nothing corroborates the claim"),
                "C corroborating the two captures");
  }
  Say("C", absl::StrCat(common.size(),
                        " flows appear in both parties' sealed captures: the claim's link between "
                        "the operator's network and B's server is corroborated"));
  proven.push_back({{"what", "the same flows were sealed independently by A and by B"},
                    {"flows", common.size()}});

  report["passed"] = true;
  report["claim"] = {{"position", Position("A", claim_r.index)},
                     {"leaf_hash", util::Base64Encode(claim_r.leaf_hash)}};
  report["verified_by"] = c.origin;
  report["proven"] = std::move(proven);
  report["not_proven"] =
      "that the captures are true recordings: only that each is unchanged since its party sealed "
      "it, and which party sealed it when";
  report["pickup_ms"] = {{"request_by_B", pickup_ms}};
  report["procedure"] = std::move(procedure);
  return report;
}

json Drill::Impl::PlaySplitView() {
  json report = {{"scenario", "split-view"}, {"passed", false}};
  Party& a = parties[0];
  Party& b = parties[1];
  Party& c = parties[2];
  // Some history first, followed and witnessed by everyone.
  json incident = {{"title", "Phishing wave against ministries"},
                   {"summary", "Credential phishing from look-alike domains."},
                   {"detected", Rfc3339(absl::Now() - absl::Hours(5))},
                   {"sector", "public_administration"},
                   {"severity", "medium"},
                   {"to", {a.origin, c.origin}}};
  DRILL_ASSIGN(first, "B", Publish(b, Kind::kIncident, incident), "B publishing");
  Say("B", absl::StrCat("published an incident at ", Position("B", first.index)));
  DRILL_CHECK("B", WaitWitnessed(b, first.index + 1, absl::Seconds(20)), "witnessing B's log");
  for (Party* p : {&a, &c}) {
    DRILL_CHECK(p->letter, WaitInbox(*p, b.origin, first.index, absl::Seconds(20)).status(),
                "monitors following B");
  }
  Say("", "A and C follow B's log and have cosigned its checkpoint");

  // B's operator forks the log: a copy of B's node, same keys, shown to C only.
  const uint16_t b_port = b.port;
  b.server->Stop();
  b.server.reset();
  const fs::path fork_data = dir / "B-fork";
  std::error_code ec;
  fs::copy(b.data, fork_data, fs::copy_options::recursive, ec);
  if (ec) {
    DRILL_CHECK("B", absl::InternalError(ec.message()), "copying B's data");
  }
  DRILL_ASSIGN(ports, "", ReservePorts(1), "reserving a port");
  Party fork;
  fork.letter = "B'";
  fork.name = "B's forked log";
  fork.origin = b.origin;
  fork.log_key = b.log_key;
  fork.witness_key = b.witness_key;
  fork.data = fork_data;
  fork.directory_file = fork_data / "directory.json";
  fork.port = ports[0];
  fork.url = absl::StrCat("http://127.0.0.1:", fork.port);
  DRILL_CHECK("B", StartNode(b, b_port, b.data, b.directory_file), "restarting B");
  DRILL_CHECK("B'", StartNode(fork, fork.port, fork.data, fork.directory_file),
              "starting the fork");
  // C's copy of the directory now sends C to the fork for B's log.
  federation::Directory for_c = directory;
  for (auto& entry : for_c.parties) {
    if (entry.origin == b.origin) entry.url = fork.url;
  }
  const std::string for_c_text = federation::FormatDirectory(for_c);
  const store::FileWrite file[] = {{c.directory_file, for_c_text}};
  DRILL_CHECK("C", store::WriteFilesDurably(file), "pointing C at the fork");
  Say("B", absl::StrCat("operator forks B's log: a copy with the same key at ", fork.url,
                        ", shown to C in place of ", b.url));

  // Two different statements at the same position.
  json genuine = incident;
  genuine["title"] = "Phishing wave: indicators updated";
  json forged = incident;
  forged["title"] = "Phishing wave: attributed to party C";
  forged["summary"] = "A statement only C is shown.";
  const absl::Time forked_at = absl::Now();
  DRILL_ASSIGN(g, "B", Publish(b, Kind::kIncident, genuine), "B publishing");
  DRILL_ASSIGN(f, "B'", Publish(fork, Kind::kIncident, forged), "the fork publishing");
  Say("B", absl::StrCat("B's log gets one statement at ", Position("B", g.index),
                        ", the fork another at the same position"));

  // Detection: some honest party proves the split view and publishes it.
  std::vector<Party*> honest;
  for (Party& p : parties) {
    if (&p != &b) honest.push_back(&p);
  }
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  std::map<std::string, double> detected_ms;
  std::string detector;
  while (absl::Now() < deadline && detected_ms.size() < honest.size()) {
    for (Party* p : honest) {
      if (detected_ms.count(p->letter)) continue;
      for (const auto& peer : Fed(*p).monitor().Peers()) {
        if (peer.origin == b.origin && peer.compromised_from) {
          detected_ms[p->letter] = absl::ToDoubleMilliseconds(absl::Now() - forked_at);
          Say(p->letter,
              absl::StrFormat("marks B's log compromised from size %d (%s) after %.0f ms",
                              *peer.compromised_from,
                              peer.compromised_by == "self"
                                  ? "proven by its own witness and monitor"
                                  : "from equivocation statement " + peer.compromised_by,
                              detected_ms[p->letter]));
          if (peer.compromised_by == "self" && detector.empty()) detector = p->letter;
        }
      }
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
  fork.server->Stop();
  if (detected_ms.size() < honest.size()) {
    std::string missing;
    for (Party* p : honest) {
      if (!detected_ms.count(p->letter)) absl::StrAppend(&missing, p->letter, " ");
    }
    DRILL_CHECK("",
                absl::DeadlineExceededError(
                    absl::StrCat("not every honest party caught the split view: ", missing)),
                "detection");
  }

  // The equivocation statement: find it in the detector's log and check it as anyone would.
  // The detectors publish asynchronously: wait for the statements to be durable.
  std::vector<std::pair<Party*, store::IndexedStatement>> statements;
  for (const absl::Time until = absl::Now() + absl::Seconds(10);
       statements.empty() && absl::Now() < until;) {
    for (Party* p : honest) {
      store::IndexQuery q;
      q.kind = "equivocation";
      auto page = p->server->node().List(q);
      if (!page.ok()) continue;
      for (const auto& m : page->statements) statements.emplace_back(p, m);
    }
    if (statements.empty()) absl::SleepFor(absl::Milliseconds(10));
  }
  json published = json::array();
  for (auto& [p, m] : statements) {
    DRILL_CHECK(p->letter, WaitWitnessed(*p, m.index + 1, absl::Seconds(20)),
                "witnessing the equivocation statement");
    {
      DRILL_ASSIGN(checked, p->letter, CheckStatement(p->origin, m.index, m.leaf_hash),
                   "checking the equivocation statement");
      DRILL_ASSIGN(view, p->letter, federation::SplitViewOf(checked.statement),
                   "reading the split view");
      DRILL_CHECK(
          p->letter,
          federation::VerifySplitView(view, *directory.FindByOrigin(b.origin)->log_verifier),
          "verifying the split view");
      Say(p->letter, absl::StrCat("equivocation statement ", Position(p->letter, m.index),
                                  ": two checkpoints signed by B that cannot both be true; "
                                  "verified from the log"));
      // Every other honest party reads it in the detector's log.
      json readers = json::array();
      for (Party* other : honest) {
        if (other == p) continue;
        DRILL_ASSIGN(item, other->letter, WaitInbox(*other, p->origin, m.index, absl::Seconds(20)),
                     "picking up the equivocation statement");
        (void)item;
        readers.push_back(other->letter);
        Say(other->letter,
            absl::StrCat("picked up the equivocation statement ", Position(p->letter, m.index),
                         " from ", p->letter, "'s log"));
      }
      published.push_back({{"position", Position(p->letter, m.index)},
                           {"witnesses", checked.witnesses},
                           {"read_by", readers}});
    }
  }
  if (published.empty()) {
    DRILL_CHECK("", absl::NotFoundError("no equivocation statement was published"),
                "finding the equivocation statement");
  }
  double first_ms = 1e18;
  for (const auto& [letter, ms] : detected_ms) first_ms = std::min(first_ms, ms);
  report["passed"] = true;
  report["fork"] = {{"origin", b.origin},
                    {"position", Position("B", g.index)},
                    {"genuine_leaf_hash", util::Base64Encode(g.leaf_hash)},
                    {"forged_leaf_hash", util::Base64Encode(f.leaf_hash)}};
  report["detected_by"] = detector;
  report["detection_ms"] = detected_ms;
  report["first_detection_ms"] = first_ms;
  report["poll_interval_ms"] = absl::ToDoubleMilliseconds(options.poll_interval);
  report["equivocation_statements"] = std::move(published);
  return report;
}

json Drill::Impl::PlayDeadline() {
  json report = {{"scenario", "deadline"}, {"passed", false}};
  Party& a = parties[0];
  Party& b = parties[1];
  json request = {{"request_type", "assistance_24_7"},
                  {"legal_basis", {"Budapest Art. 35", "UNCC Art. 41"}},
                  {"urgency", "emergency"},
                  {"summary",
                   "Ransomware spreading through a hospital network from a host in your "
                   "territory: immediate assistance requested."},
                  {"data_sought", "Contact at the host's network operator."},
                  {"offences", {"budapest:art5-system-interference"}},
                  {"to", {b.origin}}};
  DRILL_ASSIGN(r, "A", Publish(a, Kind::kRequest, request), "the emergency request");
  Say("A", absl::StrCat("emergency 24/7 request to B at ", Position("A", r.index),
                        "; acknowledgement due within ", absl::FormatDuration(options.deadline_ack),
                        " (drill setting)"));
  DRILL_CHECK("B", WaitInbox(b, a.origin, r.index, absl::Seconds(20)).status(),
              "B's monitor picking up the request");
  Say("B", "picked up the request, and does not answer");
  // Statements carry times to the second: wait a full second past the deadline so that
  // the late answer is late by its own timestamp too.
  absl::SleepFor(options.deadline_ack + absl::Milliseconds(1200));
  json flagged = json::object();
  for (Party* p : {&a, &b}) {
    DRILL_ASSIGN(c, p->letter, CaseOf(*p, a.origin, r.index), "reading the case");
    if (!c.value("overdue", false)) {
      DRILL_CHECK(p->letter,
                  absl::FailedPreconditionError(absl::StrCat(
                      p->letter, "'s case view does not flag the missed deadline: ", c.dump())),
                  "flagging the overdue request");
    }
    std::string awaiting;
    for (const auto& w : c["awaiting"]) absl::StrAppend(&awaiting, w.get<std::string>(), "; ");
    Say(p->letter, absl::StrCat("case view flags the request OVERDUE; awaiting: ", awaiting));
    flagged[p->letter] = c["procedures"];
  }
  DRILL_ASSIGN(ack, "B",
               Publish(b, Kind::kResponse,
                       {{"request", RefJson(a.origin, r, Kind::kRequest)},
                        {"status", "acknowledged"},
                        {"summary", "Acknowledged late."},
                        {"to", {a.origin}}}),
               "B acknowledging late");
  Say("B", absl::StrCat("acknowledges late at ", Position("B", ack.index)));
  DRILL_CHECK("A", WaitInbox(a, b.origin, ack.index, absl::Seconds(20)).status(),
              "A picking up the late acknowledgement");
  DRILL_ASSIGN(after, "A", CaseOf(a, a.origin, r.index), "reading the case");
  bool met_late = false;
  for (const auto& proc : after["procedures"]) {
    for (const auto& d : proc["deadlines"]) {
      if (d["kind"] == "acknowledgement" && d.contains("met") && d.value("overdue", false))
        met_late = true;
    }
  }
  if (!met_late) {
    DRILL_CHECK("A",
                absl::FailedPreconditionError("the late acknowledgement is not shown as met late"),
                "showing the deadline met late");
  }
  Say("A", "case view: acknowledgement received, after its deadline (kept flagged as late)");
  report["passed"] = true;
  report["request"] = Position("A", r.index);
  report["flagged"] = std::move(flagged);
  return report;
}

json Drill::Impl::PlayPickup() {
  json report = {{"scenario", "pickup"}, {"passed", false}};
  Party& a = parties[0];
  Party& b = parties[1];
  std::mt19937_64 rng(options.seed);
  std::vector<std::pair<uint64_t, absl::Time>> sent;
  for (int i = 0; i < options.pickup_count; ++i) {
    json incident = {{"title", absl::StrCat("Exercise message ", i + 1)},
                     {"summary", "Pickup latency measurement."},
                     {"detected", Rfc3339(absl::Now())},
                     {"sector", "digital_infrastructure"},
                     {"severity", "low"},
                     {"to", {b.origin}}};
    const absl::Time t = absl::Now();
    DRILL_ASSIGN(r, "A", Publish(a, Kind::kIncident, incident), "A publishing");
    sent.emplace_back(r.index, t);
    absl::SleepFor(absl::Milliseconds(rng() % 20));
  }
  Say("A", absl::StrCat("sent ", sent.size(), " statements to B"));
  std::vector<double> ms;
  for (const auto& [index, t] : sent) {
    DRILL_ASSIGN(item, "B", WaitInbox(b, a.origin, index, absl::Seconds(30)), "B picking up");
    ms.push_back(absl::ToDoubleMilliseconds(absl::FromUnixMillis(item.picked_up_unix_ms) - t));
  }
  report["passed"] = true;
  report["statements"] = ms.size();
  report["poll_interval_ms"] = absl::ToDoubleMilliseconds(options.poll_interval);
  report["pickup_ms"] = {{"median", Percentile(ms, 0.5)},
                         {"p90", Percentile(ms, 0.9)},
                         {"p99", Percentile(ms, 0.99)},
                         {"max", Percentile(ms, 1.0)}};
  Say("B", absl::StrFormat("picked up all %d: median %.0f ms, p99 %.0f ms (poll interval %.0f ms)",
                           static_cast<int>(ms.size()), Percentile(ms, 0.5), Percentile(ms, 0.99),
                           absl::ToDoubleMilliseconds(options.poll_interval)));
  return report;
}

#undef DRILL_CHECK
#undef DRILL_ASSIGN
#undef DRILL_CONCAT
#undef DRILL_CONCAT_

const std::vector<std::string>& Drill::Scenarios() {
  static const auto* kNames =
      new std::vector<std::string>{"grid", "split-view", "deadline", "pickup"};
  return *kNames;
}

Drill::Drill(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Drill::~Drill() = default;

absl::StatusOr<std::unique_ptr<Drill>> Drill::Start(DrillOptions options) {
  const auto& names = Scenarios();
  if (std::find(names.begin(), names.end(), options.scenario) == names.end()) {
    return absl::InvalidArgumentError(absl::StrCat("unknown scenario \"", options.scenario,
                                                   "\"; scenarios: ", absl::StrJoin(names, ", ")));
  }
  if (options.parties < 3 || options.parties > kMaxParties) {
    return absl::InvalidArgumentError(
        absl::StrCat("--parties must be 3 to ", kMaxParties, " (the scenarios need A, B and C)"));
  }
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  if (options.dir.empty()) {
    std::random_device rd;
    impl->dir = fs::temp_directory_path() / absl::StrCat("accord-drill-", rd() % 1000000);
  } else {
    impl->dir = options.dir;
    if (fs::exists(impl->dir) && !fs::is_empty(impl->dir)) {
      return absl::AlreadyExistsError(
          absl::StrCat(impl->dir.string(), " is not empty: the drill needs a fresh folder"));
    }
  }
  if (auto s = store::MakeDirsDurably(impl->dir); !s.ok()) return s;
  if (auto s = impl->Setup(); !s.ok()) return s;
  return std::unique_ptr<Drill>(new Drill(std::move(impl)));
}

json Drill::Play() {
  json report;
  if (impl_->options.scenario == "split-view") {
    report = impl_->PlaySplitView();
  } else if (impl_->options.scenario == "deadline") {
    report = impl_->PlayDeadline();
  } else if (impl_->options.scenario == "pickup") {
    report = impl_->PlayPickup();
  } else {
    report = impl_->PlayGrid();
  }
  json parties = json::array();
  for (auto& p : impl_->parties) {
    if (!p.server) continue;
    const std::string cp = p.server->node().published_checkpoint();
    parties.push_back(
        {{"party", p.letter},
         {"name", p.name},
         {"origin", p.origin},
         {"url", p.url},
         {"size", p.server->node().log().size()},
         {"witnessed_by", federation::CosigningWitnesses(impl_->directory, p.origin, cp)}});
  }
  json timeline = json::array();
  for (const Event& e : impl_->timeline) {
    timeline.push_back({{"at_ms", absl::ToInt64Milliseconds(e.at)},
                        {"party", e.party},
                        {"what", e.what},
                        {"ok", e.ok}});
  }
  report["parties"] = std::move(parties);
  report["directory"] = (impl_->dir / "directory.json").string();
  report["timeline"] = std::move(timeline);
  return report;
}

std::vector<Drill::NodeInfo> Drill::Nodes() const {
  std::vector<NodeInfo> out;
  for (const auto& p : impl_->parties) {
    out.push_back({p.letter, p.name, p.origin, p.url, p.data.string()});
  }
  return out;
}

const fs::path& Drill::dir() const { return impl_->dir; }

node::NodeServer* Drill::Server(std::string_view letter) {
  for (auto& p : impl_->parties) {
    if (p.letter == letter) return p.server.get();
  }
  return nullptr;
}

absl::Status Drill::StopNode(std::string_view letter) {
  for (auto& p : impl_->parties) {
    if (p.letter != letter) continue;
    if (p.server) p.server->Stop();
    p.server.reset();
    impl_->Say(p.letter, "node stopped");
    return absl::OkStatus();
  }
  return absl::NotFoundError(absl::StrCat("no party ", std::string(letter)));
}

absl::Status Drill::RestartNode(std::string_view letter) {
  for (auto& p : impl_->parties) {
    if (p.letter != letter) continue;
    if (p.server) return absl::FailedPreconditionError("the node is running");
    if (auto s = impl_->StartNode(p, p.port, p.data, p.directory_file); !s.ok()) return s;
    impl_->Say(p.letter, absl::StrCat("node restarted at ", p.url));
    return absl::OkStatus();
  }
  return absl::NotFoundError(absl::StrCat("no party ", std::string(letter)));
}

}  // namespace accord::drill
