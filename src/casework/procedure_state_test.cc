// The procedure state machine: every allowed transition, every refused one with its
// status code and cited article, and Evaluate's deadlines and overdue flags.
#include "src/casework/procedure_state.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "src/statement/testing.h"

namespace accord::casework {
namespace {

using Json = nlohmann::json;
using statement::Statement;
using ::testing::HasSubstr;

constexpr char kEe[] = "cert.example.ee/log";  // the requester
constexpr char kNl[] = "cert.example.nl/log";  // an addressee
constexpr char kDe[] = "cert.example.de/log";  // another addressee (multi-party requests)
constexpr char kXx[] = "cert.example.xx/log";  // a bystander

const absl::Time kT0 = absl::FromUnixSeconds(1773490500);  // 2026-03-14T12:15:00Z

std::string At(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}
absl::Time Days(double d) { return kT0 + absl::Hours(24 * d); }

using statement::testing::TheValidator;

Statement Parse(statement::Kind kind, const Json& payload) {
  absl::StatusOr<Statement> s =
      TheValidator().Parse(statement::testing::SignedEnvelope(kind, payload));
  EXPECT_TRUE(s.ok()) << s.status() << "\n" << payload.dump(2);
  return s.ok() ? *std::move(s) : Statement{};
}

Statement Request(std::string_view type = "preservation", const Json& extra = Json::object()) {
  Json p = {{"kind", "request"},
            {"issuer", kEe},
            {"issued", At(kT0)},
            {"request_type", type},
            {"legal_basis", {"Budapest Art. 29"}},
            {"urgency", "urgent"},
            {"summary", "s"},
            {"data_sought", "logs"},
            {"identifiers", {{{"type", "ipv4-addr"}, {"value", "198.51.100.23"}}}},
            {"offences", {"budapest:art2-illegal-access"}},
            {"preservation_days", 90},
            {"respond_by", At(Days(2))},
            {"to", {kNl}}};
  p.update(extra);
  return Parse(statement::Kind::kRequest, p);
}

// A response by `issuer` with `status`, issued `days` after the request.
Statement Response(std::string issuer, std::string status, double days,
                   const Json& extra = Json::object()) {
  Json p = {{"kind", "response"},
            {"issuer", issuer},
            {"issued", At(Days(days))},
            {"request",
             {{"origin", kEe},
              {"index", 1044},
              {"leaf_hash", "MXDyPvPTLYoUcfMOTB3us0X84HuXzqVcuW/n7uvpd3E="}}},
            {"status", status}};
  if (status == "refused" || status == "executed_in_part") {
    p["grounds"] = {"budapest:art29-5-b-essential-interests"};
  }
  p.update(extra);
  return Parse(statement::Kind::kResponse, p);
}

Json Until(double days) { return {{"until", At(Days(days))}}; }
Json Grounds(std::vector<std::string> g) { return {{"grounds", g}}; }

absl::Status Check(const Statement& request, const std::vector<Statement>& earlier,
                   const Statement& response, absl::Time now = Days(400)) {
  return CheckResponse(request, earlier, response, now, CaseworkOptions{});
}

// Each sequence is accepted step by step.
TEST(CheckResponse, AllowedSequences) {
  const Statement pres = Request();
  const Statement prod = Request("production");
  const Statement both = Request("preservation", {{"to", {kNl, kDe}}});
  const struct {
    const char* name;
    const Statement* request;
    std::vector<Statement> steps;
  } cases[] = {
      {"ack, preserve, extend twice",
       &pres,
       {Response(kNl, "acknowledged", 0.1), Response(kNl, "executed", 0.5, Until(90.5)),
        Response(kNl, "extended", 80, Until(150)), Response(kNl, "extended", 149, Until(200))}},
      {"preserve directly", &pres, {Response(kNl, "executed", 0.2, Until(61))}},
      {"refuse directly", &pres, {Response(kNl, "refused", 0.2)}},
      {"ack then refuse", &pres, {Response(kNl, "acknowledged", 0.1), Response(kNl, "refused", 1)}},
      {"in part, in part, rest refused, extend the part",
       &pres,
       {Response(kNl, "acknowledged", 0.1), Response(kNl, "executed_in_part", 0.5, Until(70)),
        Response(kNl, "executed_in_part", 0.6, Until(71)), Response(kNl, "refused", 1),
        Response(kNl, "extended", 65, Until(120))}},
      {"in part then executed",
       &prod,
       {Response(kNl, "executed_in_part", 1, Grounds({"budapest:art25-4-domestic-law"})),
        Response(kNl, "executed", 3)}},
      {"withdrawn after ack",
       &prod,
       {Response(kNl, "acknowledged", 0.1), Response(kEe, "withdrawn", 0.5)}},
      {"withdrawn while preserved",
       &pres,
       {Response(kNl, "executed", 0.5, Until(90)), Response(kEe, "withdrawn", 30)}},
      {"two addressees answer independently",
       &both,
       {Response(kNl, "acknowledged", 0.1), Response(kDe, "refused", 0.2),
        Response(kNl, "executed", 0.3, Until(90)), Response(kEe, "withdrawn", 10)}},
      {"UNCC grounds",
       &prod,
       {Response(kNl, "refused", 1,
                 Grounds({"uncc:art40-21-b-essential-interests", "uncc:art40-22-persecution"}))}},
  };
  for (const auto& c : cases) {
    for (size_t i = 0; i < c.steps.size(); ++i) {
      std::vector<Statement> earlier(c.steps.begin(), c.steps.begin() + i);
      EXPECT_TRUE(Check(*c.request, earlier, c.steps[i]).ok())
          << c.name << ", step " << i << ": " << Check(*c.request, earlier, c.steps[i]);
    }
  }
}

TEST(CheckResponse, RefusedTransitions) {
  const Statement pres = Request();
  const Statement prod = Request("production");
  const Statement uncc_only = Request("preservation", {{"offences", {"uncc:art15-grooming"}}});
  const Statement executed = Response(kNl, "executed", 0.5, Until(90));
  const Statement refused = Response(kNl, "refused", 0.5);
  const Statement ack = Response(kNl, "acknowledged", 0.1);
  const Statement withdrawn = Response(kEe, "withdrawn", 1);
  Statement no_grounds = Response(kNl, "refused", 1);
  no_grounds.payload.erase("grounds");  // the schema already refuses this; the rule stands alone
  Statement not_response = Request();
  Statement other_log = Response(kNl, "acknowledged", 1);
  other_log.payload["request"]["origin"] = kXx;

  using C = absl::StatusCode;
  const struct {
    const char* name;
    const Statement* request;
    std::vector<Statement> earlier;
    Statement response;
    C code;
    std::string message;
  } cases[] = {
      {"not an addressee",
       &pres,
       {},
       Response(kXx, "acknowledged", 1),
       C::kPermissionDenied,
       "only an addressee of the request may answer it"},
      {"requester answers itself",
       &pres,
       {},
       Response(kEe, "executed", 1, Until(90)),
       C::kPermissionDenied,
       "Budapest Art. 25(1)"},
      {"addressee withdraws",
       &pres,
       {ack},
       Response(kNl, "withdrawn", 1),
       C::kPermissionDenied,
       "only the requesting party cert.example.ee/log may withdraw"},
      {"second acknowledgement",
       &pres,
       {ack},
       Response(kNl, "acknowledged", 1),
       C::kFailedPrecondition,
       "an acknowledgement must be the first answer"},
      {"acknowledgement after execution",
       &pres,
       {executed},
       Response(kNl, "acknowledged", 1),
       C::kFailedPrecondition,
       "already answered executed"},
      {"execution after refusal",
       &pres,
       {refused},
       Response(kNl, "executed", 1, Until(90)),
       C::kFailedPrecondition,
       "nothing but an extension of preserved data may follow"},
      {"refusal after execution",
       &prod,
       {Response(kNl, "executed", 0.5)},
       Response(kNl, "refused", 1, Grounds({"budapest:art25-4-domestic-law"})),
       C::kFailedPrecondition,
       "final answer"},
      {"answer after withdrawal",
       &pres,
       {ack, withdrawn},
       Response(kNl, "executed", 2, Until(90)),
       C::kFailedPrecondition,
       "nothing may follow a withdrawal"},
      {"second withdrawal",
       &pres,
       {withdrawn},
       Response(kEe, "withdrawn", 2),
       C::kFailedPrecondition,
       "nothing may follow a withdrawal"},
      {"withdrawal after every final answer",
       &prod,
       {Response(kNl, "refused", 0.5, Grounds({"budapest:art25-4-domestic-law"}))},
       Response(kEe, "withdrawn", 2),
       C::kFailedPrecondition,
       "nothing left to withdraw"},
      {"withdrawal after the preservation lapsed",
       &pres,
       {executed},
       Response(kEe, "withdrawn", 100),
       C::kFailedPrecondition,
       "nothing left to withdraw"},
      {"refusal without grounds",
       &pres,
       {},
       no_grounds,
       C::kInvalidArgument,
       "/payload/grounds: refused must give its grounds (Budapest Art. 27(7)"},
      {"unknown ground",
       &pres,
       {},
       Response(kNl, "refused", 1, Grounds({"Budapest Art. 27(4)(a)"})),
       C::kInvalidArgument,
       "/payload/grounds/0: \"Budapest Art. 27(4)(a)\" is not a listed ground"},
      {"ground of another procedure",
       &pres,
       {},
       Response(kNl, "refused", 1,
                Grounds({"budapest:art29-5-a-political-offence",
                         "budapest:art27-4-a-political-offence"})),
       C::kInvalidArgument,
       "/payload/grounds/1: Budapest Art. 27(4)(a) is not a ground for refusing a preservation"},
      {"partial execution with an unknown ground",
       &prod,
       {},
       Response(kNl, "executed_in_part", 1, Grounds({"too-much-work"})),
       C::kInvalidArgument,
       "not a listed ground"},
      {"dual criminality for an Art. 2-11 offence",
       &pres,
       {},
       Response(kNl, "refused", 1, Grounds({"budapest:art29-4-dual-criminality"})),
       C::kInvalidArgument,
       "dual criminality may not be required for offences established under Art. 2-11 (Budapest "
       "Art. 29(3), 29(4))"},
      {"essential interests for any offence",
       &uncc_only,
       {},
       Response(kNl, "refused", 1, Grounds({"budapest:art29-5-b-essential-interests"})),
       C::kOk,
       ""},
      {"preservation under 60 days",
       &pres,
       {},
       Response(kNl, "executed", 1, Until(60.5)),
       C::kInvalidArgument,
       "preservation must be held at least 60 days, until 2026-05-14T12:15:00Z or later (Budapest "
       "Art. 29(7); UNCC Art. 42)"},
      {"partial preservation under 60 days",
       &pres,
       {},
       Response(kNl, "executed_in_part", 1, Until(30)),
       C::kInvalidArgument,
       "at least 60 days"},
      {"preservation without until",
       &pres,
       {},
       Response(kNl, "executed", 1),
       C::kInvalidArgument,
       "/payload/until: a preservation must state until when"},
      {"extension of a production",
       &prod,
       {Response(kNl, "executed", 1)},
       Response(kNl, "extended", 2, Until(90)),
       C::kInvalidArgument,
       "extended is no answer to a production request"},
      {"extension of nothing preserved",
       &pres,
       {ack},
       Response(kNl, "extended", 2, Until(90)),
       C::kFailedPrecondition,
       "only preserved data can be extended"},
      {"extension of a refusal",
       &pres,
       {refused},
       Response(kNl, "extended", 2, Until(90)),
       C::kFailedPrecondition,
       "only preserved data can be extended"},
      {"extension after the lapse",
       &pres,
       {executed},
       Response(kNl, "extended", 91, Until(150)),
       C::kFailedPrecondition,
       "the preservation lapsed at 2026-06-12T12:15:00Z; an extension issued after the lapse "
       "cannot revive it"},
      {"extension that does not extend",
       &pres,
       {executed},
       Response(kNl, "extended", 20, Until(89)),
       C::kInvalidArgument,
       "an extension must hold the data past"},
      {"extension after withdrawal",
       &pres,
       {executed, withdrawn},
       Response(kNl, "extended", 20, Until(150)),
       C::kFailedPrecondition,
       "withdrawn"},
      {"issued before the request",
       &pres,
       {},
       Response(kNl, "acknowledged", -1),
       C::kInvalidArgument,
       "is before the request"},
      {"a request's answer in another log",
       &pres,
       {},
       other_log,
       C::kInvalidArgument,
       "/payload/request/origin"},
      {"not a response", &pres, {}, not_response, C::kInvalidArgument, "not a response"},
  };
  for (const auto& c : cases) {
    absl::Status s = Check(*c.request, c.earlier, c.response);
    EXPECT_EQ(s.code(), c.code) << c.name << ": " << s;
    EXPECT_THAT(s.message(), HasSubstr(c.message)) << c.name;
  }
}

TEST(CheckResponse, DualCriminalityAllowedOutsideArt2To11) {
  const Statement req = Request("preservation", {{"offences", {"uncc:art15-grooming"}}});
  EXPECT_TRUE(
      Check(req, {}, Response(kNl, "refused", 1, Grounds({"budapest:art29-4-dual-criminality"})))
          .ok());
  // uncc:art7 is equivalent to budapest:art2, so the exception holds for it too.
  const Statement uncc7 = Request("preservation", {{"offences", {"uncc:art7-illegal-access"}}});
  EXPECT_EQ(
      Check(uncc7, {}, Response(kNl, "refused", 1, Grounds({"budapest:art29-4-dual-criminality"})))
          .code(),
      absl::StatusCode::kInvalidArgument);
}

TEST(CheckResponse, FutureDatedAndBadRequest) {
  const Statement pres = Request();
  absl::Status s = CheckResponse(pres, {}, Response(kNl, "acknowledged", 1), Days(0.5), {});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("in the future"));
  const Statement ack = Response(kNl, "acknowledged", 1);
  EXPECT_EQ(CheckResponse(ack, {}, ack, Days(2), {}).code(), absl::StatusCode::kInvalidArgument);
}

// Earlier responses that do not answer this request's log, or that were invalid at their
// place, do not count.
TEST(CheckResponse, IgnoresForeignAndInvalidEarlierResponses) {
  const Statement pres = Request();
  Statement foreign = Response(kNl, "executed", 0.5, Until(90));
  foreign.payload["request"]["origin"] = kXx;
  const std::vector<Statement> earlier = {foreign, Response(kXx, "refused", 0.6)};
  EXPECT_TRUE(Check(pres, earlier, Response(kNl, "acknowledged", 1)).ok());
  ProcedureState st = Evaluate(pres, earlier, Days(1), {});
  EXPECT_EQ(st.ignored_responses, 1);  // the bystander's refusal; the foreign one is skipped
  EXPECT_EQ(st.state, "open");
}

const Deadline* Find(const ProcedureState& st, DeadlineKind kind, const std::string& party = kNl) {
  for (const Deadline& d : st.deadlines) {
    if (d.kind == kind && d.party == party) return &d;
  }
  return nullptr;
}

TEST(Evaluate, UnansweredUrgentRequestIsOverdue) {
  const Statement pres = Request();
  ProcedureState st = Evaluate(pres, {}, Days(0.5), {});
  EXPECT_EQ(st.state, "open");
  EXPECT_EQ(st.requester, kEe);
  EXPECT_EQ(st.type, RequestType::kPreservation);
  ASSERT_EQ(st.tracks.size(), 1u);
  EXPECT_EQ(st.tracks[0].awaited, "acknowledgement");
  EXPECT_FALSE(st.overdue);
  const Deadline* ack = Find(st, DeadlineKind::kAcknowledgement);
  ASSERT_NE(ack, nullptr);
  EXPECT_EQ(ack->due, kT0 + absl::Hours(24));
  EXPECT_FALSE(ack->overdue);

  st = Evaluate(pres, {}, Days(1.5), {});
  EXPECT_TRUE(st.overdue);
  EXPECT_TRUE(Find(st, DeadlineKind::kAcknowledgement)->overdue);
  EXPECT_FALSE(Find(st, DeadlineKind::kRespondBy)->overdue);
  st = Evaluate(pres, {}, Days(3), {});
  EXPECT_TRUE(Find(st, DeadlineKind::kRespondBy)->overdue);
  EXPECT_EQ(Find(st, DeadlineKind::kRespondBy)->due, Days(2));
}

TEST(Evaluate, AcknowledgementDeadlineFollowsUrgencyAndOptions) {
  CaseworkOptions o;
  o.ack_emergency = absl::Hours(1);
  ProcedureState st =
      Evaluate(Request("preservation", {{"urgency", "emergency"}}), {}, Days(0.1), o);
  EXPECT_EQ(Find(st, DeadlineKind::kAcknowledgement)->due, kT0 + absl::Hours(1));
  EXPECT_TRUE(st.overdue);
  st = Evaluate(Request("production", {{"urgency", "routine"}}), {}, Days(3), {});
  EXPECT_EQ(Find(st, DeadlineKind::kAcknowledgement)->due, Days(7));
  EXPECT_FALSE(Find(st, DeadlineKind::kAcknowledgement)->overdue);
  o.ack_routine = absl::InfiniteDuration();
  st = Evaluate(Request("production", {{"urgency", "routine"}}), {}, Days(30), o);
  EXPECT_EQ(Find(st, DeadlineKind::kAcknowledgement), nullptr);
}

TEST(Evaluate, LateAcknowledgementStaysFlagged) {
  const Statement pres = Request();
  const std::vector<Statement> rs = {Response(kNl, "acknowledged", 1.5)};
  ProcedureState st = Evaluate(pres, rs, Days(1.8), {});
  EXPECT_EQ(st.state, "acknowledged");
  EXPECT_EQ(st.tracks[0].awaited, "execution or refusal");
  const Deadline* ack = Find(st, DeadlineKind::kAcknowledgement);
  EXPECT_EQ(ack->met, Days(1.5));
  EXPECT_TRUE(ack->overdue);
}

TEST(Evaluate, PreservedThenLapsed) {
  const Statement pres = Request();
  const std::vector<Statement> rs = {Response(kNl, "acknowledged", 0.1),
                                     Response(kNl, "executed", 0.5, Until(90)),
                                     Response(kNl, "extended", 80, Until(150))};
  ProcedureState st = Evaluate(pres, rs, Days(100), {});
  EXPECT_EQ(st.state, "preserved");
  EXPECT_TRUE(st.closed);
  EXPECT_FALSE(st.overdue);
  EXPECT_TRUE(st.tracks[0].preserving);
  EXPECT_EQ(st.tracks[0].preserved_until, Days(150));
  const Deadline* until = Find(st, DeadlineKind::kPreservedUntil);
  ASSERT_NE(until, nullptr);
  EXPECT_EQ(until->due, Days(150));
  EXPECT_FALSE(until->passed);
  EXPECT_EQ(Find(st, DeadlineKind::kRespondBy)->met, Days(0.5));

  st = Evaluate(pres, rs, Days(151), {});
  EXPECT_EQ(st.state, "lapsed");
  EXPECT_FALSE(st.tracks[0].preserving);
  EXPECT_TRUE(Find(st, DeadlineKind::kPreservedUntil)->passed);
  EXPECT_FALSE(Find(st, DeadlineKind::kPreservedUntil)->overdue);
}

TEST(Evaluate, WithdrawalMeetsDeadlinesAndReleasesData) {
  const Statement pres = Request();
  const std::vector<Statement> rs = {Response(kNl, "executed", 0.5, Until(90)),
                                     Response(kEe, "withdrawn", 10)};
  ProcedureState st = Evaluate(pres, rs, Days(20), {});
  EXPECT_EQ(st.state, "withdrawn");
  EXPECT_FALSE(st.overdue);
  EXPECT_EQ(st.tracks[0].preserved_until, Days(10));
  EXPECT_FALSE(st.tracks[0].preserving);

  const Statement prod = Request("production");
  const std::vector<Statement> withdrawal = {Response(kEe, "withdrawn", 0.5)};
  st = Evaluate(prod, withdrawal, Days(5), {});
  EXPECT_EQ(st.state, "withdrawn");
  EXPECT_EQ(st.tracks[0].phase, Phase::kWithdrawn);
  EXPECT_FALSE(st.overdue);
  EXPECT_TRUE(st.closed);
}

TEST(Evaluate, SeveralAddressees) {
  const Statement req = Request("production", {{"to", {kNl, kDe}}});
  const std::vector<Statement> rs = {
      Response(kNl, "executed", 0.5),
      Response(kDe, "executed_in_part", 0.6, Grounds({"uncc:art40-21-c-domestic-prohibition"}))};
  ProcedureState st = Evaluate(req, rs, Days(3), {});
  EXPECT_EQ(st.state, "open");
  EXPECT_FALSE(st.closed);
  ASSERT_EQ(st.tracks.size(), 2u);
  EXPECT_EQ(st.tracks[0].phase, Phase::kExecuted);
  EXPECT_EQ(st.tracks[1].phase, Phase::kExecutedInPart);
  EXPECT_EQ(st.tracks[1].awaited, "execution or refusal");
  EXPECT_FALSE(Find(st, DeadlineKind::kRespondBy, kNl)->overdue);
  EXPECT_TRUE(Find(st, DeadlineKind::kRespondBy, kDe)->overdue);
  EXPECT_TRUE(st.overdue);

  const std::vector<Statement> done = {rs[0], rs[1], Response(kDe, "executed", 1)};
  st = Evaluate(req, done, Days(3), {});
  EXPECT_EQ(st.state, "closed");
  EXPECT_FALSE(st.overdue);
}

TEST(Evaluate, NamesForDisplay) {
  EXPECT_EQ(PhaseName(Phase::kExecutedInPart), "executed_in_part");
  EXPECT_EQ(DeadlineKindName(DeadlineKind::kPreservedUntil), "preserved_until");
}

}  // namespace
}  // namespace accord::casework

