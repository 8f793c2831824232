// The federation end to end: real nodes on 127.0.0.1 (the drill's harness), talking only
// HTTP to each other — witnessing, monitoring, outages, restarts — and the drill's
// scenarios themselves.
#include "src/drill/drill.h"

#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "src/casework/body_client.h"
#include "src/casework/confidential.h"
#include "src/federation/directory.h"
#include "src/federation/federation.h"
#include "src/http/client.h"
#include "src/node/client.h"
#include "src/node/testing.h"
#include "src/note/checkpoint.h"
#include "src/note/note.h"
#include "src/party/party.h"
#include "src/test/temp_dir.h"

namespace accord::drill {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using json = nlohmann::json;

DrillOptions Options(std::string scenario, int quorum = -1) {
  DrillOptions o;
  o.scenario = std::move(scenario);
  o.poll_interval = absl::Milliseconds(100);
  o.witness_quorum = quorum;
  o.pickup_count = 30;
  return o;
}

Drill::NodeInfo Info(Drill& d, const std::string& letter) {
  for (const auto& n : d.Nodes()) {
    if (n.letter == letter) return n;
  }
  ADD_FAILURE() << "no party " << letter;
  return {};
}

json GetJson(const std::string& url, const std::string& target) {
  auto client = http::Client::Create(url);
  EXPECT_TRUE(client.ok());
  auto r = (*client)->Get(target);
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok()) return json();
  return json::parse(r->body, nullptr, false);
}

// Publishes an incident by `from` addressed to `to`; returns its index.
uint64_t PublishTo(Drill& d, const std::string& from, const std::string& to, int nonce) {
  const auto f = Info(d, from), t = Info(d, to);
  auto signer = node::testing::KeyFromFile(std::filesystem::path(f.data) / "party.key");
  json p = node::testing::ExamplePayload(statement::Kind::kIncident, f.origin, nonce);
  p["to"] = {t.origin};
  auto envelope = statement::Sign(statement::Kind::kIncident, p.dump(), signer);
  EXPECT_TRUE(envelope.ok());
  auto client = node::NodeClient::Create(f.url);
  auto receipt = (*client)->Submit(*envelope);
  EXPECT_TRUE(receipt.ok()) << receipt.status();
  return receipt.ok() ? receipt->index : 0;
}

