// The monitor against real nodes on 127.0.0.1.
#include "src/federation/monitor.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "src/federation/equivocation.h"
#include "src/log/log.h"
#include "src/node/api.h"
#include "src/node/testing.h"
#include "src/note/checkpoint.h"
#include "src/statement/testing.h"
#include "src/store/log_storage.h"
#include "src/store/monitor_state.h"
#include "src/util/encoding.h"

namespace accord::federation {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using statement::Kind;

constexpr char kSelf[] = "cert.self.example/log";
constexpr char kA[] = "cert.a.example/log";
constexpr char kB[] = "cert.b.example/log";

struct PeerNode {
  std::string origin;
  fs::path data;
  std::unique_ptr<node::NodeServer> server;
  std::unique_ptr<note::Ed25519Signer> key;
  int nonce = 0;

  absl::Status Start() {
    node::NodeServerOptions o;
    o.node.data_dir = data;
    o.node.key = node::testing::PartyKeyIn(o.node.data_dir, origin);
    o.node.stores = node::testing::EmbeddedStoresIn(o.node.data_dir);
    o.node.sequencer.max_delay = absl::Milliseconds(2);
    auto s = node::NodeServer::Start(std::move(o));
    if (!s.ok()) return s.status();
    server = *std::move(s);
    // These peers run no monitor of their own: refs into other logs are taken as given
    // (what is under test is the monitor that reads them).
    server->node().SetRefResolver([](const statement::Ref&) { return absl::OkStatus(); });
    key = std::make_unique<note::Ed25519Signer>(node::testing::KeyFromFile(data / "party.key"));
    return absl::OkStatus();
  }
  std::string url() const { return server->url(); }
  uint64_t size() { return server->node().log().size(); }

  // An incident of this party, signed by `signer` (default: the party key).
  std::string Incident(const std::vector<std::string>& to = {},
                       std::optional<statement::Ref> cite = {},
                       const note::Ed25519Signer* signer = nullptr) {
    json p = node::testing::ExamplePayload(Kind::kIncident, origin, ++nonce);
    p.erase("to");
    if (!to.empty()) p["to"] = to;
    if (cite) {
      p["refs"] = json::array({{{"origin", cite->origin},
                                {"index", cite->index},
                                {"leaf_hash", util::Base64Encode(cite->leaf_hash)}}});
    }
    return *statement::Sign(Kind::kIncident, p.dump(), signer ? *signer : *key);
  }

  // Submits every envelope (concurrently) and waits until all are durable.
  void SubmitAll(const std::vector<std::string>& envelopes) {
    absl::Mutex mu;
    size_t done = 0;
    for (const std::string& e : envelopes) {
      absl::Status s = server->node().Submit(e, [&](const absl::StatusOr<node::SubmitResult>& r) {
        EXPECT_TRUE(r.ok()) << r.status();
        absl::MutexLock lock(&mu);
        ++done;
      });
      ASSERT_TRUE(s.ok()) << s;
    }
    absl::MutexLock lock(&mu);
    auto all_done = [&]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return done == envelopes.size(); };
    mu.Await(absl::Condition(&all_done));
  }
};

class MonitorTest : public ::testing::Test {
 protected:
  std::unique_ptr<PeerNode> StartPeer(std::string origin, const std::string& folder = "") {
    auto p = std::make_unique<PeerNode>();
    p->origin = std::move(origin);
    p->data = dir_.path() / (folder.empty() ? p->origin.substr(0, 6) : folder);
    absl::Status s = p->Start();
    EXPECT_TRUE(s.ok()) << s;
    return p;
  }

