// Cases: one matter across the parties' logs. A case joins every statement this node
// knows — its own log and what its monitor picked up — that is connected by references
// (an incident, its evidence, the requests citing them, the responses, the disclosures'
// evidence, the claims, the access records), and shows for each request where its
// procedure stands: who must act, every deadline, and which are overdue.
#ifndef ACCORD_CASEWORK_CASES_H_
#define ACCORD_CASEWORK_CASES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "src/casework/procedure_state.h"
#include "src/casework/procedures.h"
#include "src/statement/statement.h"

namespace accord::casework {

// A statement at its log position.
struct KnownStatement {
  std::string origin;
  uint64_t index = 0;
  crypto::Digest leaf_hash{};
  statement::Statement statement;
  // A time by which this party's monitor knows it was not yet logged (statements of
  // other parties, InboxItem::logged_after_unix_ms); nullopt if unknown and for this
  // party's own.
  std::optional<absl::Time> logged_after;
};

struct RequestProgress {
  size_t item = 0;  // index into Case::items of the request
  ProcedureState state;
};

struct Case {
  std::string id;  // hex leaf hash of the case's first statement (an incident if any)
  std::string title;
  std::vector<std::string> parties;   // issuers and addressees, sorted
  std::vector<KnownStatement> items;  // in issue order
  std::vector<RequestProgress> requests;
  bool overdue = false;
  std::vector<std::string> awaiting;  // "<party>: <what> for <origin>#<index>"
};

// Groups `statements` into cases and evaluates every request at `now`. Cases are ordered
// by their first statement's time, newest first.
std::vector<Case> BuildCases(std::vector<KnownStatement> statements, absl::Time now,
                             const CaseworkOptions& options);

// JSON for the API: the summary (id, title, parties, state, overdue, awaiting, counts);
// with `detail`, every item (position, kind, issuer, issued, what it says) and every
// request's tracks and deadlines.
nlohmann::json CaseJson(const Case& c, bool detail);

}  // namespace accord::casework

#endif  // ACCORD_CASEWORK_CASES_H_
