// The procedure state machine (see procedure_state.h). One replay function applies
// responses in order to per-addressee tracks; CheckResponse and Evaluate both use it, so
// what the node accepts and what a case shows cannot disagree.
#include "src/casework/procedure_state.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "src/statement/taxonomy.h"
#include "src/util/time.h"

namespace accord::casework {
namespace {

using Json = nlohmann::json;
using statement::Statement;

// Citations shared by several rules (docs/casework.md, "The state machine").
constexpr char kPreservationCite[] = "Budapest Art. 29(7); UNCC Art. 42";
constexpr char kRequestedPartyCite[] =
    "the requested Party executes: Budapest Art. 25(1), 27(7), 29(3); UNCC Art. 40, 42";
constexpr char kReasonsCite[] = "Budapest Art. 27(7); UNCC Art. 40";
constexpr char kFinalCite[] = "accord rule, docs/casework.md: executed and refused are final";
constexpr char kWithdrawalCite[] = "accord rule, docs/casework.md: a withdrawal ends the procedure";

absl::Status Rule(absl::StatusCode code, std::string_view rule, std::string_view cite) {
  return absl::Status(code, absl::StrCat(std::string(rule), " (", std::string(cite), ")"));
}

bool IsFinal(Phase phase) {
  return phase == Phase::kExecuted || phase == Phase::kRefused || phase == Phase::kWithdrawn;
}

// A procedure replayed so far.
struct Replay {
  RequestType type;
  std::vector<Track> tracks;
  std::vector<std::optional<absl::Time>> first_answer;  // per track
  std::vector<std::optional<absl::Time>> final_answer;  // per track: executed or refused
  std::optional<absl::Time> withdrawn_at;
};

absl::StatusOr<Replay> Start(const Statement& request) {
  if (request.kind != statement::Kind::kRequest) {
    return absl::InvalidArgumentError(absl::StrCat(
        "not a request but a ", std::string(statement::KindName(request.kind)), " statement"));
  }
  std::optional<RequestType> type;
  if (auto it = request.payload.find("request_type");
      it != request.payload.end() && it->is_string()) {
    type = ParseRequestType(it->get_ref<const std::string&>());
  }
  if (!type.has_value()) return absl::InvalidArgumentError("the request has no known request_type");
  Replay r{*type, {}, {}, {}, {}};
  for (const std::string& party : request.addressees) r.tracks.push_back(Track{party});
  r.first_answer.resize(r.tracks.size());
  r.final_answer.resize(r.tracks.size());
  return r;
}

std::optional<absl::Time> UntilOf(const Statement& response) {
  auto it = response.payload.find("until");
  absl::Time t;
  std::string err;
  if (it == response.payload.end() || !it->is_string() ||
      !absl::ParseTime(absl::RFC3339_full, it->get<std::string>(), &t, &err)) {
    return std::nullopt;
  }
  return t;
}

// True iff one of the request's offences is (or is equivalent to) an offence established
// under Budapest Art. 2-11, for which preservation may not depend on dual criminality.
bool ConcernsBudapestCoreOffence(const Statement& request) {
  auto it = request.payload.find("offences");
  if (it == request.payload.end() || !it->is_array()) return false;
  const statement::Taxonomy& taxonomy = statement::OffenceTaxonomy();
  auto core = [](const statement::Offence* o) {
    return o != nullptr && o->instrument == statement::Instrument::kBudapest && o->article >= 2 &&
           o->article <= 11;
  };
  for (const Json& code : *it) {
    if (!code.is_string()) continue;
    const std::string& c = code.get_ref<const std::string&>();
    if (core(taxonomy.Find(c))) return true;
    for (const statement::Offence* e : taxonomy.Equivalents(c)) {
      if (core(e)) return true;
    }
  }
  return false;
}

absl::Status CheckGrounds(const Procedure& procedure, const Statement& request,
                          const Statement& response, std::string_view status) {
  auto it = response.payload.find("grounds");
  if (it == response.payload.end() || !it->is_array() || it->empty()) {
    return Rule(absl::StatusCode::kInvalidArgument,
                absl::StrCat("/payload/grounds: ", std::string(status), " must give its grounds"),
                kReasonsCite);
  }
  for (size_t i = 0; i < it->size(); ++i) {
    const std::string code = (*it)[i].is_string() ? (*it)[i].get<std::string>() : "";
    const std::string at = absl::StrCat("/payload/grounds/", i, ": ");
    const RefusalGround* ground = FindRefusalGround(code);
    if (ground == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          at, "\"", code, "\" is not a listed ground (docs/casework.md, \"Refusal grounds\")"));
    }
    if (!AdmitsGround(procedure, code)) {
      std::vector<std::string> allowed;
      for (std::string_view g : procedure.grounds) allowed.emplace_back(g);
      return absl::InvalidArgumentError(
          absl::StrCat(at, std::string(ground->citation), " is not a ground for refusing a ",
                       std::string(RequestTypeName(procedure.type)),
                       " request (admitted: ", absl::StrJoin(allowed, ", "), ")"));
    }
    if (code == "budapest:art29-4-dual-criminality" && ConcernsBudapestCoreOffence(request)) {
      return Rule(absl::StatusCode::kInvalidArgument,
                  absl::StrCat(at,
                               "dual criminality may not be required for offences "
                               "established under Art. 2-11"),
                  "Budapest Art. 29(3), 29(4)");
    }
  }
  return absl::OkStatus();
}