  // The directory: this party (no node of its own here) and `peers`.
  json DirectoryJson(const std::vector<std::pair<std::string, std::string>>& peers,
                     size_t quorum = 0, const std::string& witness_for = "") {
    json parties = json::array();
    parties.push_back({{"name", "self"},
                       {"origin", kSelf},
                       {"log_key", self_key_.verifier_key},
                       {"url", "http://127.0.0.1:9"}});
    if (!witness_for.empty()) {  // so that every log has another party's witness for a quorum
      auto w = note::GenerateTypedKeyFromSeed("cert.self.example/witness",
                                              note::kSignatureTypeCosignatureV1,
                                              std::vector<uint8_t>(32, 6));
      parties[0]["witness"] = {{"key", w->verifier_key}};
    }
    for (const auto& [origin, url] : peers) {
      json p = {{"name", origin}, {"origin", origin}, {"url", url}};
      std::ifstream in(dir_.path() / origin.substr(0, 6) / "party.vkey");
      std::string vkey;
      std::getline(in, vkey);
      p["log_key"] = vkey.empty() ? note::GenerateKey(origin)->verifier_key : vkey;
      if (origin == witness_for) {
        auto w = note::GenerateTypedKeyFromSeed("cert.b.example/witness",
                                                note::kSignatureTypeCosignatureV1,
                                                std::vector<uint8_t>(32, 5));
        p["witness"] = {{"key", w->verifier_key}};
      }
      parties.push_back(p);
    }
    return {{"accord_directory", 1}, {"witness_quorum", quorum}, {"parties", parties}};
  }
  std::unique_ptr<DirectoryWatcher> Fixed(const json& j) {
    auto d = ParseDirectory(j.dump());
    EXPECT_TRUE(d.ok()) << d.status();
    return DirectoryWatcher::Fixed(*std::move(d));
  }
  std::unique_ptr<Monitor> OpenMonitor(DirectoryWatcher& dir, MonitorOptions o = {}) {
    if (o.poll_interval == absl::Seconds(1)) o.poll_interval = absl::Milliseconds(50);
    auto state = store::OpenSqliteMonitorState(dir_.path() / "monitor.sqlite");
    EXPECT_TRUE(state.ok()) << state.status();
    if (!state.ok()) return nullptr;
    auto m = Monitor::Open(*std::move(state), "monitor.sqlite", kSelf, dir, *validator_, o);
    EXPECT_TRUE(m.ok()) << m.status();
    return m.ok() ? *std::move(m) : nullptr;
  }
  PeerStatus StatusOf(const Monitor& m, std::string_view origin) {
    for (const PeerStatus& p : m.Peers()) {
      if (p.origin == origin) return p;
    }
    ADD_FAILURE() << "no peer " << origin;
    return {};
  }
  std::vector<InboxItem> AllInbox(const Monitor& m) {
    std::vector<InboxItem> out;
    InboxQuery q;
    q.limit = 7;
    for (;;) {
      auto page = m.Inbox(q);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) return out;
      out.insert(out.end(), page->items.begin(), page->items.end());
      if (!page->next) return out;
      q.after = page->next;
    }
  }

  node::testing::TempDir dir_;
  note::KeyPair self_key_ = *note::GenerateKey(kSelf);
  std::unique_ptr<statement::Validator> validator_ = *statement::Validator::Create();
};

TEST_F(MonitorTest, RefsResolveAgainstWhatTheMonitorVerified) {
  auto a = StartPeer(kA);
  const std::string incident = a->Incident();
  a->SubmitAll({incident});
  const crypto::Digest leaf = statement::LeafHashOf(incident);
  // Entry 1, written behind the node's back: a request citing entry 0 with a wrong hash.
  a->server.reset();
  {
    auto log =
        log::Log::OpenForAppend(std::make_unique<store::PosixLogStorage>(a->data / "log"), *a->key);
    ASSERT_TRUE(log.ok()) << log.status();
    json p = node::testing::ExamplePayload(Kind::kRequest, kA);
    statement::CiteIn(p, {{Kind::kIncident, {kA, 0, crypto::Digest{}, Kind::kIncident}}});
    const std::string bad = *statement::Sign(Kind::kRequest, p.dump(), *a->key);
    const std::span<const uint8_t> entries[] = {util::AsBytes(bad)};
    ASSERT_TRUE((*log)->Append(entries).ok());
  }
  ASSERT_TRUE(a->Start().ok());
  auto dir = Fixed(DirectoryJson({{kA, a->url()}}));
  auto m = OpenMonitor(*dir);
  ASSERT_TRUE(m);
  ASSERT_TRUE(m->PollOnce().ok());
  PeerStatus st = StatusOf(*m, kA);
  EXPECT_EQ(st.invalid_entries, 1u);
  EXPECT_NE(st.last_error.find("another leaf hash"), std::string::npos) << st.last_error;

  EXPECT_TRUE(m->Resolve({kA, 0, leaf, Kind::kIncident}).ok());
  EXPECT_TRUE(m->Resolve({kA, 0, leaf, std::nullopt}).ok());
  EXPECT_TRUE(absl::IsInvalidArgument(m->Resolve({kA, 0, crypto::Digest{}, std::nullopt})));
  EXPECT_TRUE(absl::IsInvalidArgument(m->Resolve({kA, 0, leaf, Kind::kEvidence})));
  EXPECT_TRUE(absl::IsInvalidArgument(m->Resolve({kA, 1, leaf, std::nullopt})));  // invalid
  EXPECT_TRUE(absl::IsUnavailable(m->Resolve({kA, 2, leaf, std::nullopt})));      // not yet
  EXPECT_TRUE(absl::IsNotFound(m->Resolve({"cert.z.example/log", 0, leaf, std::nullopt})));
  EXPECT_TRUE(absl::IsNotFound(m->Resolve({kSelf, 0, leaf, std::nullopt})));
}

