// The state machine of one request's procedure, over statements: which responses may
// follow which, who may issue them, and the deadlines that run. Pure functions of the
// request, the responses already accepted for it (in log order) and the time; the node
// calls CheckResponse before it logs a response and Evaluate to show a case. Every rule
// is listed with its article in docs/casework.md ("The state machine").
//
// Each addressee of a request answers on its own track:
//
//   open ──acknowledged──▶ acknowledged ──┬─executed──────────▶ executed   (final)
//     │                                   ├─refused───────────▶ refused    (final)
//     └──(executed | executed_in_part | refused directly)      └─executed_in_part─▶ in part
//   in part ──executed | refused | executed_in_part──▶ …
//   preservation only: executed / executed_in_part with "until" ≥ issued + 60 days make
//   the data preserved; "extended" with a later "until" while still preserved.
//
// The requester may withdraw its request ("withdrawn", in its own log) while some track
// is not final or some data is still preserved; after that nothing may follow.
//
// Thread-safe (no state).
#ifndef ACCORD_CASEWORK_PROCEDURE_STATE_H_
#define ACCORD_CASEWORK_PROCEDURE_STATE_H_

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "src/casework/procedures.h"
#include "src/statement/statement.h"

namespace accord::casework {

// Whether `response` may follow `earlier_responses` (the responses to `request` already
// accepted, in log order; ones that do not answer `request` — another origin in their
// "request" ref — are ignored) at time `now`. The caller guarantees that `response`'s
// "request" ref resolves to `request` (the node found it that way); this function checks
// only that the ref names the request's log. Returns OK, or:
//   InvalidArgument     — not a request / response; a ref to another log; the status is
//                         not one the procedure admits; grounds missing, unlisted or not
//                         admitted for the procedure; preservation without "until" or
//                         shorter than 60 days; an extension that does not extend; issued
//                         before the request or after now + max_clock_skew.
//   PermissionDenied    — the issuer may not give this answer: not an addressee of the
//                         request, or a withdrawal by anyone but the requester.
//   FailedPrecondition  — the answer comes in the wrong order: after a final answer,
//                         after the request's withdrawal, a second acknowledgement, an
//                         extension after the preservation lapsed.
// Each message names the rule and cites its article, e.g. "preservation must be held at
// least 60 days (Budapest Art. 29(7); UNCC Art. 42)".
absl::Status CheckResponse(const statement::Statement& request,
                           std::span<const statement::Statement> earlier_responses,
                           const statement::Statement& response, absl::Time now,
                           const CaseworkOptions& options);

// Where one addressee's track stands.
enum class Phase {
  kOpen,            // nothing answered yet
  kAcknowledged,    // acknowledged, not yet executed or refused
  kExecutedInPart,  // part executed; the rest still due
  kExecuted,        // executed in full (final; for preservation see preserved_until)
  kRefused,         // refused (final)
  kWithdrawn,       // the requester withdrew the request (final)
};
std::string_view PhaseName(Phase phase);  // "open", "acknowledged", "executed_in_part", …

enum class DeadlineKind {
  kAcknowledgement,  // first answer due: request issued + AckPeriod(urgency)
  kRespondBy,        // final answer due: the request's "respond_by"
  kPreservedUntil,   // data held until: the latest "until" of the addressee's answers
};
std::string_view DeadlineKindName(DeadlineKind kind);  // "acknowledgement", …

struct Deadline {
  DeadlineKind kind;
  std::string party;  // who must act (the addressee); for kPreservedUntil, who holds data
  absl::Time due;
  std::string citation;           // where the limit comes from
  std::optional<absl::Time> met;  // when the awaited act happened, if it did
  // kAcknowledgement, kRespondBy: not met by `due` (met late, or still unmet after due).
  // kPreservedUntil: never (a lapse is no one's fault), see `passed`.
  bool overdue = false;
  bool passed = false;  // now > due
};

struct Track {
  std::string party;  // the addressee's origin
  Phase phase = Phase::kOpen;
  std::optional<absl::Time> preserved_until;  // preservation: data held until then
  bool preserving = false;                    // preserved_until set and now <= it
  std::string awaited;  // what is awaited from `party`: "acknowledgement", "execution or
                        // refusal", or "" when nothing is
};

struct ProcedureState {
  RequestType type;
  std::string requester;  // the request's issuer
  // "withdrawn"; else for one addressee its phase name, "preserved" when data is held,
  // "lapsed" when a preservation ended; for several addressees "open" or "closed".
  std::string state;
  bool closed = false;        // no track awaits anything (data may still be preserved)
  std::vector<Track> tracks;  // one per addressee, in the order of the request's "to"
  std::vector<Deadline> deadlines;
  bool overdue = false;  // some deadline is overdue
  // Responses skipped because CheckResponse refused them at their place in the sequence.
  int ignored_responses = 0;
  // When the procedure's clock starts: the request's `issued`, unless that lies more than
  // CaseworkOptions::max_statement_age before a time by which the request was not yet
  // logged (StartOfClock) — then that time less the age, and `backdated` is set.
  // Periods run from here.
  absl::Time clock_start = absl::InfinitePast();
  bool backdated = false;
};

// The state of `request`'s procedure after `responses` (in log order) at `now`.
// `logged_after`: a time by which this party's monitor knows the request was not yet in
// its issuer's log (InboxItem::logged_after_unix_ms); nullopt if it cannot say, and for
// this party's own requests, whose `issued` its own node checked.
// REQUIRES: request.kind == kRequest and its request_type a known one (true of any
// statement that passed Validator::Parse).
ProcedureState Evaluate(const statement::Statement& request,
                        std::span<const statement::Statement> responses, absl::Time now,
                        const CaseworkOptions& options,
                        std::optional<absl::Time> logged_after = std::nullopt);
// When a procedure's clock starts (ProcedureState::clock_start) and whether `issued` was
// backdated, for a statement issued at `issued` and known to be logged after
// `logged_after`: a node logs only statements issued at most max_statement_age before
// its clock, so an earlier `issued` is backdated and the clock starts at
// logged_after − max_statement_age instead.
struct ClockStart {
  absl::Time at;
  bool backdated = false;
};
ClockStart StartOfClock(absl::Time issued, std::optional<absl::Time> logged_after,
                        const CaseworkOptions& options);

}  // namespace accord::casework

#endif  // ACCORD_CASEWORK_PROCEDURE_STATE_H_