// Waits until `letter`'s GET /checkpoint covers `size` with `quorum` cosignatures.
bool WaitCosigned(Drill& d, const std::string& letter, uint64_t size, size_t quorum,
                  absl::Duration timeout) {
  const auto info = Info(d, letter);
  auto directory = federation::LoadDirectory(d.dir() / "directory.json");
  EXPECT_TRUE(directory.ok());
  auto client = http::Client::Create(info.url);
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    auto r = (*client)->Get("/checkpoint");
    if (r.ok()) {
      auto n = note::Parse(r->body);
      auto cp = n.ok() ? note::ParseCheckpoint(n->text) : absl::StatusOr<note::Checkpoint>();
      if (cp.ok() && cp->size >= size &&
          federation::CountCosignatures(*directory, info.origin, r->body) >= quorum) {
        return true;
      }
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  return false;
}

bool WaitInbox(Drill& d, const std::string& letter, const std::string& from_origin, uint64_t index,
               absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    json page = GetJson(Info(d, letter).url, "/v1/inbox?limit=1000");
    for (const auto& item : page["items"]) {
      if (item["origin"] == from_origin && item["index"] == index) return true;
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  return false;
}

TEST(DrillTest, GridScenarioVerifies) {
  auto d = Drill::Start(Options("grid"));
  ASSERT_TRUE(d.ok()) << d.status();
  json report = (*d)->Play();
  ASSERT_TRUE(report["passed"].get<bool>()) << report.dump(2);
  EXPECT_EQ(report["verified_by"], Info(**d, "C").origin);
  EXPECT_GE(report["proven"].size(), 4u);
  // Every node's checkpoint carries the cosignatures of both other parties.
  for (const auto& p : report["parties"]) EXPECT_EQ(p["witnessed_by"].size(), 2u) << p.dump();
}

TEST(DrillTest, SplitViewIsCaughtAndPublished) {
  auto d = Drill::Start(Options("split-view"));
  ASSERT_TRUE(d.ok()) << d.status();
  json report = (*d)->Play();
  ASSERT_TRUE(report["passed"].get<bool>()) << report.dump(2);
  EXPECT_FALSE(report["equivocation_statements"].empty());
  EXPECT_EQ(report["detection_ms"].size(), 2u);  // A and C
}

TEST(DrillTest, DeadlineScenarioFlagsTheOverdueRequestOnBothSides) {
  auto d = Drill::Start(Options("deadline"));
  ASSERT_TRUE(d.ok()) << d.status();
  json report = (*d)->Play();
  ASSERT_TRUE(report["passed"].get<bool>()) << report.dump(2);
  EXPECT_TRUE(report["flagged"].contains("A"));
  EXPECT_TRUE(report["flagged"].contains("B"));
}

// The grid scenario's case, as A's node serves it: every procedure closed or waiting
// on nobody, nothing overdue, each statement with its log position.
TEST(DrillTest, CasesJoinTheMatterAcrossLogs) {
  auto d = Drill::Start(Options("grid"));
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_TRUE((*d)->Play()["passed"].get<bool>());
  json list = GetJson(Info(**d, "A").url, "/v1/cases");
  ASSERT_EQ(list["cases"].size(), 1u) << list.dump(2);
  const json& summary = list["cases"][0];
  EXPECT_EQ(summary["requests"], 3);
  EXPECT_FALSE(summary["overdue"].get<bool>());
  json c = GetJson(Info(**d, "A").url, "/v1/cases/" + summary["id"].get<std::string>());
  std::set<std::string> kinds;
  for (const auto& item : c["items"]) kinds.insert(item["kind"]);
  EXPECT_EQ(kinds, (std::set<std::string>{"incident", "evidence", "request", "response", "access",
                                          "claim"}));
  std::map<std::string, std::string> states;
  for (const auto& p : c["procedures"]) states[p["request_type"]] = p["state"];
  EXPECT_EQ(states["assistance_24_7"], "executed");
  EXPECT_EQ(states["preservation"], "preserved");
  EXPECT_EQ(states["traffic_disclosure"], "refused");
  EXPECT_EQ(GetJson(Info(**d, "A").url, "/v1/cases/nope").value("status", 0), 404);
}

// Confidential bodies through the real nodes: only the addressee reads, every read is
// recorded, and a party cannot answer a request it was never sent.
TEST(DrillTest, OnlyTheAddresseeReadsABodyAndOnlyAddresseesAnswer) {
  auto d = Drill::Start(Options("grid"));
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_TRUE((*d)->Play()["passed"].get<bool>());
  const auto a = Info(**d, "A"), b = Info(**d, "B"), c = Info(**d, "C");
  // The preservation request carries the commitment.
  std::string commitment;
  uint64_t request_index = 0;
  json list = GetJson(a.url, "/v1/statements?kind=request");
  for (const auto& m : list["statements"]) {
    json record = GetJson(a.url, absl::StrCat("/v1/statements/", m["index"].get<uint64_t>()));
    auto envelope = statement::ParseEnvelope(record["envelope"].get<std::string>());
    ASSERT_TRUE(envelope.ok());
    json payload = json::parse(envelope->payload);
    if (payload.contains("private")) {
      commitment = payload["private"]["sha256"];
      request_index = m["index"];
    }
  }
  ASSERT_FALSE(commitment.empty());
  auto skey = [](const Drill::NodeInfo& n) {
    std::ifstream in(std::filesystem::path(n.data) / "party.key");
    std::string line;
    std::getline(in, line);
    return line;
  };
  const size_t access_before = GetJson(a.url, "/v1/statements?kind=access")["statements"].size();
  auto c_box = party::LoadOrCreateBoxKey(std::filesystem::path(c.data) / "box.key", false);
  ASSERT_TRUE(c_box.ok());
  auto denied = casework::FetchBody(a.url, skey(c), *c_box, commitment);
  EXPECT_EQ(denied.status().code(), absl::StatusCode::kPermissionDenied) << denied.status();
  EXPECT_EQ(denied.status().message().find(commitment), std::string::npos);
  // The same denial for a commitment that does not exist: nothing to learn from it.
  auto unknown = casework::FetchBody(a.url, skey(c), *c_box, std::string(64, 'a'));
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(GetJson(a.url, "/v1/statements?kind=access")["statements"].size(), access_before);
  auto metrics = http::Client::Create(a.url);
  EXPECT_EQ((*metrics)->Get("/metrics")->body.find(commitment), std::string::npos);

  auto b_box = party::LoadOrCreateBoxKey(std::filesystem::path(b.data) / "box.key", false);
  auto again = casework::FetchBody(a.url, skey(b), *b_box, commitment);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(GetJson(a.url, "/v1/statements?kind=access")["statements"].size(), access_before + 1);

  // C answers A's request: C's node has never received it, and refuses.
  auto c_signer = node::testing::KeyFromFile(std::filesystem::path(c.data) / "party.key");
  json record = GetJson(a.url, absl::StrCat("/v1/statements/", request_index));
  json response = {
      {"kind", "response"},
      {"issuer", c.origin},
      {"issued", absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now(), absl::UTCTimeZone())},
      {"request",
       {{"origin", a.origin},
        {"index", request_index},
        {"leaf_hash", record["leaf_hash"]},
        {"kind", "request"}}},
      {"status", "acknowledged"},
      {"to", {a.origin}}};
  auto envelope = statement::Sign(statement::Kind::kResponse, response.dump(), c_signer);
  ASSERT_TRUE(envelope.ok());
  auto client = node::NodeClient::Create(c.url);
  auto refused = (*client)->Submit(*envelope);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition) << refused.status();
  EXPECT_NE(refused.status().message().find("procedure-violation"), std::string::npos)
      << refused.status();
}

