// The procedures table (see procedures.h). Citations follow docs/casework.md, which says
// which were checked against the texts.
#include "src/casework/procedures.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"

namespace accord::casework {
namespace {

using statement::Statement;

constexpr std::array<std::string_view, 6> kTypeNames = {
    "assistance_24_7", "preservation",      "traffic_disclosure",
    "production",      "mutual_assistance", "realtime_collection"};
constexpr std::array<std::string_view, 6> kStatusNames = {
    "acknowledged", "executed", "executed_in_part", "refused", "extended", "withdrawn"};

constexpr RefusalGround kGrounds[] = {
    {"budapest:art25-4-domestic-law", "Budapest Art. 25(4)",
     "a ground for refusal under the requested Party's law or an applicable mutual assistance "
     "treaty (not the fiscal nature of an Art. 2-11 offence alone)"},
    {"budapest:art27-4-a-political-offence", "Budapest Art. 27(4)(a)",
     "the requested Party considers the offence political or connected with a political offence"},
    {"budapest:art27-4-b-essential-interests", "Budapest Art. 27(4)(b)",
     "execution is likely to prejudice the requested Party's sovereignty, security, ordre public "
     "or other essential interests"},
    {"budapest:art29-4-dual-criminality", "Budapest Art. 29(4)",
     "dual criminality cannot be met at the time of disclosure (reserved; not for offences "
     "established under Art. 2-11)"},
    {"budapest:art29-5-a-political-offence", "Budapest Art. 29(5)(a)",
     "the requested Party considers the offence political or connected with a political offence"},
    {"budapest:art29-5-b-essential-interests", "Budapest Art. 29(5)(b)",
     "execution is likely to prejudice the requested Party's sovereignty, security, ordre public "
     "or other essential interests"},
    {"budapest:art30-2-a-political-offence", "Budapest Art. 30(2)(a)",
     "the requested Party considers the offence political or connected with a political offence"},
    {"budapest:art30-2-b-essential-interests", "Budapest Art. 30(2)(b)",
     "disclosure is likely to prejudice the requested Party's sovereignty, security, ordre public "
     "or other essential interests"},
    {"uncc:art40-21-a-nonconforming", "UNCC Art. 40(21)(a)",
     "the request does not conform to the article on mutual legal assistance"},
    {"uncc:art40-21-b-essential-interests", "UNCC Art. 40(21)(b)",
     "execution is likely to prejudice the requested State's sovereignty, security, ordre public "
     "or other essential interests"},
    {"uncc:art40-21-c-domestic-prohibition", "UNCC Art. 40(21)(c)",
     "the requested State's law would forbid the action for a similar domestic offence"},
    {"uncc:art40-21-d-legal-system", "UNCC Art. 40(21)(d)",
     "granting the request would be contrary to the requested State's legal system for mutual "
     "legal assistance"},
    {"uncc:art40-22-persecution", "UNCC Art. 40(22)",
     "substantial grounds to believe the request aims to prosecute or punish a person on account "
     "of sex, race, language, religion, nationality, ethnic origin or political opinions"},
};

// Grounds for the expedited measures (preservation, disclosure of preserved traffic
// data), which the conventions let a Party refuse on fewer grounds than general MLA.
constexpr std::string_view kPreservationGrounds[] = {
    "budapest:art29-4-dual-criminality", "budapest:art29-5-a-political-offence",
    "budapest:art29-5-b-essential-interests", "uncc:art40-21-b-essential-interests",
    "uncc:art40-22-persecution"};
constexpr std::string_view kDisclosureGrounds[] = {
    "budapest:art30-2-a-political-offence", "budapest:art30-2-b-essential-interests",
    "uncc:art40-21-b-essential-interests", "uncc:art40-22-persecution"};
constexpr std::string_view kAssistanceGrounds[] = {
    "budapest:art25-4-domestic-law",          "budapest:art27-4-a-political-offence",
    "budapest:art27-4-b-essential-interests", "uncc:art40-21-a-nonconforming",
    "uncc:art40-21-b-essential-interests",    "uncc:art40-21-c-domestic-prohibition",
    "uncc:art40-21-d-legal-system",           "uncc:art40-22-persecution"};

constexpr ResponseStatus kAllStatuses[] = {
    ResponseStatus::kAcknowledged, ResponseStatus::kExecuted, ResponseStatus::kExecutedInPart,
    ResponseStatus::kRefused,      ResponseStatus::kExtended, ResponseStatus::kWithdrawn};
constexpr ResponseStatus kNoExtension[] = {ResponseStatus::kAcknowledged, ResponseStatus::kExecuted,
                                           ResponseStatus::kExecutedInPart,
                                           ResponseStatus::kRefused, ResponseStatus::kWithdrawn};

constexpr RequiredField kPreservationFields[] = {
    {"offences", "Budapest Art. 29(2)(b); UNCC Art. 42"},
    {"data_sought", "Budapest Art. 29(2)(c); UNCC Art. 42"},
    {"identifiers", "Budapest Art. 29(2)(d); UNCC Art. 42"},
    {"preservation_days", "Budapest Art. 29(7); UNCC Art. 42"}};
constexpr RequiredField kDisclosureFields[] = {
    {"offences", "Budapest Art. 30(1); UNCC Art. 43"},
    {"identifiers", "Budapest Art. 30(1); UNCC Art. 43"}};
constexpr RequiredField kProductionFields[] = {
    {"offences", "Budapest Art. 31(1); UNCC Art. 44"},
    {"data_sought", "Budapest Art. 31(1); UNCC Art. 44"},
    {"identifiers", "Budapest Art. 31(1); UNCC Art. 44"}};
constexpr RequiredField kAssistanceFields[] = {{"offences", "Budapest Art. 27; UNCC Art. 40"},
                                               {"data_sought", "Budapest Art. 27; UNCC Art. 40"}};
constexpr RequiredField kRealtimeFields[] = {{"offences", "Budapest Art. 33; UNCC Art. 45"},
                                             {"identifiers", "Budapest Art. 33(1); UNCC Art. 45"},
                                             {"period", "Budapest Art. 33(1); UNCC Art. 45"}};

constexpr Procedure kProcedures[] = {
    {RequestType::kAssistance247,
     "24/7 network: immediate assistance",
     "UNCC Art. 41",
     "Budapest Art. 35",
     {},
     kNoExtension,
     kAssistanceGrounds},
    {RequestType::kPreservation, "Expedited preservation of stored data", "UNCC Art. 42",
     "Budapest Art. 29", kPreservationFields, kAllStatuses, kPreservationGrounds},
    {RequestType::kTrafficDisclosure, "Expedited disclosure of preserved traffic data",
     "UNCC Art. 43", "Budapest Art. 30", kDisclosureFields, kNoExtension, kDisclosureGrounds},
    {RequestType::kProduction, "Mutual assistance in accessing (producing) stored data",
     "UNCC Art. 44", "Budapest Art. 31", kProductionFields, kNoExtension, kAssistanceGrounds},
    {RequestType::kMutualAssistance, "Mutual legal assistance (general)", "UNCC Art. 40",
     "Budapest Art. 25, 27", kAssistanceFields, kNoExtension, kAssistanceGrounds},
    {RequestType::kRealtimeCollection,
     "Mutual assistance in the real-time collection of traffic data", "UNCC Art. 45",
     "Budapest Art. 33", kRealtimeFields, kNoExtension, kAssistanceGrounds},
};

}  // namespace

std::string_view RequestTypeName(RequestType type) { return kTypeNames[static_cast<size_t>(type)]; }

std::optional<RequestType> ParseRequestType(std::string_view name) {
  for (size_t i = 0; i < kTypeNames.size(); ++i) {
    if (kTypeNames[i] == name) return static_cast<RequestType>(i);
  }
  return std::nullopt;
}

std::string_view ResponseStatusName(ResponseStatus status) {
  return kStatusNames[static_cast<size_t>(status)];
}

std::optional<ResponseStatus> ParseResponseStatus(std::string_view name) {
  for (size_t i = 0; i < kStatusNames.size(); ++i) {
    if (kStatusNames[i] == name) return static_cast<ResponseStatus>(i);
  }
  return std::nullopt;
}

std::span<const RefusalGround> RefusalGrounds() { return kGrounds; }

const RefusalGround* FindRefusalGround(std::string_view code) {
  for (const RefusalGround& g : kGrounds) {
    if (g.code == code) return &g;
  }
  return nullptr;
}

std::span<const Procedure> Procedures() { return kProcedures; }

const Procedure& ProcedureFor(RequestType type) { return kProcedures[static_cast<size_t>(type)]; }

bool Admits(const Procedure& procedure, ResponseStatus status) {
  return std::find(procedure.statuses.begin(), procedure.statuses.end(), status) !=
         procedure.statuses.end();
}

bool AdmitsGround(const Procedure& procedure, std::string_view code) {
  return std::find(procedure.grounds.begin(), procedure.grounds.end(), code) !=
         procedure.grounds.end();
}

absl::Duration AckPeriod(const CaseworkOptions& options, std::string_view urgency) {
  if (urgency == "emergency") return options.ack_emergency;
  if (urgency == "urgent") return options.ack_urgent;
  if (urgency == "routine") return options.ack_routine;
  return absl::InfiniteDuration();
}

absl::Duration MinPreservation(const CaseworkOptions& options) {
  return absl::Hours(24) * std::max(60, options.min_preservation_days);
}

absl::Status CheckRequest(const Statement& request, const CaseworkOptions& options) {
  if (request.kind != statement::Kind::kRequest) {
    return absl::InvalidArgumentError(absl::StrCat(
        "not a request but a ", std::string(statement::KindName(request.kind)), " statement"));
  }
  const nlohmann::json& p = request.payload;
  auto type_member = p.find("request_type");
  std::optional<RequestType> type;
  if (type_member != p.end() && type_member->is_string()) {
    type = ParseRequestType(type_member->get_ref<const std::string&>());
  }
  if (!type.has_value()) {
    return absl::InvalidArgumentError("/payload/request_type: not a known request type");
  }
  const Procedure& procedure = ProcedureFor(*type);
  for (const RequiredField& f : procedure.required) {
    if (!p.contains(std::string(f.member))) {
      return absl::InvalidArgumentError(absl::StrCat(
          "/payload/", std::string(f.member), ": a ", std::string(RequestTypeName(*type)),
          " request must state ", std::string(f.member), " (", std::string(f.citation), ")"));
    }
  }
  if (*type == RequestType::kPreservation) {
    const nlohmann::json& days = p.at("preservation_days");
    if (!days.is_number_integer() ||
        absl::Hours(24) * days.get<int64_t>() < MinPreservation(options)) {
      return absl::InvalidArgumentError(
          absl::StrCat("/payload/preservation_days: preservation must be held at least ",
                       absl::ToInt64Hours(MinPreservation(options)) / 24,
                       " days (Budapest Art. 29(7); UNCC Art. 42)"));
    }
  }
  return absl::OkStatus();
}

}  // namespace accord::casework