// Preservation by an executed or executed_in_part answer: "until" at least the minimum.
absl::StatusOr<absl::Time> CheckPreservedUntil(const Statement& response,
                                               const CaseworkOptions& options) {
  std::optional<absl::Time> until = UntilOf(response);
  if (!until.has_value()) {
    return Rule(absl::StatusCode::kInvalidArgument,
                "/payload/until: a preservation must state until when the data is held",
                kPreservationCite);
  }
  if (*until < response.issued + MinPreservation(options)) {
    return Rule(
        absl::StatusCode::kInvalidArgument,
        absl::StrCat("/payload/until: preservation must be held at least ",
                     absl::ToInt64Hours(MinPreservation(options)) / 24, " days, until ",
                     util::Rfc3339(response.issued + MinPreservation(options)), " or later"),
        kPreservationCite);
  }
  return *until;
}

absl::Status Withdraw(Replay& r, const Statement& request, const Statement& response) {
  if (response.issuer != request.issuer) {
    return Rule(absl::StatusCode::kPermissionDenied,
                absl::StrCat("only the requesting party ", request.issuer,
                             " may withdraw its request, not ", response.issuer),
                kWithdrawalCite);
  }
  const bool open = std::any_of(r.tracks.begin(), r.tracks.end(), [&](const Track& t) {
    return !IsFinal(t.phase) || (t.preserved_until && response.issued <= *t.preserved_until);
  });
  if (!open) {
    return Rule(absl::StatusCode::kFailedPrecondition,
                "nothing left to withdraw: every addressee has answered finally and no data "
                "is preserved",
                kWithdrawalCite);
  }
  r.withdrawn_at = response.issued;
  for (Track& t : r.tracks) {
    if (!IsFinal(t.phase)) t.phase = Phase::kWithdrawn;
    // Withdrawal releases preserved data: the requester no longer needs it held.
    if (t.preserved_until && *t.preserved_until > response.issued) {
      t.preserved_until = response.issued;
    }
  }
  return absl::OkStatus();
}

absl::Status Extend(Track& track, const Statement& response) {
  if (!track.preserved_until.has_value()) {
    return Rule(absl::StatusCode::kFailedPrecondition,
                absl::StrCat("only preserved data can be extended; ", track.party,
                             " has preserved nothing for this request"),
                kPreservationCite);
  }
  if (response.issued > *track.preserved_until) {
    return Rule(absl::StatusCode::kFailedPrecondition,
                absl::StrCat("the preservation lapsed at ", util::Rfc3339(*track.preserved_until),
                             "; an extension issued after the lapse cannot revive it, a new "
                             "preservation request is needed"),
                kPreservationCite);
  }
  std::optional<absl::Time> until = UntilOf(response);
  if (!until.has_value() || *until <= *track.preserved_until) {
    return Rule(absl::StatusCode::kInvalidArgument,
                absl::StrCat("/payload/until: an extension must hold the data past ",
                             util::Rfc3339(*track.preserved_until)),
                kPreservationCite);
  }
  track.preserved_until = until;
  return absl::OkStatus();
}