TEST_F(MonitorTest, InboxItemsSayWhenTheyWereKnownNotYetLogged) {
  auto a = StartPeer(kA);
  a->SubmitAll({a->Incident({kSelf})});  // history when the monitor first reads the log
  auto dir = Fixed(DirectoryJson({{kA, a->url()}}));
  auto m = OpenMonitor(*dir);
  ASSERT_TRUE(m);
  ASSERT_TRUE(m->PollOnce().ok());
  const absl::Time between = absl::Now();
  a->SubmitAll({a->Incident({kSelf})});
  ASSERT_TRUE(m->PollOnce().ok());
  std::vector<InboxItem> inbox = AllInbox(*m);
  ASSERT_EQ(inbox.size(), 2u);
  EXPECT_EQ(inbox[0].logged_after_unix_ms, 0) << "read while catching up: not known";
  EXPECT_NE(inbox[1].logged_after_unix_ms, 0);
  EXPECT_LE(inbox[1].logged_after_unix_ms, absl::ToUnixMillis(between));
  EXPECT_LE(inbox[1].logged_after_unix_ms, inbox[1].picked_up_unix_ms);
}

TEST_F(MonitorTest, AResponseToARequestAddressedToThisPartyReachesItsInbox) {
  auto a = StartPeer(kA);
  auto dir = Fixed(DirectoryJson({{kA, a->url()}}));
  auto m = OpenMonitor(*dir);
  ASSERT_TRUE(m);
  json request = node::testing::ExamplePayload(Kind::kRequest, kA, 1);
  request.erase("refs");
  request["to"] = {kSelf, kB};
  const std::string req = *statement::Sign(Kind::kRequest, request.dump(), *a->key);
  a->SubmitAll({req});
  ASSERT_TRUE(m->PollOnce().ok());  // the request, in an earlier poll than its withdrawal
  const statement::Ref ref{kA, 0, statement::LeafHashOf(req), Kind::kRequest};
  auto response = [&](int nonce) {
    json p = node::testing::ExamplePayload(Kind::kResponse, kA, nonce);
    statement::CiteIn(p, {{Kind::kRequest, ref}});
    p["status"] = "withdrawn";
    p.erase("until");
    p.erase("to");
    return *statement::Sign(Kind::kResponse, p.dump(), *a->key);
  };
  // A's withdrawal names no addressee; an unrelated response of A cites another request.
  json other = node::testing::ExamplePayload(Kind::kRequest, kA, 2);
  other.erase("refs");
  other["to"] = {kB};
  const std::string not_ours = *statement::Sign(Kind::kRequest, other.dump(), *a->key);
  a->SubmitAll({response(3), not_ours});
  ASSERT_TRUE(m->PollOnce().ok());
  std::vector<InboxItem> inbox = AllInbox(*m);
  ASSERT_EQ(inbox.size(), 2u);
  EXPECT_EQ(inbox[0].kind, "request");
  EXPECT_TRUE(inbox[0].addressed);
  EXPECT_EQ(inbox[1].kind, "response");
  EXPECT_EQ(inbox[1].index, 1u);
  EXPECT_FALSE(inbox[1].addressed);
  EXPECT_FALSE(inbox[1].cites_us);
}

