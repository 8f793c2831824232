// Internal to the drill (drill*.cc): the harness (Drill::Impl) shared by the scenarios,
// each of which lives in its own file (drill_grid.cc and drill_grid_verify.cc,
// drill_split_view.cc, drill_timing.cc) as a list of steps (ScenarioPlay, RunSteps), and
// the small helpers they use.
#ifndef ACCORD_DRILL_DRILL_INTERNAL_H_
#define ACCORD_DRILL_DRILL_INTERNAL_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <set>
#include <span>
#include <thread>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "src/casework/body_client.h"
#include "src/casework/confidential.h"
#include "src/drill/drill.h"
#include "src/drill/synthetic.h"
#include "src/federation/equivocation.h"
#include "src/federation/federation.h"
#include "src/http/server.h"
#include "src/log/log.h"
#include "src/node/api.h"
#include "src/node/client.h"
#include "src/note/checkpoint.h"
#include "src/note/note.h"
#include "src/party/party.h"
#include "src/seal/byte_source.h"
#include "src/seal/capture.h"
#include "src/seal/evidence_log.h"
#include "src/seal/seal.h"
#include "src/seal/select.h"
#include "src/statement/statement.h"
#include "src/store/durable_file.h"
#include "src/store/statement_index.h"
#include "src/util/encoding.h"
#include "src/util/strings.h"
#include "src/util/time.h"
#include "src/verify/claim_check.h"

namespace accord::drill {
namespace fs = std::filesystem;
using json = nlohmann::ordered_json;
using statement::Kind;

namespace internal {

struct PartyInfo {
  const char* letter;
  const char* name;
  const char* host;
  const char* country;  // ISO 3166 user-assigned codes: no real country is meant
};
inline constexpr int kMaxParties = 8;
extern const PartyInfo kParties[kMaxParties];

using util::Rfc3339;
json RefJson(const std::string& origin, const node::ReceiptDoc& r, Kind kind);
std::string Position(const std::string& letter, uint64_t index);
double Percentile(std::vector<double> v, double p);
// The transport 5-tuples of a capture's IPv4 TCP/UDP packets (Ethernet or raw IP),
// endpoints ordered so both directions of a flow give one key.
using Flow = std::tuple<uint8_t, uint32_t, uint16_t, uint32_t, uint16_t>;
absl::StatusOr<std::set<Flow>> FlowsOf(const fs::path& capture);

}  // namespace internal

using namespace internal;  // NOLINT: the drill's own files only

struct Drill::Impl {
  struct Party {
    std::string letter, name, origin, host, country;
    fs::path data, directory_file;
    note::KeyPair log_key;  // the party key, as in DATA/party.key
    uint16_t port = 0;
    std::string url;
    std::unique_ptr<node::NodeServer> server;
  };

  DrillOptions options;
  fs::path dir;
  bool made_dir = false;  // `dir` is a temporary folder this drill created
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
    if (made_dir && !options.keep) {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  }

  void Say(const std::string& party, std::string what, bool ok = true) {
    Event e{absl::Now() - t0, party, std::move(what), ok};
    timeline.push_back(e);
    if (options.on_event) options.on_event(e);
  }

  federation::Federation& Fed(Party& p) {
    return static_cast<party::PartyExtension*>(p.server->extension())->federation();
  }

