// Internal to the drill: the grid scenario's steps and what they share. drill_grid.cc
// plays the procedure between A and B (PlayGrid is its script), drill_grid_verify.cc C's
// verification of the claim.
#ifndef ACCORD_DRILL_DRILL_GRID_H_
#define ACCORD_DRILL_DRILL_GRID_H_

#include "src/drill/drill_internal.h"

namespace accord::drill {

// What the grid scenario's steps share: the parties, the scenario's facts, and what each
// step leaves for the later ones (receipts, files, records), in the order they appear.
struct GridPlay : ScenarioPlay {
  using Step = bool (GridPlay::*)();
  using Party = Drill::Impl::Party;

  explicit GridPlay(Drill::Impl& d)
      : ScenarioPlay(d, "grid"),
        a(d.parties[0]),
        b(d.parties[1]),
        c(d.parties[2]),
        sc(DefaultGridScenario(absl::Now() - absl::Hours(30))),
        server_id{{{"type", "ipv4-addr"}, {"value", sc.attacker_server_ip}}} {}

  bool ReportIncident();
  bool SealSensorCapture();
  bool RequestAssistance();
  bool AcknowledgeAssistance();
  bool RequestPreservation();
  bool FetchConfidentialBody();
  bool ConfirmPreservation();
  bool RefuseOutOfOrderAnswer();
  bool RequestTrafficData();
  bool SealAndDiscloseServerCapture();
  bool AnswerInPart();
  bool FetchDisclosure();
  bool PublishClaim();
  bool PickUpClaim();
  bool CheckClaimStatement();
  bool CheckCitedEvidence();
  bool CheckAccessRecords();
  bool CorroborateCaptures();
  bool RunVerifyClaim();
  bool Conclude();

  // One step of the convention's procedure, for the report.
  void Procedure(const std::string& what, const std::string& position) {
    procedure.push_back({{"step", what}, {"position", position}});
  }

  Party& a;
  Party& b;
  Party& c;
  const GridScenario sc;
  const json offences = {"budapest:art2-illegal-access", "budapest:art5-system-interference"};
  const json server_id;
  json procedure = json::array();
  json proven = json::array();  // what C checked, for the report

  fs::path sensor;  // A's capture
  uint64_t sensor_packets = 0;
  node::ReceiptDoc incident_r, evidence_a;
  node::ReceiptDoc contact_r;
  double pickup_ms = 0;
  casework::Body preservation_body;
  node::ReceiptDoc preserve_r;
  store::IndexedStatement access;  // B's fetch of the preservation body, in A's log
  node::ReceiptDoc request_r;
  uint64_t server_packets = 0;
  node::ReceiptDoc evidence_b;
  size_t b_disclosed_packets = 0;
  casework::Body disclosure_body;
  node::ReceiptDoc response_r;
  fs::path b_disclosure;             // B's disclosure as A saved it
  store::IndexedStatement b_access;  // A's fetch of the disclosure, in B's log
  fs::path a_disclosure;
  node::ReceiptDoc claim_r;
  std::vector<std::set<Flow>> flows;  // of each disclosure C checked
};

}  // namespace accord::drill

#endif  // ACCORD_DRILL_DRILL_GRID_H_