TEST_F(MonitorTest, FollowsTwoPeersInOnePassAndPicksUpWhatNamesThisParty) {
  auto a = StartPeer(kA), b = StartPeer(kB);
  auto dir = Fixed(DirectoryJson({{kA, a->url()}, {kB, b->url()}}));
  auto m = OpenMonitor(*dir);
  ASSERT_TRUE(m);
  statement::Ref ours{kSelf, 3, statement::LeafHashOf("our statement 3"), std::nullopt};
  std::set<std::pair<std::string, uint64_t>> expected;  // (origin, index) for the inbox
  uint64_t bundles_bound = 0;
  for (int round = 0; round < 6; ++round) {
    for (PeerNode* p : {a.get(), b.get()}) {
      std::vector<std::string> batch;
      const uint64_t base = p->size();
      const int n = 37 + 61 * round;
      for (int i = 0; i < n; ++i) {
        if (i % 10 == 3) {
          batch.push_back(p->Incident({kSelf, kB}));
        } else if (i % 10 == 7) {
          batch.push_back(p->Incident({}, ours));
        } else {
          batch.push_back(
              p->Incident(i % 2 ? std::vector<std::string>{kA} : std::vector<std::string>{}));
        }
      }
      p->SubmitAll(batch);  // queued in order: indices follow the batch
      for (int i = 0; i < n; ++i) {
        if (i % 10 == 3 || i % 10 == 7) expected.insert({p->origin, base + i});
      }
      bundles_bound += (n + 255) / 256 + 1;
    }
    ASSERT_TRUE(m->PollOnce().ok());
    for (PeerNode* p : {a.get(), b.get()}) {
      PeerStatus st = StatusOf(*m, p->origin);
      EXPECT_EQ(st.state, "ok") << st.last_error;
      EXPECT_EQ(st.size, p->size());
      EXPECT_EQ(st.statements, p->size());
      EXPECT_EQ(st.invalid_entries, 0u);
    }
  }
  const uint64_t total = a->size() + b->size();
  PeerStatus sa = StatusOf(*m, kA), sb = StatusOf(*m, kB);
  // One pass: each poll reads the new bundles plus, at most, the partial one again.
  EXPECT_LE(sa.bundles_fetched + sb.bundles_fetched, bundles_bound);
  EXPECT_GE(sa.bundles_fetched + sb.bundles_fetched, total / 256);
  std::vector<InboxItem> inbox = AllInbox(*m);
  std::set<std::pair<std::string, uint64_t>> got;
  uint64_t last_seq = 0;
  for (const InboxItem& item : inbox) {
    got.insert({item.origin, item.index});
    EXPECT_GT(item.seq, last_seq);
    last_seq = item.seq;
    EXPECT_EQ(item.leaf_hash, statement::LeafHashOf(item.envelope));
    EXPECT_EQ(item.kind, "incident");
    EXPECT_NE(item.addressed, item.cites_us);  // each test statement is one or the other
    EXPECT_GT(item.picked_up_unix_ms, 0);
  }
  EXPECT_EQ(got, expected);
  EXPECT_EQ(inbox.size(), expected.size());
  EXPECT_EQ(sa.inbox + sb.inbox, expected.size());
  // Filters.
  InboxQuery q;
  q.origin = kB;
  q.limit = 1000;
  auto only_b = m->Inbox(q);
  ASSERT_TRUE(only_b.ok());
  EXPECT_FALSE(only_b->items.empty());
  for (const InboxItem& item : only_b->items) EXPECT_EQ(item.origin, kB);
  q.kind = "claim";
  EXPECT_TRUE(m->Inbox(q)->items.empty());
}

TEST_F(MonitorTest, ResumesAfterRestartAndKeepsOfficers) {
  auto a = StartPeer(kA);
  auto dir = Fixed(DirectoryJson({{kA, a->url()}}));
  auto officer = statement::testing::TestSigner("cert.a.example/officer/ana", 11);
  json auth = node::testing::ExamplePayload(Kind::kOfficer, kA, 1);
  auth["key"] = officer.VerifierKeyString();
  a->SubmitAll({*statement::Sign(Kind::kOfficer, auth.dump(), *a->key)});
  a->SubmitAll({a->Incident({kSelf}, {}, &officer)});
  std::vector<std::string> filler;
  for (int i = 0; i < 300; ++i) filler.push_back(a->Incident());
  a->SubmitAll(filler);
  {
    auto m = OpenMonitor(*dir);
    ASSERT_TRUE(m->PollOnce().ok());
    PeerStatus st = StatusOf(*m, kA);
    EXPECT_EQ(st.state, "ok") << st.last_error;
    EXPECT_EQ(st.size, 302u);
    EXPECT_EQ(st.invalid_entries, 0u);
    EXPECT_EQ(AllInbox(*m).size(), 1u);
  }
  // After a restart: an officer-signed statement still checks (the officer was
  // persisted), nothing is read again and the inbox has no duplicates.
  a->SubmitAll({a->Incident({kSelf}, {}, &officer)});
  auto m = OpenMonitor(*dir);
  PeerStatus st = StatusOf(*m, kA);
  EXPECT_EQ(st.size, 302u);  // restored before any poll
  ASSERT_TRUE(m->PollOnce().ok());
  st = StatusOf(*m, kA);
  EXPECT_EQ(st.state, "ok") << st.last_error;
  EXPECT_EQ(st.size, 303u);
  EXPECT_EQ(st.statements, 303u);
  EXPECT_EQ(st.invalid_entries, 0u);
  EXPECT_EQ(st.bundles_fetched, 1u);  // the partial bundle 1, once
  std::vector<InboxItem> inbox = AllInbox(*m);
  ASSERT_EQ(inbox.size(), 2u);
  EXPECT_EQ(inbox[0].index, 1u);
  EXPECT_EQ(inbox[1].index, 302u);
  // A statement by a key the party never authorised is counted, not indexed.
  auto stranger = statement::testing::TestSigner("cert.a.example/officer/eve", 12);
  json p = node::testing::ExamplePayload(Kind::kIncident, kA, 999);
  // (the node refuses it, so a peer that serves one is found out by the monitor's check
  // only in the fork test below; here the counters just stay right.)
  (void)stranger;
  (void)p;
}

