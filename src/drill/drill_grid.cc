// The grid scenario (drill.h): an attack on A's power-grid operator through a server in B,
// played through the conventions' procedures and verified by C (drill_grid_verify.cc).
#include "src/drill/drill_grid.h"

namespace accord::drill {
namespace {

using Party = Drill::Impl::Party;

// The last statement of kind access in `p`'s log, if any.
std::optional<store::IndexedStatement> LastAccess(Party& p) {
  store::IndexQuery q;
  q.kind = "access";
  auto page = p.server->node().List(q);
  if (page.ok() && !page->statements.empty()) return page->statements.back();
  return std::nullopt;
}

}  // namespace

json Drill::Impl::PlayGrid() {
  static constexpr GridPlay::Step kScript[] = {
      // 1. A's sensor at the grid operator recorded the attack; A reports it and seals
      // the capture.
      &GridPlay::ReportIncident,
      &GridPlay::SealSensorCapture,
      // 2. Urgent contact through the 24/7 network.
      &GridPlay::RequestAssistance,
      &GridPlay::AcknowledgeAssistance,
      // 3. Expedited preservation, its facts in a confidential body only B can read.
      &GridPlay::RequestPreservation,
      &GridPlay::FetchConfidentialBody,
      &GridPlay::ConfirmPreservation,
      &GridPlay::RefuseOutOfOrderAnswer,
      // 4. Expedited disclosure of the preserved traffic data: B seals the server's
      // capture, discloses the packets with A's network and refuses the rest on listed
      // grounds.
      &GridPlay::RequestTrafficData,
      &GridPlay::SealAndDiscloseServerCapture,
      &GridPlay::AnswerInPart,
      &GridPlay::FetchDisclosure,
      // 5. A discloses its own packets and publishes the attribution claim.
      &GridPlay::PublishClaim,
      // 6. C, which took part in nothing, learns of the claim through its monitor and
      // checks it from the logs and the disclosures alone.
      &GridPlay::PickUpClaim,
      &GridPlay::CheckClaimStatement,
      &GridPlay::CheckCitedEvidence,
      &GridPlay::CheckAccessRecords,
      &GridPlay::CorroborateCaptures,
      &GridPlay::RunVerifyClaim,
      &GridPlay::Conclude,
  };
  GridPlay play(*this);
  return RunSteps(play, kScript);
}

// A writes its sensor's capture and publishes the incident, addressed to B.
bool GridPlay::ReportIncident() {
  sensor = a.data / "sensor-grid-edge.pcapng";
  DRILL_ASSIGN(auto sensor_summary, "A", WriteSensorCapture(sensor, sc, drill.options.seed),
               "writing A's sensor capture");
  Say("A", absl::StrCat("sensor capture at the grid operator's edge: ", sensor_summary.packets,
                        " packets (", sensor.filename().string(), ")"));
  json incident = {
      {"title", "Intrusion into a power-grid operator's remote-access gateway"},
      {"summary",
       "Scanning of the operator's public range, an exploit attempt against its VPN gateway, "
       "then command-and-control beacons from an internal engineering host to a server abroad."},
      {"detected", Rfc3339(absl::Now() - absl::Hours(2))},
      {"status", "ongoing"},
      {"sector", "energy"},
      {"country", a.country},
      {"entity", "electricity distribution system operator"},
      {"severity", "critical"},
      {"offences", {"budapest:art2-illegal-access", "budapest:art5-system-interference"}},
      {"indicators", {{{"type", "ipv4-addr"}, {"value", sc.attacker_server_ip}, {"role", "c2"}}}},
      {"to", {b.origin}}};
  DRILL_ASSIGN(incident_r, "A", drill.Publish(a, Kind::kIncident, incident),
               "publishing the incident");
  Say("A", absl::StrCat("published the incident at ", Position("A", incident_r.index)));
  return true;
}

// A seals the capture with its chain of custody: the evidence statement.
bool GridPlay::SealSensorCapture() {
  seal::Custody custody;
  custody.collector_role = "CERT analyst";
  custody.collector_name = "A duty analyst";
  custody.sensor = "grid-edge-tap-01";
  custody.place = "operator control centre uplink";
  custody.file_name = sensor.filename().string();
  DRILL_ASSIGN(evidence_a, "A", drill.SealAndPublish(a, sensor, custody, &sensor_packets),
               "sealing A's capture");
  Say("A", absl::StrCat("sealed ", sensor_packets, " packets: evidence at ",
                        Position("A", evidence_a.index)));
  return true;
}

// A asks B's 24/7 point of contact for emergency assistance.
bool GridPlay::RequestAssistance() {
  json contact = {
      {"request_type", "assistance_24_7"},
      {"legal_basis", {"Budapest Art. 35", "UNCC Art. 41"}},
      {"urgency", "emergency"},
      {"summary",
       "Ongoing intrusion into a power-grid operator controlled from a server in "
       "your territory: immediate assistance requested."},
      {"data_sought", "Point of contact and handling of the server's hosting provider."},
      {"identifiers", server_id},
      {"offences", offences},
      {"refs", {RefJson(a.origin, incident_r, Kind::kIncident)}},
      {"to", {b.origin}}};
  const absl::Time contact_sent = absl::Now();
  DRILL_ASSIGN(contact_r, "A", drill.Publish(a, Kind::kRequest, contact), "the 24/7 request");
  Say("A", absl::StrCat("24/7 contact: emergency assistance request to B at ",
                        Position("A", contact_r.index), " (Budapest Art. 35, UNCC Art. 41)"));
  Procedure("24/7 assistance requested (emergency)", Position("A", contact_r.index));
  DRILL_ASSIGN(auto picked, "B", drill.WaitInbox(b, a.origin, contact_r.index, absl::Seconds(20)),
               "B's monitor picking up the 24/7 request");
  pickup_ms =
      absl::ToDoubleMilliseconds(absl::FromUnixMillis(picked.picked_up_unix_ms) - contact_sent);
  Say("B", absl::StrFormat("monitor picked up A's request %s after %.0f ms",
                           Position("A", contact_r.index), pickup_ms));
  return true;
}

bool GridPlay::AcknowledgeAssistance() {
  DRILL_ASSIGN(
      auto contact_ack, "B",
      drill.Publish(b, Kind::kResponse,
                    {{"request", RefJson(a.origin, contact_r, Kind::kRequest)},
                     {"status", "acknowledged"},
                     {"summary", "Received by B's 24/7 point of contact; provider alerted."},
                     {"to", {a.origin}}}),
      "B acknowledging the 24/7 request");
  Say("B", absl::StrCat("acknowledged at ", Position("B", contact_ack.index)));
  Procedure("24/7 request acknowledged", Position("B", contact_ack.index));
  return true;
}

// A stores the request's facts on its node as a body sealed to B's box key, and
// publishes the preservation request with the body's commitment.
bool GridPlay::RequestPreservation() {
  const federation::Party* b_entry = drill.directory.FindByOrigin(b.origin);
  DRILL_ASSIGN(auto b_box, "A", casework::ParseBoxPublicKey(b_entry->box_key), "B's box key");
  DRILL_ASSIGN(
      preservation_body, "A",
      casework::MakeBody(
          {{"facts",
            "Engineering workstation 203.0.113.77 beacons every 60 s to the "
            "server since minute 20 of the capture; the server scanned and "
            "exploited the operator's VPN gateway first."},
           {"data_identifiers", {{"server", sc.attacker_server_ip}, {"c2_domain", sc.c2_domain}}},
           {"legal_basis", "Budapest Art. 29; national code of criminal procedure"},
           {"contact", {{"role", "duty prosecutor"}, {"phone", "+000 555 0199"}}}}),
      "making the confidential body");
  DRILL_CHECK(
      "A", casework::PutBody(a.url, a.log_key.private_key, preservation_body, {{b.origin, b_box}}),
      "storing the confidential body on A's node");
  json preservation = {
      {"request_type", "preservation"},
      {"legal_basis", {"Budapest Art. 29", "UNCC Art. 42"}},
      {"urgency", "urgent"},
      {"summary", absl::StrCat("Expedited preservation of the stored data of the server ",
                               sc.attacker_server_ip, "; a disclosure request follows.")},
      {"data_sought", "Connection logs, subscriber records and a disk snapshot of the server."},
      {"identifiers", server_id},
      {"offences", offences},
      {"preservation_days", 90},
      {"private", {{"sha256", preservation_body.commitment}}},
      {"refs",
       {RefJson(a.origin, incident_r, Kind::kIncident),
        RefJson(a.origin, contact_r, Kind::kRequest)}},
      {"to", {b.origin}}};
  DRILL_ASSIGN(preserve_r, "A", drill.Publish(a, Kind::kRequest, preservation),
               "the preservation request");
  Say("A", absl::StrCat("preservation request at ", Position("A", preserve_r.index),
                        " (Budapest Art. 29, UNCC Art. 42); its facts sealed to B's key"));
  Procedure("expedited preservation requested, confidential body committed",
            Position("A", preserve_r.index));
  return true;
}

// B picks the request up and fetches the body from A's node, which records the release
// in A's log before it lets the body go.
bool GridPlay::FetchConfidentialBody() {
  DRILL_CHECK("B", drill.WaitInbox(b, a.origin, preserve_r.index, absl::Seconds(20)).status(),
              "B's monitor picking up the preservation request");
  DRILL_ASSIGN(auto b_box_pair, "B", party::LoadOrCreateBoxKey(b.data / "box.key", false),
               "B's box key");
  DRILL_ASSIGN(
      auto fetched, "B",
      casework::FetchBody(a.url, b.log_key.private_key, b_box_pair, preservation_body.commitment),
      "B fetching the confidential body");
  Say("B", absl::StrCat("fetched and opened the confidential body (", fetched.plaintext.size(),
                        " bytes, matches the commitment)"));
  std::optional<store::IndexedStatement> recorded = LastAccess(a);
  if (!recorded) {
    DRILL_CHECK("A", absl::NotFoundError("no access statement in A's log"), "recording B's access");
  }
  access = *std::move(recorded);
  Say("A", absl::StrCat("access record ", Position("A", access.index), ": B fetched the body of ",
                        Position("A", preserve_r.index), " (who, what, when, legal basis)"));
  Procedure("confidential body released to B, access recorded", Position("A", access.index));
  return true;
}

// B acknowledges and executes the preservation, and closes the 24/7 request.
bool GridPlay::ConfirmPreservation() {
  DRILL_ASSIGN(auto preserve_ack, "B",
               drill.Publish(b, Kind::kResponse,
                             {{"request", RefJson(a.origin, preserve_r, Kind::kRequest)},
                              {"status", "acknowledged"},
                              {"summary", "Preservation order sent to the hosting provider."},
                              {"to", {a.origin}}}),
               "B acknowledging the preservation request");
  DRILL_ASSIGN(auto preserved, "B",
               drill.Publish(b, Kind::kResponse,
                             {{"request", RefJson(a.origin, preserve_r, Kind::kRequest)},
                              {"status", "executed"},
                              {"summary", "Data preserved by the provider."},
                              {"until", Rfc3339(absl::Now() + absl::Hours(24 * 90))},
                              {"to", {a.origin}}}),
               "B confirming preservation");
  Say("B", absl::StrCat("acknowledged (", Position("B", preserve_ack.index),
                        ") and confirmed preservation for 90 days (",
                        Position("B", preserved.index), ")"));
  DRILL_ASSIGN(auto contact_done, "B",
               drill.Publish(b, Kind::kResponse,
                             {{"request", RefJson(a.origin, contact_r, Kind::kRequest)},
                              {"status", "executed"},
                              {"summary", "Provider's abuse desk reached; preservation under way."},
                              {"to", {a.origin}}}),
               "B executing the 24/7 request");
  Say("B", absl::StrCat("24/7 assistance given (", Position("B", contact_done.index), ")"));
  Procedure("24/7 assistance given", Position("B", contact_done.index));
  Procedure("preservation acknowledged", Position("B", preserve_ack.index));
  Procedure("preservation confirmed for 90 days", Position("B", preserved.index));
  return true;
}

// The node enforces the procedure: a second acknowledgement after execution is refused.
bool GridPlay::RefuseOutOfOrderAnswer() {
  auto again = drill.Publish(b, Kind::kResponse,
                             {{"request", RefJson(a.origin, preserve_r, Kind::kRequest)},
                              {"status", "acknowledged"},
                              {"summary", "Acknowledged again."},
                              {"to", {a.origin}}});
  if (again.ok()) {
    DRILL_CHECK("B", absl::InternalError("B's node accepted an out-of-order acknowledgement"),
                "enforcing the procedure");
  }
  Say("B", absl::StrCat("B's node refused an out-of-order answer: ", again.status().message()));
  return true;
}

bool GridPlay::RequestTrafficData() {
  json disclosure_request = {
      {"request_type", "traffic_disclosure"},
      {"legal_basis", {"Budapest Art. 30", "UNCC Art. 43"}},
      {"urgency", "urgent"},
      {"summary", absl::StrCat("Expedited disclosure of the preserved traffic data of ",
                               sc.attacker_server_ip, ".")},
      {"identifiers", server_id},
      {"offences", offences},
      {"refs",
       {RefJson(a.origin, preserve_r, Kind::kRequest),
        RefJson(a.origin, evidence_a, Kind::kEvidence)}},
      {"to", {b.origin}}};
  DRILL_ASSIGN(request_r, "A", drill.Publish(a, Kind::kRequest, disclosure_request),
               "the disclosure request");
  Say("A", absl::StrCat("traffic data disclosure request at ", Position("A", request_r.index),
                        " (Budapest Art. 30, UNCC Art. 43)"));
  Procedure("expedited disclosure of traffic data requested", Position("A", request_r.index));
  DRILL_CHECK("B", drill.WaitInbox(b, a.origin, request_r.index, absl::Seconds(20)).status(),
              "B's monitor picking up the disclosure request");
  return true;
}

// B seals the server's capture, selects the packets with A's network into a disclosure
// and stores it on its node as a body sealed to A's box key.
bool GridPlay::SealAndDiscloseServerCapture() {
  const fs::path server_capture = b.data / "server-capture.pcap";
  DRILL_ASSIGN(auto server_summary, "B", WriteServerCapture(server_capture, sc, drill.options.seed),
               "writing B's server capture");
  seal::Custody b_custody;
  b_custody.collector_role = "hosting provider, under preservation order";
  b_custody.collector_name = "B provider liaison";
  b_custody.sensor = "hosting-core-span-7";
  b_custody.place = "data centre, rack 12";
  b_custody.file_name = server_capture.filename().string();
  DRILL_ASSIGN(evidence_b, "B", drill.SealAndPublish(b, server_capture, b_custody, &server_packets),
               "sealing B's capture");
  Say("B", absl::StrCat("sealed the server's capture (", server_summary.packets,
                        " packets): evidence at ", Position("B", evidence_b.index)));
  const fs::path b_disclosure_out = b.data / "disclosure-to-A.pcapng";
  DRILL_ASSIGN(
      auto b_disclosed, "B",
      drill.DiscloseFrom(b, server_capture, evidence_b.index, sc.victim_filter, b_disclosure_out),
      "disclosing B's packets");
  b_disclosed_packets = b_disclosed.indices.size();
  Say("B", absl::StrCat("disclosed ", b_disclosed_packets, " of ", server_packets,
                        " packets (filter: ", sc.victim_filter, ") with proofs"));
  // The disclosure goes to A only, as a confidential body of the response.
  DRILL_ASSIGN(auto disclosure_bytes, "B", store::ReadWholeFile(b_disclosure_out),
               "reading the disclosure");
  const federation::Party* a_entry = drill.directory.FindByOrigin(a.origin);
  DRILL_ASSIGN(auto a_box, "B", casework::ParseBoxPublicKey(a_entry->box_key), "A's box key");
  DRILL_ASSIGN(
      disclosure_body, "B",
      casework::MakeBody({{"disclosure",
                           {{"file", b_disclosure_out.filename().string()},
                            {"media_type", "application/x-pcapng"},
                            {"base64", util::Base64Encode(util::AsBytes(disclosure_bytes))}}}}),
      "making the disclosure body");
  DRILL_CHECK("B",
              casework::PutBody(b.url, b.log_key.private_key, disclosure_body, {{a.origin, a_box}}),
              "storing the disclosure on B's node");
  return true;
}

// B executes the request in part, citing its evidence, and refuses the rest with grounds;
// A's monitor picks both answers up.
bool GridPlay::AnswerInPart() {
  json response = {{"request", RefJson(a.origin, request_r, Kind::kRequest)},
                   {"private", {{"sha256", disclosure_body.commitment}}},
                   {"status", "executed_in_part"},
                   {"grounds", {"budapest:art30-2-b-essential-interests"}},
                   {"summary", absl::StrCat("Traffic data of ", sc.attacker_server_ip,
                                            " with the requesting party's network disclosed: ",
                                            b_disclosed_packets, " sealed packets.")},
                   {"refs", {RefJson(b.origin, evidence_b, Kind::kEvidence)}},
                   {"to", {a.origin}}};
  DRILL_ASSIGN(response_r, "B", drill.Publish(b, Kind::kResponse, response),
               "publishing the response");
  Say("B", absl::StrCat("executed in part at ", Position("B", response_r.index),
                        ", citing its evidence ", Position("B", evidence_b.index)));
  Procedure("traffic data disclosed in part, with sealed evidence",
            Position("B", response_r.index));
  json refusal = {{"request", RefJson(a.origin, request_r, Kind::kRequest)},
                  {"status", "refused"},
                  {"grounds", {"budapest:art30-2-b-essential-interests"}},
                  {"summary", "Traffic of the provider's other customers is not disclosed."},
                  {"to", {a.origin}}};
  DRILL_ASSIGN(auto refusal_r, "B", drill.Publish(b, Kind::kResponse, refusal),
               "refusing the rest");
  Say("B", absl::StrCat("refused the rest with grounds (Budapest Art. 30(2)(b)) at ",
                        Position("B", refusal_r.index)));
  Procedure("the rest refused on listed grounds", Position("B", refusal_r.index));
  DRILL_CHECK("A", drill.WaitInbox(a, b.origin, refusal_r.index, absl::Seconds(20)).status(),
              "A's monitor picking up B's answers");
  Say("A", "monitor picked up B's answers");
  return true;
}

// A fetches the disclosure from B's node; B's node records the release in B's log.
bool GridPlay::FetchDisclosure() {
  DRILL_ASSIGN(auto a_box_pair, "A", party::LoadOrCreateBoxKey(a.data / "box.key", false),
               "A's box key");
  DRILL_ASSIGN(
      auto b_release, "A",
      casework::FetchBody(b.url, a.log_key.private_key, a_box_pair, disclosure_body.commitment),
      "A fetching the disclosure");
  b_disclosure = drill.dir / "disclosure-B-to-A.pcapng";
  auto bytes =
      util::Base64Decode(b_release.content.content["disclosure"].value("base64", std::string()));
  if (!bytes) {
    DRILL_CHECK("A", absl::DataLossError("the disclosure body holds no pcapng"),
                "opening the disclosure");
  }
  const store::FileWrite file[] = {{b_disclosure, util::AsChars(*bytes)}};
  DRILL_CHECK("A", store::WriteFilesDurably(file), "saving the disclosure");
  std::optional<store::IndexedStatement> recorded = LastAccess(b);
  if (!recorded) {
    DRILL_CHECK("B", absl::NotFoundError("no access statement in B's log"),
                "recording A's access to the disclosure");
  }
  b_access = *std::move(recorded);
  Say("A", absl::StrCat("fetched B's disclosure from B's node (", b_release.plaintext.size(),
                        " bytes, matches the commitment); B's node recorded it at ",
                        Position("B", b_access.index)));
  Procedure("disclosure released to A, access recorded", Position("B", b_access.index));
  return true;
}

// A discloses the attack's packets from its own capture and publishes the claim, citing
// both pieces of evidence.
bool GridPlay::PublishClaim() {
  a_disclosure = drill.dir / "disclosure-A.pcapng";
  DRILL_ASSIGN(auto a_disclosed, "A",
               drill.DiscloseFrom(a, sensor, evidence_a.index, sc.attack_filter, a_disclosure),
               "disclosing A's packets");
  Say("A", absl::StrCat("disclosed ", a_disclosed.indices.size(), " of ", sensor_packets,
                        " packets (filter: ", sc.attack_filter, ")"));
  json claim = {
      {"attribution", absl::StrCat("The intrusion was controlled from the server ",
                                   sc.attacker_server_ip, " in ", b.country,
                                   ": the same command-and-control sessions were sealed at "
                                   "the operator's edge and at the server.")},
      {"confidence", 85},
      {"attributed_to",
       {{"type", "infrastructure"}, {"name", sc.attacker_server_ip}, {"country", b.country}}},
      {"offences", {"budapest:art2-illegal-access", "budapest:art5-system-interference"}},
      {"evidence",
       {RefJson(a.origin, evidence_a, Kind::kEvidence),
        RefJson(b.origin, evidence_b, Kind::kEvidence)}},
      {"refs",
       {RefJson(a.origin, incident_r, Kind::kIncident),
        RefJson(b.origin, response_r, Kind::kResponse)}},
      {"to", {b.origin, c.origin}}};
  DRILL_ASSIGN(claim_r, "A", drill.Publish(a, Kind::kClaim, claim), "publishing the claim");
  Say("A",
      absl::StrCat("published the attribution claim at ", Position("A", claim_r.index), ", citing ",
                   Position("A", evidence_a.index), " and ", Position("B", evidence_b.index)));
  return true;
}

}  // namespace accord::drill