TEST(DrillTest, PickupScenarioMeasures) {
  auto d = Drill::Start(Options("pickup"));
  ASSERT_TRUE(d.ok()) << d.status();
  json report = (*d)->Play();
  ASSERT_TRUE(report["passed"].get<bool>()) << report.dump(2);
  EXPECT_EQ(report["statements"], 30);
  EXPECT_GT(report["pickup_ms"]["p99"].get<double>(), 0);
}

TEST(DrillTest, APeerDownDoesNotStallTheOthers) {
  auto d = Drill::Start(Options("grid", /*quorum=*/1));
  ASSERT_TRUE(d.ok()) << d.status();
  Drill& drill = **d;
  ASSERT_TRUE(drill.StopNode("C").ok());

  const uint64_t index = PublishTo(drill, "A", "B", 1);
  // A's checkpoint still gets B's cosignature, and B still follows A.
  EXPECT_TRUE(WaitCosigned(drill, "A", index + 1, 1, absl::Seconds(10)));
  EXPECT_TRUE(WaitInbox(drill, "B", Info(drill, "A").origin, index, absl::Seconds(10)));

  // A says what is wrong: C's witness fails and C's log is unreachable.
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  json health;
  while (absl::Now() < deadline) {
    health = GetJson(Info(drill, "A").url, "/healthz");
    const auto& peers = health["federation"]["peers"];
    if (peers.contains(Info(drill, "C").origin) &&
        peers[Info(drill, "C").origin]["state"] == "unreachable")
      break;
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(health["status"], "degraded") << health.dump(2);
  EXPECT_EQ(health["federation"]["peers"][Info(drill, "C").origin]["state"], "unreachable")
      << health.dump(2);
  EXPECT_EQ(health["federation"]["peers"][Info(drill, "B").origin]["state"], "ok");
  bool witness_error = false;
  for (const auto& [name, w] : health["federation"]["witnesses"].items()) {
    if (name == federation::WitnessNameFor(Info(drill, "C").origin))
      witness_error = !w["last_error"].get<std::string>().empty();
  }
  EXPECT_TRUE(witness_error) << health.dump(2);

  // C comes back and catches up on what it missed.
  ASSERT_TRUE(drill.RestartNode("C").ok());
  const uint64_t later = PublishTo(drill, "A", "C", 2);
  EXPECT_TRUE(WaitInbox(drill, "C", Info(drill, "A").origin, later, absl::Seconds(15)));
  EXPECT_TRUE(WaitCosigned(drill, "A", later + 1, 2, absl::Seconds(15)));
}

TEST(DrillTest, MonitorResumesAfterRestartWithoutRereading) {
  auto d = Drill::Start(Options("grid"));
  ASSERT_TRUE(d.ok()) << d.status();
  Drill& drill = **d;
  const std::string a = Info(drill, "A").origin;
  const uint64_t first = PublishTo(drill, "A", "B", 1);
  ASSERT_TRUE(WaitInbox(drill, "B", a, first, absl::Seconds(10)));
  ASSERT_TRUE(drill.StopNode("B").ok());
  // A cannot get B's cosignature now (quorum 2), so B's monitor must catch up later.
  std::vector<uint64_t> missed;
  for (int i = 0; i < 5; ++i) missed.push_back(PublishTo(drill, "A", "B", 10 + i));
  ASSERT_TRUE(drill.RestartNode("B").ok());
  for (uint64_t i : missed) EXPECT_TRUE(WaitInbox(drill, "B", a, i, absl::Seconds(15))) << i;
  // Each statement is in the inbox exactly once.
  json page = GetJson(Info(drill, "B").url, "/v1/inbox?limit=1000");
  std::map<uint64_t, int> seen;
  for (const auto& item : page["items"]) {
    if (item["origin"] == a) ++seen[item["index"].get<uint64_t>()];
  }
  for (const auto& [index, n] : seen) EXPECT_EQ(n, 1) << index;
  EXPECT_EQ(seen.size(), missed.size() + 1);
}

TEST(DrillTest, ANodeTheDirectoryDoesNotListRefusesToStart) {
  auto d = Drill::Start(Options("grid"));
  ASSERT_TRUE(d.ok()) << d.status();
  node::testing::TempDir data;
  party::PartyOptions o;
  o.node.data_dir = data.path();
  o.name = "cert.stranger.example/log";
  federation::FederationOptions f;
  f.directory_file = (*d)->dir() / "directory.json";
  o.federation = std::move(f);
  auto server = party::StartParty(std::move(o));
  EXPECT_EQ(server.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(server.status().message(), HasSubstr("does not list this node's log"));
}

// A federated node serves exactly what docs/openapi.yaml documents, federation included.
TEST(DrillTest, OpenApiDocumentsTheFederatedRoutes) {
  auto d = Drill::Start(Options("grid"));
  ASSERT_TRUE(d.ok()) << d.status();
  std::set<std::pair<std::string, std::string>> served;
  for (const auto& r : (*d)->Server("A")->Routes()) served.insert({r.method, r.pattern});
  EXPECT_EQ(node::testing::DocumentedRoutes(/*federated=*/true), served);
}

// Nothing accord did not create is ever deleted: a named folder that is not empty is
// refused and left exactly as it was; a named folder the drill filled is kept; only the
// temporary folder the drill made itself goes when it ends.
TEST(DrillTest, KeepsEveryFolderItDidNotCreate) {
  test::TempDir scratch;
  const fs::path mine = scratch.path() / "mine";
  fs::create_directories(mine);
  { std::ofstream(mine / "notes.txt") << "someone's notes"; }
  auto o = Options("grid");
  o.dir = mine;
  auto refused = Drill::Start(o);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kAlreadyExists);
  refused = absl::UnknownError("");  // destroy whatever was made
  ASSERT_TRUE(fs::exists(mine / "notes.txt"));
  EXPECT_EQ(std::distance(fs::directory_iterator(mine), fs::directory_iterator()), 1);

  o.dir = scratch.path() / "named";
  fs::path temporary;
  {
    auto named = Drill::Start(o);
    ASSERT_TRUE(named.ok()) << named.status();
    auto t = Drill::Start(Options("grid"));
    ASSERT_TRUE(t.ok()) << t.status();
    temporary = (*t)->dir();
    EXPECT_TRUE(fs::exists(temporary / "directory.json"));
  }
  EXPECT_TRUE(fs::exists(o.dir / "directory.json"));  // named: kept
  EXPECT_FALSE(fs::exists(temporary));                // made by the drill: removed
}

TEST(DrillTest, RejectsBadOptions) {
  auto o = Options("no-such-scenario");
  EXPECT_EQ(Drill::Start(o).status().code(), absl::StatusCode::kInvalidArgument);
  o = Options("grid");
  o.parties = 2;
  EXPECT_EQ(Drill::Start(o).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace accord::drill