  absl::Status StartNode(Party& p, uint16_t port, const fs::path& data,
                         const fs::path& directory_file) {
    party::PartyOptions o;
    o.node.data_dir = data;
    o.key_file = data / "party.key";
    o.node.sequencer.max_delay = absl::Milliseconds(2);
    o.http.listen = absl::StrCat("127.0.0.1:", port);
    federation::FederationOptions f;
    f.directory_file = directory_file;
    f.poll_interval = options.poll_interval;
    f.request_timeout = absl::Seconds(2);
    o.federation = std::move(f);
    if (options.scenario == "deadline") o.casework.ack_emergency = options.deadline_ack;
    auto server = party::StartParty(std::move(o));
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
    auto ports = http::ReserveLoopbackPorts(options.parties);
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
      // Provisioned as `accord directory entry` does: the keys in the data folder.
      auto keys = party::LoadOrCreateKeys(p.data, p.origin);
      if (!keys.ok()) return keys.status();
      auto skey = store::ReadWholeFile(party::KeyFiles::In(p.data).party_key);
      if (!skey.ok()) return skey.status();
      p.log_key = {std::string(util::StripWhitespace(*skey)), keys->log.VerifierKeyString()};
      federation::Party entry = party::DirectoryEntry(*keys, p.name, p.url, {});
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
    uint64_t size = 0;
    std::vector<std::string> witnesses;
    statement::Statement statement;
  };
  absl::StatusOr<Checked> CheckStatement(const std::string& origin, uint64_t index,
                                         const crypto::Digest& leaf_hash) {
    auto p = verify::ReadPublished(directory, *validator, origin, index, leaf_hash);
    if (!p.ok()) return p.status();
    if (!p->witnessed) {
      return absl::FailedPreconditionError(
          absl::StrCat(origin, "'s checkpoint carries ", p->witnesses.size(),
                       " valid witness cosignatures; the policy needs ", directory.witness_quorum));
    }
    return Checked{p->checkpoint_size, std::move(p->witnesses), std::move(p->statement)};
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

  party::PartyExtension& Party_(Party& p) {
    return *static_cast<party::PartyExtension*>(p.server->extension());
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

// A scenario in play: the harness, and the report the scenario fills. A scenario's
// context derives from this and holds what its steps share; each step is a member
// function that returns false when it failed (Fail has then recorded the failure in the
// timeline and the report). RunSteps plays the steps in order and stops at a failed one,
// so that each Play* reads as its scenario's script.
struct ScenarioPlay {
  ScenarioPlay(Drill::Impl& d, std::string_view scenario)
      : drill(d), report{{"scenario", std::string(scenario)}, {"passed", false}} {}

  void Say(const std::string& party, std::string what) { drill.Say(party, std::move(what)); }
  // Records that `what`, done by `party`, failed with `status`. Returns false, the
  // failed step's result.
  bool Fail(const std::string& party, const std::string& what, const absl::Status& status) {
    drill.Say(party, absl::StrCat(what, " FAILED: ", status.message()), false);
    report["passed"] = false;
    report["failure"] = absl::StrCat(what, ": ", status.message());
    return false;
  }

  Drill::Impl& drill;
  json report;
};

// Plays `steps` of `play` in order until one fails; returns the report. `Play::Step` is
// a pointer to a step of Play: `bool (Play::*)()`.
template <typename Play>
json RunSteps(Play& play, std::span<const typename Play::Step> steps) {
  for (auto step : steps) {
    if (!(play.*step)()) break;
  }
  return std::move(play.report);
}

// In a step: an action that fails is recorded and fails the step (Abseil's
// ASSIGN_OR_RETURN pattern). DRILL_ASSIGN's `lhs` declares a variable (`auto x`) or
// names one, such as a member that later steps read.
#define DRILL_CONCAT_(a, b) a##b
#define DRILL_CONCAT(a, b) DRILL_CONCAT_(a, b)
#define DRILL_ASSIGN(lhs, party, expr, what)                              \
  auto DRILL_CONCAT(drill_or_, __LINE__) = (expr);                        \
  if (!DRILL_CONCAT(drill_or_, __LINE__).ok()) {                          \
    return Fail(party, what, DRILL_CONCAT(drill_or_, __LINE__).status()); \
  }                                                                       \
  lhs = *std::move(DRILL_CONCAT(drill_or_, __LINE__))  // NOLINT(bugprone-macro-parentheses)
#define DRILL_CHECK(party, expr, what)                                    \
  do {                                                                    \
    if (absl::Status s_ = (expr); !s_.ok()) return Fail(party, what, s_); \
  } while (false)

}  // namespace accord::drill

#endif  // ACCORD_DRILL_DRILL_INTERNAL_H_