namespace accord::casework {
namespace {

// A request backdated by its issuer does not run its clock from the date it claims: the
// time by which the addressee's monitor knows it was not yet logged bounds it.
TEST(ProcedureClock, ABackdatedRequestRunsFromWhenItWasFirstSeen) {
  const Statement request = Request();  // issued kT0, urgent, respond_by kT0 + 2 days
  const CaseworkOptions options;
  const absl::Time seen = Days(30);  // not yet in the log a month after its `issued`
  ProcedureState st = Evaluate(request, {}, seen + absl::Minutes(1), options, seen);
  EXPECT_TRUE(st.backdated);
  EXPECT_EQ(st.clock_start, seen - options.max_statement_age);
  EXPECT_FALSE(st.overdue) << "overdue a minute after it arrived";
  for (const Deadline& d : st.deadlines) {
    EXPECT_GT(d.due, seen) << DeadlineKindName(d.kind);
  }
  // The requester's own period (respond_by − issued) is kept, from the clock's start.
  bool respond_by = false;
  for (const Deadline& d : st.deadlines) {
    if (d.kind != DeadlineKind::kRespondBy) continue;
    respond_by = true;
    EXPECT_EQ(d.due, st.clock_start + absl::Hours(48));
  }
  EXPECT_TRUE(respond_by);
  // Later it is overdue like any other.
  EXPECT_TRUE(Evaluate(request, {}, seen + absl::Hours(24 * 3), options, seen).overdue);
}

TEST(ProcedureClock, ARequestSeenPromptlyOrOfThisPartyRunsFromIssued) {
  const Statement request = Request();
  const CaseworkOptions options;
  for (const std::optional<absl::Time> seen :
       {std::optional<absl::Time>(), std::optional<absl::Time>(kT0 + absl::Seconds(3)),
        std::optional<absl::Time>(kT0 + options.max_statement_age)}) {
    ProcedureState st = Evaluate(request, {}, kT0 + absl::Hours(1), options, seen);
    EXPECT_FALSE(st.backdated);
    EXPECT_EQ(st.clock_start, kT0);
  }
  // The same request, late by more than the window: its clock starts later.
  EXPECT_EQ(StartOfClock(kT0, kT0 + options.max_statement_age + absl::Seconds(1), options).at,
            kT0 + absl::Seconds(1));
}

}  // namespace
}  // namespace accord::casework