// Checks `response` against the replay so far and, if it may follow, applies it.
absl::Status Apply(Replay& r, const Statement& request, const Statement& response, absl::Time now,
                   const CaseworkOptions& options) {
  if (response.kind != statement::Kind::kResponse) {
    return absl::InvalidArgumentError(absl::StrCat(
        "not a response but a ", std::string(statement::KindName(response.kind)), " statement"));
  }
  const Json& p = response.payload;
  const std::string origin = p.at("request").at("origin").get<std::string>();
  if (origin != request.issuer) {
    return absl::InvalidArgumentError(absl::StrCat("/payload/request/origin: answers a request in ",
                                                   origin, "'s log, not one of ", request.issuer));
  }
  const std::string status_name = p.at("status").get<std::string>();
  std::optional<ResponseStatus> status = ParseResponseStatus(status_name);
  if (!status.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("/payload/status: unknown \"", status_name, "\""));
  }
  if (response.issued < request.issued) {
    return absl::InvalidArgumentError(
        absl::StrCat("/payload/issued: ", util::Rfc3339(response.issued),
                     " is before the request (", util::Rfc3339(request.issued), ")"));
  }
  if (response.issued > now + options.max_clock_skew) {
    return absl::InvalidArgumentError(
        absl::StrCat("/payload/issued: ", util::Rfc3339(response.issued), " is in the future"));
  }
  const Procedure& procedure = ProcedureFor(r.type);
  if (!Admits(procedure, *status)) {
    return Rule(absl::StatusCode::kInvalidArgument,
                absl::StrCat("/payload/status: ", status_name, " is no answer to a ",
                             std::string(RequestTypeName(r.type)),
                             " request; only a preservation can be extended"),
                kPreservationCite);
  }
  if (r.withdrawn_at.has_value()) {
    return Rule(absl::StatusCode::kFailedPrecondition,
                absl::StrCat("the request was withdrawn at ", util::Rfc3339(*r.withdrawn_at),
                             "; nothing may follow a withdrawal"),
                kWithdrawalCite);
  }
  if (*status == ResponseStatus::kWithdrawn) return Withdraw(r, request, response);

  auto it = std::find_if(r.tracks.begin(), r.tracks.end(),
                         [&](const Track& t) { return t.party == response.issuer; });
  if (it == r.tracks.end()) {
    return Rule(absl::StatusCode::kPermissionDenied,
                absl::StrCat("only an addressee of the request may answer it; ", response.issuer,
                             " is not among ", absl::StrJoin(request.addressees, ", ")),
                kRequestedPartyCite);
  }
  Track& track = *it;
  const size_t i = static_cast<size_t>(it - r.tracks.begin());
  if (*status == ResponseStatus::kExtended) return Extend(track, response);
  if (IsFinal(track.phase)) {
    return Rule(absl::StatusCode::kFailedPrecondition,
                absl::StrCat(track.party, " already answered ", std::string(PhaseName(track.phase)),
                             "; nothing but an extension of preserved data may follow a final "
                             "answer"),
                kFinalCite);
  }
  if (*status == ResponseStatus::kAcknowledged) {
    if (track.phase != Phase::kOpen) {
      return Rule(absl::StatusCode::kFailedPrecondition,
                  absl::StrCat("an acknowledgement must be the first answer; ", track.party,
                               " already answered ", std::string(PhaseName(track.phase))),
                  "Budapest Art. 29(3), 35(1); UNCC Art. 41, 42: acknowledge on receipt");
    }
    track.phase = Phase::kAcknowledged;
  } else {
    if (*status != ResponseStatus::kExecuted) {
      if (auto s = CheckGrounds(procedure, request, response, status_name); !s.ok()) return s;
    }
    std::optional<absl::Time> until;
    if (r.type == RequestType::kPreservation && *status != ResponseStatus::kRefused) {
      absl::StatusOr<absl::Time> u = CheckPreservedUntil(response, options);
      if (!u.ok()) return u.status();
      until = *u;
    }
    if (until.has_value()) {
      track.preserved_until = std::max(until, track.preserved_until);
    }
    track.phase = *status == ResponseStatus::kExecuted  ? Phase::kExecuted
                  : *status == ResponseStatus::kRefused ? Phase::kRefused
                                                        : Phase::kExecutedInPart;
    if (IsFinal(track.phase)) r.final_answer[i] = response.issued;
  }
  if (!r.first_answer[i].has_value()) r.first_answer[i] = response.issued;
  return absl::OkStatus();
}

// Replays `responses` that answer `request`'s log, skipping (and counting) refused ones.
Replay ReplayAll(const Statement& request, std::span<const Statement> responses, absl::Time now,
                 const CaseworkOptions& options, Replay r, int* ignored) {
  for (const Statement& response : responses) {
    if (response.kind == statement::Kind::kResponse &&
        response.payload.at("request").at("origin").get<std::string>() != request.issuer) {
      continue;  // answers another log's request
    }
    if (!Apply(r, request, response, now, options).ok() && ignored != nullptr) ++*ignored;
  }
  return r;
}

}  // namespace

std::string_view PhaseName(Phase phase) {
  switch (phase) {
    case Phase::kOpen:
      return "open";
    case Phase::kAcknowledged:
      return "acknowledged";
    case Phase::kExecutedInPart:
      return "executed_in_part";
    case Phase::kExecuted:
      return "executed";
    case Phase::kRefused:
      return "refused";
    case Phase::kWithdrawn:
      return "withdrawn";
  }
  return "?";
}