// The SQLite state, with a switch that makes every write fail (as a full or failing
// disk would) — after the write went through or before it, as asked.
class FailingStore final : public store::MonitorState {
  using EntryRecord = store::EntryRecord;
  using OfficerRecord = store::OfficerRecord;
  using PeerCommit = store::PeerCommit;
  using PeerRecord = store::PeerRecord;
  using Verdict = store::Verdict;

 public:
  explicit FailingStore(std::unique_ptr<store::MonitorState> real) : real_(std::move(real)) {}
  void FailWrites(bool persist_first) {
    fail_ = true;
    persist_first_ = persist_first;
  }
  absl::StatusOr<std::vector<PeerRecord>> LoadPeers() override { return real_->LoadPeers(); }
  absl::StatusOr<std::vector<OfficerRecord>> LoadOfficers() override {
    return real_->LoadOfficers();
  }
  absl::StatusOr<std::vector<Verdict>> LoadVerdicts() override { return real_->LoadVerdicts(); }
  absl::StatusOr<std::vector<InboxItem>> Commit(const PeerCommit& commit) override {
    if (!fail_) return real_->Commit(commit);
    if (persist_first_) (void)real_->Commit(commit);
    return absl::InternalError("injected: disk I/O error");
  }
  absl::Status AddVerdict(const Verdict& verdict) override {
    if (!fail_) return real_->AddVerdict(verdict);
    return absl::InternalError("injected: disk I/O error");
  }
  absl::StatusOr<bool> RecordEquivocation(std::string_view origin, std::string_view key,
                                          std::string_view payload) override {
    if (!fail_) return real_->RecordEquivocation(origin, key, payload);
    return absl::InternalError("injected: disk I/O error");
  }
  absl::StatusOr<InboxPage> Inbox(const InboxQuery& query) override { return real_->Inbox(query); }
  absl::StatusOr<std::optional<EntryRecord>> FindEntry(std::string_view origin,
                                                       uint64_t index) override {
    return real_->FindEntry(origin, index);
  }
  absl::StatusOr<bool> IsAddressed(std::string_view origin, uint64_t index) override {
    return real_->IsAddressed(origin, index);
  }

 private:
  std::unique_ptr<store::MonitorState> real_;
  std::atomic<bool> fail_ = false;
  bool persist_first_ = false;
};

class MonitorStateFailureTest : public MonitorTest {
 protected:
  void Run(bool persisted) {
    auto a = StartPeer(kA);
    auto dir = Fixed(DirectoryJson({{kA, a->url()}}));
    a->SubmitAll({a->Incident({kSelf})});
    {
      auto real = store::OpenSqliteMonitorState(dir_.path() / "monitor.sqlite");
      ASSERT_TRUE(real.ok()) << real.status();
      auto failing = std::make_unique<FailingStore>(*std::move(real));
      FailingStore* store = failing.get();
      auto m = Monitor::Open(std::move(failing), "test state", kSelf, *dir, *validator_,
                             {.poll_interval = absl::Milliseconds(50)});
      ASSERT_TRUE(m.ok()) << m.status();
      ASSERT_TRUE((*m)->PollOnce().ok());
      EXPECT_EQ(StatusOf(**m, kA).size, 1u);
      store->FailWrites(persisted);
      a->SubmitAll({a->Incident({kSelf})});
      EXPECT_EQ((*m)->PollOnce().code(), absl::StatusCode::kInternal);
      EXPECT_FALSE((*m)->failure().ok());
      a->SubmitAll({a->Incident({kSelf})});
      EXPECT_FALSE((*m)->PollOnce().ok());    // sticky: nothing more is followed
      EXPECT_EQ(StatusOf(**m, kA).size, 1u);  // memory never ran ahead of the disk
    }
    auto m = OpenMonitor(*dir);
    EXPECT_TRUE(m->failure().ok());
    ASSERT_TRUE(m->PollOnce().ok());
    EXPECT_EQ(StatusOf(*m, kA).size, 3u);
    std::vector<InboxItem> inbox = AllInbox(*m);
    ASSERT_EQ(inbox.size(), 3u);
    for (size_t i = 0; i < inbox.size(); ++i) EXPECT_EQ(inbox[i].index, i);
  }
};

