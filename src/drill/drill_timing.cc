// The scenarios about time (drill.h): a missed deadline, and pickup latency.
#include "src/drill/drill_internal.h"

namespace accord::drill {
namespace {

using Party = Drill::Impl::Party;

// What the deadline scenario's steps share.
struct DeadlinePlay : ScenarioPlay {
  using Step = bool (DeadlinePlay::*)();
  explicit DeadlinePlay(Drill::Impl& d)
      : ScenarioPlay(d, "deadline"), a(d.parties[0]), b(d.parties[1]) {}

  bool SendEmergencyRequest();
  bool LetTheDeadlinePass();
  bool SeeItFlaggedOverdue();
  bool AcknowledgeLate();
  bool SeeItMetLate();
  bool Conclude();

  Party& a;
  Party& b;
  node::ReceiptDoc request_r;
  json flagged = json::object();  // each party's procedures as its case view flags them
};

// What the pickup scenario's steps share.
struct PickupPlay : ScenarioPlay {
  using Step = bool (PickupPlay::*)();
  explicit PickupPlay(Drill::Impl& d)
      : ScenarioPlay(d, "pickup"), a(d.parties[0]), b(d.parties[1]) {}

  bool SendStatements();
  bool PickUpStatements();
  bool Conclude();

  Party& a;
  Party& b;
  std::vector<std::pair<uint64_t, absl::Time>> sent;  // index, when submitted
  std::vector<double> ms;                             // from submission to pickup
};

}  // namespace

json Drill::Impl::PlayDeadline() {
  static constexpr DeadlinePlay::Step kScript[] = {
      &DeadlinePlay::SendEmergencyRequest,  // which B picks up, and does not answer
      &DeadlinePlay::LetTheDeadlinePass,
      &DeadlinePlay::SeeItFlaggedOverdue,  // in both parties' case views
      &DeadlinePlay::AcknowledgeLate,      // which A picks up
      &DeadlinePlay::SeeItMetLate,         // in A's case view
      &DeadlinePlay::Conclude,
  };
  DeadlinePlay play(*this);
  return RunSteps(play, kScript);
}

json Drill::Impl::PlayPickup() {
  static constexpr PickupPlay::Step kScript[] = {
      &PickupPlay::SendStatements,
      &PickupPlay::PickUpStatements,
      &PickupPlay::Conclude,
  };
  PickupPlay play(*this);
  return RunSteps(play, kScript);
}

namespace {

bool DeadlinePlay::SendEmergencyRequest() {
  json request = {{"request_type", "assistance_24_7"},
                  {"legal_basis", {"Budapest Art. 35", "UNCC Art. 41"}},
                  {"urgency", "emergency"},
                  {"summary",
                   "Ransomware spreading through a hospital network from a host in your "
                   "territory: immediate assistance requested."},
                  {"data_sought", "Contact at the host's network operator."},
                  {"offences", {"budapest:art5-system-interference"}},
                  {"to", {b.origin}}};
  DRILL_ASSIGN(request_r, "A", drill.Publish(a, Kind::kRequest, request), "the emergency request");
  Say("A", absl::StrCat("emergency 24/7 request to B at ", Position("A", request_r.index),
                        "; acknowledgement due within ",
                        absl::FormatDuration(drill.options.deadline_ack), " (drill setting)"));
  DRILL_CHECK("B", drill.WaitInbox(b, a.origin, request_r.index, absl::Seconds(20)).status(),
              "B's monitor picking up the request");
  Say("B", "picked up the request, and does not answer");
  return true;
}

bool DeadlinePlay::LetTheDeadlinePass() {
  // Statements carry times to the second: wait a full second past the deadline so that
  // the late answer is late by its own timestamp too.
  absl::SleepFor(drill.options.deadline_ack + absl::Milliseconds(1200));
  return true;
}

bool DeadlinePlay::SeeItFlaggedOverdue() {
  for (Party* p : {&a, &b}) {
    DRILL_ASSIGN(auto c, p->letter, drill.CaseOf(*p, a.origin, request_r.index),
                 "reading the case");
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
  return true;
}

bool DeadlinePlay::AcknowledgeLate() {
  DRILL_ASSIGN(auto ack, "B",
               drill.Publish(b, Kind::kResponse,
                             {{"request", RefJson(a.origin, request_r, Kind::kRequest)},
                              {"status", "acknowledged"},
                              {"summary", "Acknowledged late."},
                              {"to", {a.origin}}}),
               "B acknowledging late");
  Say("B", absl::StrCat("acknowledges late at ", Position("B", ack.index)));
  DRILL_CHECK("A", drill.WaitInbox(a, b.origin, ack.index, absl::Seconds(20)).status(),
              "A picking up the late acknowledgement");
  return true;
}

bool DeadlinePlay::SeeItMetLate() {
  DRILL_ASSIGN(auto after, "A", drill.CaseOf(a, a.origin, request_r.index), "reading the case");
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
  return true;
}

bool DeadlinePlay::Conclude() {
  report["passed"] = true;
  report["request"] = Position("A", request_r.index);
  report["flagged"] = std::move(flagged);
  return true;
}

// A sends statements to B at a steady pace: one every 0 to 20 ms.
bool PickupPlay::SendStatements() {
  std::mt19937_64 rng(drill.options.seed);
  for (int i = 0; i < drill.options.pickup_count; ++i) {
    json incident = {{"title", absl::StrCat("Exercise message ", i + 1)},
                     {"summary", "Pickup latency measurement."},
                     {"detected", Rfc3339(absl::Now())},
                     {"sector", "digital_infrastructure"},
                     {"severity", "low"},
                     {"to", {b.origin}}};
    const absl::Time t = absl::Now();
    DRILL_ASSIGN(auto r, "A", drill.Publish(a, Kind::kIncident, incident), "A publishing");
    sent.emplace_back(r.index, t);
    absl::SleepFor(absl::Milliseconds(rng() % 20));
  }
  Say("A", absl::StrCat("sent ", sent.size(), " statements to B"));
  return true;
}

bool PickupPlay::PickUpStatements() {
  for (const auto& [index, t] : sent) {
    DRILL_ASSIGN(auto item, "B", drill.WaitInbox(b, a.origin, index, absl::Seconds(30)),
                 "B picking up");
    ms.push_back(absl::ToDoubleMilliseconds(absl::FromUnixMillis(item.picked_up_unix_ms) - t));
  }
  return true;
}

bool PickupPlay::Conclude() {
  const double poll_ms = absl::ToDoubleMilliseconds(drill.options.poll_interval);
  report["passed"] = true;
  report["statements"] = ms.size();
  report["poll_interval_ms"] = poll_ms;
  report["pickup_ms"] = {{"median", Percentile(ms, 0.5)},
                         {"p90", Percentile(ms, 0.9)},
                         {"p99", Percentile(ms, 0.99)},
                         {"max", Percentile(ms, 1.0)}};
  Say("B", absl::StrFormat("picked up all %d: median %.0f ms, p99 %.0f ms (poll interval %.0f ms)",
                           static_cast<int>(ms.size()), Percentile(ms, 0.5), Percentile(ms, 0.99),
                           poll_ms));
  return true;
}

}  // namespace
}  // namespace accord::drill
