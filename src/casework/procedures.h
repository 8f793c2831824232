// The conventions' cooperation procedures as data: one Procedure per request_type of
// docs/schemas/request.v1.json, with its articles in the UN Convention against Cybercrime
// (A/RES/79/243, chapter V) and the Budapest Convention (ETS No. 185, chapter III), the
// fields a request of that kind must carry beyond its schema, the response statuses it
// admits, the listed refusal grounds each citing its article, and the configurable time
// limits. docs/casework.md maps every rule to its article and says which citations were
// verified against the texts.
//
// Pure computation; thread-safe.
#ifndef ACCORD_CASEWORK_PROCEDURES_H_
#define ACCORD_CASEWORK_PROCEDURES_H_

#include <optional>
#include <span>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "src/statement/statement.h"

namespace accord::casework {

// request.v1.json "request_type".
enum class RequestType {
  kAssistance247,       // "assistance_24_7"
  kPreservation,        // "preservation"
  kTrafficDisclosure,   // "traffic_disclosure"
  kProduction,          // "production"
  kMutualAssistance,    // "mutual_assistance"
  kRealtimeCollection,  // "realtime_collection"
};
std::string_view RequestTypeName(RequestType type);
std::optional<RequestType> ParseRequestType(std::string_view name);

// response.v1.json "status".
enum class ResponseStatus {
  kAcknowledged,    // received and being handled
  kExecuted,        // done (for preservation: the data is preserved "until")
  kExecutedInPart,  // part done, the rest not (yet), with grounds
  kRefused,         // refused, with grounds
  kExtended,        // a preservation prolonged to a new "until"
  kWithdrawn,       // the requester withdraws its own request
};
std::string_view ResponseStatusName(ResponseStatus status);
std::optional<ResponseStatus> ParseResponseStatus(std::string_view name);

// A ground on which a request may be refused (or executed only in part), as a code that
// a response lists in "grounds", e.g. "budapest:art29-5-b-essential-interests".
struct RefusalGround {
  std::string_view code;
  std::string_view citation;  // "Budapest Art. 29(5)(b)"
  std::string_view summary;   // a paraphrase, not the treaty text
};
// Every listed ground, in the order docs/casework.md lists them.
std::span<const RefusalGround> RefusalGrounds();
// The ground with `code`, or nullptr.
const RefusalGround* FindRefusalGround(std::string_view code);

// A member a request of some kind must carry although its schema leaves it optional.
struct RequiredField {
  std::string_view member;    // payload member, e.g. "data_sought"
  std::string_view citation;  // the article that asks for it
};

struct Procedure {
  RequestType type;
  std::string_view title;
  std::string_view uncc;      // UNCC articles, e.g. "UNCC Art. 42"
  std::string_view budapest;  // Budapest articles, e.g. "Budapest Art. 29"
  std::span<const RequiredField> required;
  std::span<const ResponseStatus> statuses;   // statuses a response may have
  std::span<const std::string_view> grounds;  // codes of RefusalGrounds() it admits
};
// One entry per RequestType, in enum order.
std::span<const Procedure> Procedures();
const Procedure& ProcedureFor(RequestType type);
// True iff `procedure` admits `status` / the ground `code`.
bool Admits(const Procedure& procedure, ResponseStatus status);
bool AdmitsGround(const Procedure& procedure, std::string_view code);

// Time limits. The treaty minimum (60 days of preservation) is a floor the options cannot
// lower; the acknowledgement times are accord's policy, since the conventions ask only
// for "expeditious" or "immediate" action (Budapest Art. 29(3), 35(1); UNCC Art. 41, 42).
struct CaseworkOptions {
  // An acknowledgement (or any answer) is due this long after the request was issued;
  // InfiniteDuration for none.
  absl::Duration ack_emergency = absl::Hours(4);
  absl::Duration ack_urgent = absl::Hours(24);
  absl::Duration ack_routine = absl::Hours(24 * 7);
  // Least time data must be preserved from the response that preserves it: Budapest Art.
  // 29(7), UNCC Art. 42. Values below 60 days count as 60.
  int min_preservation_days = 60;
  // How far a response's "issued" may lie after `now` (clocks differ).
  absl::Duration max_clock_skew = absl::Minutes(5);
  // A request of another party is taken to have been issued no earlier than this long
  // before it was logged: a node refuses statements older than this
  // (NodeOptions::max_statement_age), so an older `issued` is a backdated one and the
  // procedure's clock starts later (StartOfClock, ProcedureState::backdated).
  absl::Duration max_statement_age = absl::Minutes(15);
};
// The acknowledgement period for a request of `urgency` ("routine", "urgent",
// "emergency"); InfiniteDuration for an unknown urgency.
absl::Duration AckPeriod(const CaseworkOptions& options, std::string_view urgency);
// max(60, options.min_preservation_days) days.
absl::Duration MinPreservation(const CaseworkOptions& options);

// Checks a request (already through statement::Validator::Parse) against its procedure:
// the members its kind requires (Procedure::required), and for preservation
// preservation_days >= MinPreservation. InvalidArgument "<pointer>: <rule> (<citation>)"
// otherwise, the pointer addressing the payload ("/payload/data_sought").
absl::Status CheckRequest(const statement::Statement& request, const CaseworkOptions& options);

}  // namespace accord::casework

#endif  // ACCORD_CASEWORK_PROCEDURES_H_