// After a failed write of its state the monitor cannot know what the disk holds, so it
// follows nothing more (sticky) and says so, until a restart reloads the state; then it
// resumes from what was persisted, without duplicates, whether the failed write had
// reached the disk or not.
TEST_F(MonitorStateFailureTest, AWriteThatWasLostStopsTheMonitorUntilRestart) { Run(false); }
TEST_F(MonitorStateFailureTest, AWriteThatReachedTheDiskStopsTheMonitorUntilRestart) { Run(true); }

// A socket that accepts connections and never answers: a slow peer.
class Blackhole {
 public:
  Blackhole() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(fd_, 16);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~Blackhole() { close(fd_); }
  std::string url() const { return absl::StrCat("http://127.0.0.1:", port_); }

 private:
  int fd_;
  int port_;
};

TEST_F(MonitorTest, ASlowPeerDoesNotStallTheOthers) {
  auto a = StartPeer(kA);
  Blackhole hole;
  auto dir = Fixed(DirectoryJson({{kA, a->url()}, {kB, hole.url()}}));
  std::vector<std::string> batch;
  for (int i = 0; i < 20; ++i) batch.push_back(a->Incident());
  a->SubmitAll(batch);
  MonitorOptions o;
  o.timeout = absl::Milliseconds(300);
  o.poll_interval = absl::Milliseconds(100);
  o.max_backoff = absl::Seconds(2);
  auto m = OpenMonitor(*dir, o);
  const absl::Time t0 = absl::Now();
  ASSERT_TRUE(m->PollOnce().ok());
  EXPECT_LT(absl::Now() - t0, absl::Seconds(2));
  EXPECT_EQ(StatusOf(*m, kA).size, 20u);
  PeerStatus b = StatusOf(*m, kB);
  EXPECT_EQ(b.state, "unreachable");
  EXPECT_EQ(b.consecutive_failures, 1);
  EXPECT_FALSE(b.last_error.empty());
  ASSERT_TRUE(m->PollOnce().ok());
  ASSERT_TRUE(m->PollOnce().ok());
  b = StatusOf(*m, kB);
  EXPECT_EQ(b.consecutive_failures, 3);
  // Backoff: 100 ms doubled per failure.
  EXPECT_GT(b.next_poll - absl::Now(), absl::Milliseconds(250));
  // In the background, A keeps being followed while B times out.
  m->Start();
  batch.clear();
  for (int i = 0; i < 5; ++i) batch.push_back(a->Incident());
  a->SubmitAll(batch);
  EXPECT_TRUE(m->WaitFollowed(kA, 25, absl::Seconds(3)));
  m->Stop();
  EXPECT_EQ(StatusOf(*m, kB).state, "unreachable");
}

// Delivery does not wait for the witnesses: with the quorum unmet (B's witness down),
// A's statement addressed to this party is in the inbox at once, marked unwitnessed.
TEST_F(MonitorTest, DeliversBeforeTheWitnessQuorumMarkedUnwitnessed) {
  auto a = StartPeer(kA), b = StartPeer(kB);
  a->SubmitAll({a->Incident({kSelf})});
  auto dir = Fixed(DirectoryJson({{kA, a->url()}, {kB, b->url()}}, 1, kB));
  auto m = OpenMonitor(*dir);
  ASSERT_TRUE(m->PollOnce().ok());
  PeerStatus st = StatusOf(*m, kA);
  EXPECT_EQ(st.state, "awaiting-witnesses");
  EXPECT_EQ(st.size, 1u);
  EXPECT_EQ(st.witnessed_size, 0u);
  EXPECT_NE(st.last_error.find("0 of the 1"), std::string::npos) << st.last_error;
  std::vector<InboxItem> inbox = AllInbox(*m);
  ASSERT_EQ(inbox.size(), 1u);
  EXPECT_FALSE(inbox[0].witnessed);
  // Without a quorum to meet, what is followed is witnessed.
  m.reset();
  auto none = Fixed(DirectoryJson({{kA, a->url()}, {kB, b->url()}}, 0));
  auto m0 = OpenMonitor(*none);
  a->SubmitAll({a->Incident({kSelf})});
  ASSERT_TRUE(m0->PollOnce().ok());
  st = StatusOf(*m0, kA);
  EXPECT_EQ(st.state, "ok");
  EXPECT_EQ(st.witnessed_size, 2u);
  inbox = AllInbox(*m0);
  ASSERT_EQ(inbox.size(), 2u);
  EXPECT_TRUE(inbox[0].witnessed && inbox[1].witnessed);
}