std::string_view DeadlineKindName(DeadlineKind kind) {
  switch (kind) {
    case DeadlineKind::kAcknowledgement:
      return "acknowledgement";
    case DeadlineKind::kRespondBy:
      return "respond_by";
    case DeadlineKind::kPreservedUntil:
      return "preserved_until";
  }
  return "?";
}

absl::Status CheckResponse(const Statement& request, std::span<const Statement> earlier_responses,
                           const Statement& response, absl::Time now,
                           const CaseworkOptions& options) {
  absl::StatusOr<Replay> start = Start(request);
  if (!start.ok()) return start.status();
  Replay r = ReplayAll(request, earlier_responses, now, options, *std::move(start), nullptr);
  return Apply(r, request, response, now, options);
}

ClockStart StartOfClock(absl::Time issued, std::optional<absl::Time> logged_after,
                        const CaseworkOptions& options) {
  if (!logged_after || issued >= *logged_after - options.max_statement_age) return {issued, false};
  return {*logged_after - options.max_statement_age, true};
}

ProcedureState Evaluate(const Statement& request, std::span<const Statement> responses,
                        absl::Time now, const CaseworkOptions& options,
                        std::optional<absl::Time> logged_after) {
  absl::StatusOr<Replay> start = Start(request);
  ProcedureState out;
  out.requester = request.issuer;
  if (!start.ok()) {  // REQUIRES violated; show what can be shown
    out.type = RequestType::kMutualAssistance;
    out.state = "invalid";
    return out;
  }
  Replay r = ReplayAll(request, responses, now, options, *std::move(start), &out.ignored_responses);
  out.type = r.type;
  const ClockStart clock = StartOfClock(request.issued, logged_after, options);
  out.clock_start = clock.at;
  out.backdated = clock.backdated;
  const std::string urgency = request.payload.value("urgency", "");
  const absl::Duration ack = AckPeriod(options, urgency);
  std::optional<absl::Time> respond_by;
  if (auto it = request.payload.find("respond_by"); it != request.payload.end()) {
    absl::Time t;
    std::string err;
    if (it->is_string() && absl::ParseTime(absl::RFC3339_full, it->get<std::string>(), &t, &err)) {
      // The period the requester asked for, from when the clock starts.
      respond_by = t + (out.clock_start - request.issued);
    }
  }
  auto add = [&](DeadlineKind kind, const std::string& party, absl::Time due, std::string cite,
                 std::optional<absl::Time> met) {
    Deadline d{kind, party, due, std::move(cite), met};
    d.passed = now > due;
    if (kind != DeadlineKind::kPreservedUntil) d.overdue = met ? *met > due : now > due;
    out.overdue = out.overdue || d.overdue;
    out.deadlines.push_back(std::move(d));
  };
  for (size_t i = 0; i < r.tracks.size(); ++i) {
    Track& t = r.tracks[i];
    std::optional<absl::Time> first = r.first_answer[i], final = r.final_answer[i];
    if (r.withdrawn_at) {
      if (!first) first = r.withdrawn_at;
      if (!final) final = r.withdrawn_at;
    }
    if (ack != absl::InfiniteDuration()) {
      add(DeadlineKind::kAcknowledgement, t.party, out.clock_start + ack,
          absl::StrCat("accord policy for ", urgency,
                       " requests (CaseworkOptions); Budapest Art. 35(1); UNCC Art. 41"),
          first);
    }
    if (respond_by) {
      add(DeadlineKind::kRespondBy, t.party, *respond_by,
          "the request's respond_by; UNCC Art. 40: deadlines the requesting State suggests", final);
    }
    if (t.preserved_until) {
      add(DeadlineKind::kPreservedUntil, t.party, *t.preserved_until, kPreservationCite, {});
      t.preserving = now <= *t.preserved_until;
    }
    t.awaited = t.phase == Phase::kOpen ? "acknowledgement"
                : IsFinal(t.phase)      ? ""
                                        : "execution or refusal";
  }
  out.closed = std::all_of(r.tracks.begin(), r.tracks.end(),
                           [](const Track& t) { return t.awaited.empty(); });
  if (r.withdrawn_at) {
    out.state = "withdrawn";
  } else if (r.tracks.size() == 1) {
    const Track& t = r.tracks[0];
    out.state = std::string(PhaseName(t.phase));
    if (IsFinal(t.phase) && t.preserved_until) out.state = t.preserving ? "preserved" : "lapsed";
  } else {
    out.state = out.closed ? "closed" : "open";
  }
  out.tracks = std::move(r.tracks);
  return out;
}

}  // namespace accord::casework
