// The scenarios about time (drill.h): a missed deadline, and pickup latency.
#include "src/drill/drill_internal.h"

namespace accord::drill {

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

}  // namespace accord::drill