// Copies a stopped node's data folder: the copy, opened with the same key, is a fork.
void CopyFolder(const fs::path& from, const fs::path& to) {
  fs::copy(from, to, fs::copy_options::recursive);
}

TEST_F(MonitorTest, AForkedPeerIsProvenAndMarkedCompromised) {
  auto a = StartPeer(kA);
  const fs::path dir_file = dir_.path() / "directory.json";
  auto write_dir = [&](const std::string& url) {
    std::ofstream(dir_file) << DirectoryJson({{kA, url}}).dump();
  };
  std::vector<std::string> batch;
  for (int i = 0; i < 300; ++i) batch.push_back(a->Incident());
  a->SubmitAll(batch);
  write_dir(a->url());
  auto dir = DirectoryWatcher::Open(dir_file, absl::ZeroDuration());
  ASSERT_TRUE(dir.ok()) << dir.status();
  auto m = OpenMonitor(**dir);
  std::vector<EquivocationFound> found;
  m->SetEquivocationSink([&](const EquivocationFound& f) { found.push_back(f); });
  ASSERT_TRUE(m->PollOnce().ok());
  ASSERT_EQ(StatusOf(*m, kA).size, 300u);

  // Fork: the same log, key and history, then two different continuations.
  a->server.reset();
  PeerNode fork;
  fork.origin = kA;
  fork.data = dir_.path() / "fork";
  fork.nonce = 1000;
  CopyFolder(a->data, fork.data);
  ASSERT_TRUE(a->Start().ok());
  ASSERT_TRUE(fork.Start().ok());
  write_dir(a->url());
  auto grow = [](PeerNode& p, int n) {
    std::vector<std::string> b;
    for (int i = 0; i < n; ++i) b.push_back(p.Incident());
    p.SubmitAll(b);
  };
  grow(*a, 50);
  grow(fork, 80);
  // A checkpoint of the fork seen elsewhere (a witness), larger than what is followed:
  // kept until the followed log passes it, then proven with the followed log's tiles.
  m->Observe(kA, fork.server->node().published_checkpoint());
  ASSERT_TRUE(m->PollOnce().ok());
  EXPECT_EQ(StatusOf(*m, kA).size, 350u);
  EXPECT_TRUE(found.empty());
  grow(*a, 40);
  ASSERT_TRUE(m->PollOnce().ok());
  ASSERT_EQ(found.size(), 1u);
  PeerStatus st = StatusOf(*m, kA);
  EXPECT_EQ(st.state, "compromised");
  EXPECT_EQ(st.compromised_by, "self");
  EXPECT_EQ(st.compromised_from, 380u);

  // The monitor is now served the fork, which does not extend what it followed.
  grow(fork, 120);  // 500 > 390
  write_dir(fork.url());
  ASSERT_TRUE(m->PollOnce().ok());
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(StatusOf(*m, kA).size, 390u);  // not followed into the fork
  EXPECT_EQ(StatusOf(*m, kA).compromised_from, 380u);
  ASSERT_TRUE(m->PollOnce().ok());
  EXPECT_EQ(found.size(), 2u);  // once per pair

  auto self_signer = *note::NewSigner(self_key_.private_key);
  auto log_key = *note::NewVerifier(fork.server->node().verifier_key());
  for (const EquivocationFound& f : found) {
    EXPECT_EQ(f.origin, kA);
    auto envelope = statement::Sign(Kind::kEquivocation, f.payload_json, self_signer);
    ASSERT_TRUE(envelope.ok()) << envelope.status();
    auto parsed = validator_->Parse(*envelope);
    ASSERT_TRUE(parsed.ok()) << parsed.status() << "\n" << f.payload_json;
    EXPECT_EQ(parsed->issuer, kSelf);
    EXPECT_EQ(parsed->addressees, std::vector<std::string>{kA});
    auto view = SplitViewOf(*parsed);
    ASSERT_TRUE(view.ok()) << view.status();
    EXPECT_TRUE(VerifySplitView(*view, *log_key).ok()) << VerifySplitView(*view, *log_key);
  }

  // A restart remembers the verdict and what was reported.
  m.reset();
  m = OpenMonitor(**dir);
  m->SetEquivocationSink([&](const EquivocationFound& f) { found.push_back(f); });
  EXPECT_EQ(StatusOf(*m, kA).state, "compromised");
  ASSERT_TRUE(m->PollOnce().ok());
  EXPECT_EQ(found.size(), 2u);
}

