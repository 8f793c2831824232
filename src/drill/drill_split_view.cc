// The split-view scenario (drill.h): B forks its log and shows C the fork.
#include "src/drill/drill_internal.h"

namespace accord::drill {
namespace {

using Party = Drill::Impl::Party;

// What the split-view scenario's steps share.
struct SplitViewPlay : ScenarioPlay {
  using Step = bool (SplitViewPlay::*)();
  explicit SplitViewPlay(Drill::Impl& d)
      : ScenarioPlay(d, "split-view"), a(d.parties[0]), b(d.parties[1]), c(d.parties[2]) {
    for (Party& p : d.parties) {
      if (&p != &b) honest.push_back(&p);
    }
  }

  bool PublishWitnessedHistory();
  bool ForkTheLog();
  bool PublishTwoHistories();
  bool DetectTheSplitView();
  bool FindEquivocationStatements();
  bool CheckEquivocationStatements();
  bool Conclude();
  bool CheckEquivocationStatement(Party& p, const store::IndexedStatement& m);

  Party& a;
  Party& b;
  Party& c;
  std::vector<Party*> honest;  // every party but B
  json incident = {{"title", "Phishing wave against ministries"},
                   {"summary", "Credential phishing from look-alike domains."},
                   {"detected", Rfc3339(absl::Now() - absl::Hours(5))},
                   {"sector", "public_administration"},
                   {"severity", "medium"},
                   {"to", {a.origin, c.origin}}};
  Party fork;  // B's log as B's operator shows it to C
  absl::Time forked_at;
  node::ReceiptDoc genuine_r, forged_r;
  std::map<std::string, double> detected_ms;  // by honest party
  std::string detector;                       // the first to prove it from its own view
  std::vector<std::pair<Party*, store::IndexedStatement>> statements;  // equivocation
  json published = json::array();
};

}  // namespace

json Drill::Impl::PlaySplitView() {
  static constexpr SplitViewPlay::Step kScript[] = {
      // Some history first, followed and witnessed by everyone.
      &SplitViewPlay::PublishWitnessedHistory,
      // B's operator forks the log and shows C the fork: two statements at one position.
      &SplitViewPlay::ForkTheLog,
      &SplitViewPlay::PublishTwoHistories,
      // Detection: some honest party proves the split view and publishes it; every
      // honest party reads the equivocation statement and checks it as anyone would.
      &SplitViewPlay::DetectTheSplitView,
      &SplitViewPlay::FindEquivocationStatements,
      &SplitViewPlay::CheckEquivocationStatements,
      &SplitViewPlay::Conclude,
  };
  SplitViewPlay play(*this);
  return RunSteps(play, kScript);
}

namespace {

bool SplitViewPlay::PublishWitnessedHistory() {
  DRILL_ASSIGN(auto first, "B", drill.Publish(b, Kind::kIncident, incident), "B publishing");
  Say("B", absl::StrCat("published an incident at ", Position("B", first.index)));
  DRILL_CHECK("B", drill.WaitWitnessed(b, first.index + 1, absl::Seconds(20)),
              "witnessing B's log");
  for (Party* p : {&a, &c}) {
    DRILL_CHECK(p->letter, drill.WaitInbox(*p, b.origin, first.index, absl::Seconds(20)).status(),
                "monitors following B");
  }
  Say("", "A and C follow B's log and have cosigned its checkpoint");
  return true;
}

// A copy of B's node, same keys, and C's copy of the directory sends C to it for B's log.
bool SplitViewPlay::ForkTheLog() {
  const uint16_t b_port = b.port;
  b.server->Stop();
  b.server.reset();
  const fs::path fork_data = drill.dir / "B-fork";
  std::error_code ec;
  fs::copy(b.data, fork_data, fs::copy_options::recursive, ec);
  if (ec) {
    DRILL_CHECK("B", absl::InternalError(ec.message()), "copying B's data");
  }
  DRILL_ASSIGN(auto ports, "", http::ReserveLoopbackPorts(1), "reserving a port");
  fork.letter = "B'";
  fork.name = "B's forked log";
  fork.origin = b.origin;
  fork.log_key = b.log_key;
  fork.data = fork_data;
  fork.directory_file = fork_data / "directory.json";
  fork.port = ports[0];
  fork.url = absl::StrCat("http://127.0.0.1:", fork.port);
  DRILL_CHECK("B", drill.StartNode(b, b_port, b.data, b.directory_file), "restarting B");
  DRILL_CHECK("B'", drill.StartNode(fork, fork.port, fork.data, fork.directory_file),
              "starting the fork");
  federation::Directory for_c = drill.directory;
  for (auto& entry : for_c.parties) {
    if (entry.origin == b.origin) entry.url = fork.url;
  }
  const std::string for_c_text = federation::FormatDirectory(for_c);
  const store::FileWrite file[] = {{c.directory_file, for_c_text}};
  DRILL_CHECK("C", store::WriteFilesDurably(file), "pointing C at the fork");
  Say("B", absl::StrCat("operator forks B's log: a copy with the same key at ", fork.url,
                        ", shown to C in place of ", b.url));
  return true;
}

bool SplitViewPlay::PublishTwoHistories() {
  json genuine = incident;
  genuine["title"] = "Phishing wave: indicators updated";
  json forged = incident;
  forged["title"] = "Phishing wave: attributed to party C";
  forged["summary"] = "A statement only C is shown.";
  forked_at = absl::Now();
  DRILL_ASSIGN(genuine_r, "B", drill.Publish(b, Kind::kIncident, genuine), "B publishing");
  DRILL_ASSIGN(forged_r, "B'", drill.Publish(fork, Kind::kIncident, forged), "the fork publishing");
  Say("B", absl::StrCat("B's log gets one statement at ", Position("B", genuine_r.index),
                        ", the fork another at the same position"));
  return true;
}

// Every honest party's monitor marks B's log compromised, proven by its own witness and
// monitor or by another's equivocation statement. The fork stops once they all have.
bool SplitViewPlay::DetectTheSplitView() {
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline && detected_ms.size() < honest.size()) {
    for (Party* p : honest) {
      if (detected_ms.count(p->letter)) continue;
      for (const auto& peer : drill.Fed(*p).monitor().Peers()) {
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
  return true;
}

// The detectors publish asynchronously: wait for their statements to be durable.
bool SplitViewPlay::FindEquivocationStatements() {
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
  return true;
}

bool SplitViewPlay::CheckEquivocationStatements() {
  for (auto& [p, m] : statements) {
    if (!CheckEquivocationStatement(*p, m)) return false;
  }
  if (published.empty()) {
    DRILL_CHECK("", absl::NotFoundError("no equivocation statement was published"),
                "finding the equivocation statement");
  }
  return true;
}

// `m`, in p's log, proves the split view from the log alone, and every other honest party
// picks it up.
bool SplitViewPlay::CheckEquivocationStatement(Party& p, const store::IndexedStatement& m) {
  DRILL_CHECK(p.letter, drill.WaitWitnessed(p, m.index + 1, absl::Seconds(20)),
              "witnessing the equivocation statement");
  DRILL_ASSIGN(auto checked, p.letter, drill.CheckStatement(p.origin, m.index, m.leaf_hash),
               "checking the equivocation statement");
  DRILL_ASSIGN(auto view, p.letter, federation::SplitViewOf(checked.statement),
               "reading the split view");
  DRILL_CHECK(
      p.letter,
      federation::VerifySplitView(view, *drill.directory.FindByOrigin(b.origin)->log_verifier),
      "verifying the split view");
  Say(p.letter, absl::StrCat("equivocation statement ", Position(p.letter, m.index),
                             ": two checkpoints signed by B that cannot both be true; "
                             "verified from the log"));
  json readers = json::array();
  for (Party* other : honest) {
    if (other == &p) continue;
    DRILL_CHECK(other->letter,
                drill.WaitInbox(*other, p.origin, m.index, absl::Seconds(20)).status(),
                "picking up the equivocation statement");
    readers.push_back(other->letter);
    Say(other->letter, absl::StrCat("picked up the equivocation statement ",
                                    Position(p.letter, m.index), " from ", p.letter, "'s log"));
  }
  published.push_back({{"position", Position(p.letter, m.index)},
                       {"witnesses", checked.witnesses},
                       {"read_by", readers}});
  return true;
}

bool SplitViewPlay::Conclude() {
  double first_ms = 1e18;
  for (const auto& [letter, ms] : detected_ms) first_ms = std::min(first_ms, ms);
  report["passed"] = true;
  report["fork"] = {{"origin", b.origin},
                    {"position", Position("B", genuine_r.index)},
                    {"genuine_leaf_hash", util::Base64Encode(genuine_r.leaf_hash)},
                    {"forged_leaf_hash", util::Base64Encode(forged_r.leaf_hash)}};
  report["detected_by"] = detector;
  report["detection_ms"] = detected_ms;
  report["first_detection_ms"] = first_ms;
  report["poll_interval_ms"] = absl::ToDoubleMilliseconds(drill.options.poll_interval);
  report["equivocation_statements"] = std::move(published);
  return true;
}

}  // namespace
}  // namespace accord::drill