TEST_F(MonitorTest, SameSizeCheckpointsAreProvenOnObserve) {
  auto a = StartPeer(kA);
  a->SubmitAll({a->Incident()});
  auto dir = Fixed(DirectoryJson({{kA, a->url()}}));
  auto m = OpenMonitor(*dir);
  std::vector<EquivocationFound> found;
  m->SetEquivocationSink([&](const EquivocationFound& f) { found.push_back(f); });
  ASSERT_TRUE(m->PollOnce().ok());
  // The log's key signs another tree of the same size.
  note::Checkpoint other{kA, 1, statement::LeafHashOf("another entry"), {}};
  m->Observe(kA, *note::SignCheckpoint(other, *a->key));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(StatusOf(*m, kA).state, "compromised");
  EXPECT_EQ(StatusOf(*m, kA).compromised_from, 1u);
  // Unsigned or foreign checkpoints are ignored.
  auto stranger = statement::testing::TestSigner(kA, 77);
  other.root_hash = statement::LeafHashOf("a third entry");
  m->Observe(kA, *note::SignCheckpoint(other, stranger));
  m->Observe(kA, "garbage");
  EXPECT_EQ(found.size(), 1u);
}

TEST_F(MonitorTest, AnEquivocationInAPeersLogMarksTheAccusedLog) {
  auto a = StartPeer(kA), b = StartPeer(kB);
  a->SubmitAll({a->Incident()});
  note::Checkpoint one{kA, 5, statement::LeafHashOf("x"), {}}, two = one;
  two.root_hash = statement::LeafHashOf("y");
  SplitView view{kA,
                 *note::SignCheckpoint(one, *a->key),
                 *note::SignCheckpoint(two, *a->key),
                 std::nullopt,
                 {}};
  b->SubmitAll({b->Incident()});
  b->SubmitAll({*statement::Sign(Kind::kEquivocation,
                                 EquivocationPayload(view, kB, {kSelf}, absl::Now(), "seen by B"),
                                 *b->key)});
  // One that does not verify (the second checkpoint is signed by another key) is ignored.
  SplitView bad = view;
  bad.second = *note::SignCheckpoint(two, statement::testing::TestSigner(kA, 78));
  b->SubmitAll({*statement::Sign(
      Kind::kEquivocation, EquivocationPayload(bad, kB, {kSelf}, absl::Now(), "bogus"), *b->key)});
  auto dir = Fixed(DirectoryJson({{kA, a->url()}, {kB, b->url()}}));
  auto m = OpenMonitor(*dir);
  ASSERT_TRUE(m->PollOnce().ok());
  PeerStatus sa = StatusOf(*m, kA), sb = StatusOf(*m, kB);
  EXPECT_EQ(sb.state, "ok") << sb.last_error;
  EXPECT_EQ(sa.state, "compromised");
  EXPECT_EQ(sa.compromised_by, absl::StrCat(kB, "/1"));
  EXPECT_EQ(sa.compromised_from, 5u);
  auto inbox = AllInbox(*m);
  ASSERT_EQ(inbox.size(), 2u);
  EXPECT_EQ(inbox[0].kind, "equivocation");
}

// Not a benchmark that fails: prints how fast the monitor checks a peer's entries
// against how fast the peer's node ingested them.
TEST_F(MonitorTest, ThroughputFigure) {
  auto a = StartPeer(kA);
  constexpr int kN = 5000;
  std::vector<std::string> batch;
  for (int i = 0; i < kN; ++i)
    batch.push_back(
        a->Incident(i % 100 ? std::vector<std::string>{} : std::vector<std::string>{kSelf}));
  const absl::Time t0 = absl::Now();
  a->SubmitAll(batch);
  const absl::Duration ingest = absl::Now() - t0;
  auto dir = Fixed(DirectoryJson({{kA, a->url()}}));
  auto m = OpenMonitor(*dir);
  const absl::Time t1 = absl::Now();
  ASSERT_TRUE(m->PollOnce().ok());
  const absl::Duration follow = absl::Now() - t1;
  PeerStatus st = StatusOf(*m, kA);
  EXPECT_EQ(st.size, uint64_t(kN));
  EXPECT_EQ(st.statements, uint64_t(kN));
  EXPECT_EQ(st.inbox, uint64_t(kN / 100));
  EXPECT_EQ(st.bundles_fetched, uint64_t((kN + 255) / 256));
  std::printf(
      "monitor: %d statements followed in %.3f s (%.0f/s); the node ingested them in "
      "%.3f s (%.0f/s); ratio %.2f\n",
      kN, absl::ToDoubleSeconds(follow), kN / absl::ToDoubleSeconds(follow),
      absl::ToDoubleSeconds(ingest), kN / absl::ToDoubleSeconds(ingest),
      absl::ToDoubleSeconds(ingest) / absl::ToDoubleSeconds(follow));
}

}  // namespace
}  // namespace accord::federation
