// The grid scenario (drill.h): an attack on A's power-grid operator through a server in B,
// played through the conventions' procedures and verified by C.
#include "src/drill/drill_internal.h"

namespace accord::drill {

json Drill::Impl::PlayGrid() {
  json report = {{"scenario", "grid"}, {"passed", false}};
  Party& a = parties[0];
  Party& b = parties[1];
  Party& c = parties[2];
  const GridScenario sc = DefaultGridScenario(absl::Now() - absl::Hours(30));

  // 1. A's sensor at the grid operator recorded the attack; A seals the capture.
  const fs::path sensor = a.data / "sensor-grid-edge.pcapng";
  DRILL_ASSIGN(sensor_summary, "A", WriteSensorCapture(sensor, sc, options.seed),
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
  DRILL_ASSIGN(incident_r, "A", Publish(a, Kind::kIncident, incident), "publishing the incident");
  Say("A", absl::StrCat("published the incident at ", Position("A", incident_r.index)));

  uint64_t sensor_packets = 0;
  seal::Custody custody;
  custody.collector_role = "CERT analyst";
  custody.collector_name = "A duty analyst";
  custody.sensor = "grid-edge-tap-01";
  custody.place = "operator control centre uplink";
  custody.file_name = sensor.filename().string();
  DRILL_ASSIGN(evidence_a, "A", SealAndPublish(a, sensor, custody, &sensor_packets),
               "sealing A's capture");
  Say("A", absl::StrCat("sealed ", sensor_packets, " packets: evidence at ",
                        Position("A", evidence_a.index)));

  const json offences = {"budapest:art2-illegal-access", "budapest:art5-system-interference"};
  const json server_id = {{{"type", "ipv4-addr"}, {"value", sc.attacker_server_ip}}};
  json procedure = json::array();
  auto step = [&](const std::string& what, const std::string& position) {
    procedure.push_back({{"step", what}, {"position", position}});
  };

  // 2. Urgent contact through the 24/7 network.
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
  DRILL_ASSIGN(contact_r, "A", Publish(a, Kind::kRequest, contact), "the 24/7 request");
  Say("A", absl::StrCat("24/7 contact: emergency assistance request to B at ",
                        Position("A", contact_r.index), " (Budapest Art. 35, UNCC Art. 41)"));
  step("24/7 assistance requested (emergency)", Position("A", contact_r.index));
  DRILL_ASSIGN(picked, "B", WaitInbox(b, a.origin, contact_r.index, absl::Seconds(20)),
               "B's monitor picking up the 24/7 request");
  const double pickup_ms =
      absl::ToDoubleMilliseconds(absl::FromUnixMillis(picked.picked_up_unix_ms) - contact_sent);
  Say("B", absl::StrFormat("monitor picked up A's request %s after %.0f ms",
                           Position("A", contact_r.index), pickup_ms));
  DRILL_ASSIGN(contact_ack, "B",
               Publish(b, Kind::kResponse,
                       {{"request", RefJson(a.origin, contact_r, Kind::kRequest)},
                        {"status", "acknowledged"},
                        {"summary", "Received by B's 24/7 point of contact; provider alerted."},
                        {"to", {a.origin}}}),
               "B acknowledging the 24/7 request");
  Say("B", absl::StrCat("acknowledged at ", Position("B", contact_ack.index)));
  step("24/7 request acknowledged", Position("B", contact_ack.index));

  // 3. Expedited preservation, its facts in a confidential body only B can read.
  const federation::Party* b_entry = directory.FindByOrigin(b.origin);
  DRILL_ASSIGN(b_box, "A", casework::ParseBoxPublicKey(b_entry->box_key), "B's box key");
  DRILL_ASSIGN(
      body, "A",
      casework::MakeBody(
          {{"facts",
            "Engineering workstation 203.0.113.77 beacons every 60 s to the "
            "server since minute 20 of the capture; the server scanned and "
            "exploited the operator's VPN gateway first."},
           {"data_identifiers", {{"server", sc.attacker_server_ip}, {"c2_domain", sc.c2_domain}}},
           {"legal_basis", "Budapest Art. 29; national code of criminal procedure"},
           {"contact", {{"role", "duty prosecutor"}, {"phone", "+000 555 0199"}}}}),
      "making the confidential body");
  DRILL_CHECK("A", casework::PutBody(a.url, a.log_key.private_key, body, {{b.origin, b_box}}),
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
      {"private", {{"sha256", body.commitment}}},
      {"refs",
       {RefJson(a.origin, incident_r, Kind::kIncident),
        RefJson(a.origin, contact_r, Kind::kRequest)}},
      {"to", {b.origin}}};
  DRILL_ASSIGN(preserve_r, "A", Publish(a, Kind::kRequest, preservation),
               "the preservation request");
  Say("A", absl::StrCat("preservation request at ", Position("A", preserve_r.index),
                        " (Budapest Art. 29, UNCC Art. 42); its facts sealed to B's key"));
  step("expedited preservation requested, confidential body committed",
       Position("A", preserve_r.index));
  DRILL_CHECK("B", WaitInbox(b, a.origin, preserve_r.index, absl::Seconds(20)).status(),
              "B's monitor picking up the preservation request");
  DRILL_ASSIGN(b_box_pair, "B", party::LoadOrCreateBoxKey(b.data / "box.key", false),
               "B's box key");
  DRILL_ASSIGN(fetched, "B",
               casework::FetchBody(a.url, b.log_key.private_key, b_box_pair, body.commitment),
               "B fetching the confidential body");
  Say("B", absl::StrCat("fetched and opened the confidential body (", fetched.plaintext.size(),
                        " bytes, matches the commitment)"));
  // A's node recorded the release before it let the body go.
  std::optional<store::IndexedStatement> access;
  {
    store::IndexQuery q;
    q.kind = "access";
    auto page = a.server->node().List(q);
    if (page.ok() && !page->statements.empty()) access = page->statements.back();
  }
  if (!access) {
    DRILL_CHECK("A", absl::NotFoundError("no access statement in A's log"), "recording B's access");
  }
  Say("A", absl::StrCat("access record ", Position("A", access->index), ": B fetched the body of ",
                        Position("A", preserve_r.index), " (who, what, when, legal basis)"));
  step("confidential body released to B, access recorded", Position("A", access->index));
  DRILL_ASSIGN(preserve_ack, "B",
               Publish(b, Kind::kResponse,
                       {{"request", RefJson(a.origin, preserve_r, Kind::kRequest)},
                        {"status", "acknowledged"},
                        {"summary", "Preservation order sent to the hosting provider."},
                        {"to", {a.origin}}}),
               "B acknowledging the preservation request");
  DRILL_ASSIGN(preserved, "B",
               Publish(b, Kind::kResponse,
                       {{"request", RefJson(a.origin, preserve_r, Kind::kRequest)},
                        {"status", "executed"},
                        {"summary", "Data preserved by the provider."},
                        {"until", Rfc3339(absl::Now() + absl::Hours(24 * 90))},
                        {"to", {a.origin}}}),
               "B confirming preservation");
  Say("B", absl::StrCat("acknowledged (", Position("B", preserve_ack.index),
                        ") and confirmed preservation for 90 days (",
                        Position("B", preserved.index), ")"));
  DRILL_ASSIGN(contact_done, "B",
               Publish(b, Kind::kResponse,
                       {{"request", RefJson(a.origin, contact_r, Kind::kRequest)},
                        {"status", "executed"},
                        {"summary", "Provider's abuse desk reached; preservation under way."},
                        {"to", {a.origin}}}),
               "B executing the 24/7 request");
  Say("B", absl::StrCat("24/7 assistance given (", Position("B", contact_done.index), ")"));
  step("24/7 assistance given", Position("B", contact_done.index));
  step("preservation acknowledged", Position("B", preserve_ack.index));
  step("preservation confirmed for 90 days", Position("B", preserved.index));
  // The node enforces the procedure: a second acknowledgement after execution is refused.
  {
    auto again = Publish(b, Kind::kResponse,
                         {{"request", RefJson(a.origin, preserve_r, Kind::kRequest)},
                          {"status", "acknowledged"},
                          {"summary", "Acknowledged again."},
                          {"to", {a.origin}}});
    if (again.ok()) {
      DRILL_CHECK("B", absl::InternalError("B's node accepted an out-of-order acknowledgement"),
                  "enforcing the procedure");
    }
    Say("B", absl::StrCat("B's node refused an out-of-order answer: ", again.status().message()));
  }

  // 4. Expedited disclosure of the preserved traffic data: B seals the server's capture,
  // discloses the packets with A's network and refuses the rest on listed grounds.
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
  DRILL_ASSIGN(request_r, "A", Publish(a, Kind::kRequest, disclosure_request),
               "the disclosure request");
  Say("A", absl::StrCat("traffic data disclosure request at ", Position("A", request_r.index),
                        " (Budapest Art. 30, UNCC Art. 43)"));
  step("expedited disclosure of traffic data requested", Position("A", request_r.index));
  DRILL_CHECK("B", WaitInbox(b, a.origin, request_r.index, absl::Seconds(20)).status(),
              "B's monitor picking up the disclosure request");

  const fs::path server_capture = b.data / "server-capture.pcap";
  DRILL_ASSIGN(server_summary, "B", WriteServerCapture(server_capture, sc, options.seed),
               "writing B's server capture");
  seal::Custody b_custody;
  b_custody.collector_role = "hosting provider, under preservation order";
  b_custody.collector_name = "B provider liaison";
  b_custody.sensor = "hosting-core-span-7";
  b_custody.place = "data centre, rack 12";
  b_custody.file_name = server_capture.filename().string();
  uint64_t server_packets = 0;
  DRILL_ASSIGN(evidence_b, "B", SealAndPublish(b, server_capture, b_custody, &server_packets),
               "sealing B's capture");
  Say("B", absl::StrCat("sealed the server's capture (", server_summary.packets,
                        " packets): evidence at ", Position("B", evidence_b.index)));
  const fs::path b_disclosure_out = b.data / "disclosure-to-A.pcapng";
  DRILL_ASSIGN(
      b_disclosed, "B",
      DiscloseFrom(b, server_capture, evidence_b.index, sc.victim_filter, b_disclosure_out),
      "disclosing B's packets");
  Say("B", absl::StrCat("disclosed ", b_disclosed.indices.size(), " of ", server_packets,
                        " packets (filter: ", sc.victim_filter, ") with proofs"));
  // The disclosure goes to A only, as a confidential body of the response.
  DRILL_ASSIGN(disclosure_bytes, "B", store::ReadWholeFile(b_disclosure_out),
               "reading the disclosure");
  const federation::Party* a_entry = directory.FindByOrigin(a.origin);
  DRILL_ASSIGN(a_box, "B", casework::ParseBoxPublicKey(a_entry->box_key), "A's box key");
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
  json response = {{"request", RefJson(a.origin, request_r, Kind::kRequest)},
                   {"private", {{"sha256", disclosure_body.commitment}}},
                   {"status", "executed_in_part"},
                   {"grounds", {"budapest:art30-2-b-essential-interests"}},
                   {"summary", absl::StrCat("Traffic data of ", sc.attacker_server_ip,
                                            " with the requesting party's network disclosed: ",
                                            b_disclosed.indices.size(), " sealed packets.")},
                   {"refs", {RefJson(b.origin, evidence_b, Kind::kEvidence)}},
                   {"to", {a.origin}}};
  DRILL_ASSIGN(response_r, "B", Publish(b, Kind::kResponse, response), "publishing the response");
  Say("B", absl::StrCat("executed in part at ", Position("B", response_r.index),
                        ", citing its evidence ", Position("B", evidence_b.index)));
  step("traffic data disclosed in part, with sealed evidence", Position("B", response_r.index));
  json refusal = {{"request", RefJson(a.origin, request_r, Kind::kRequest)},
                  {"status", "refused"},
                  {"grounds", {"budapest:art30-2-b-essential-interests"}},
                  {"summary", "Traffic of the provider's other customers is not disclosed."},
                  {"to", {a.origin}}};
  DRILL_ASSIGN(refusal_r, "B", Publish(b, Kind::kResponse, refusal), "refusing the rest");
  Say("B", absl::StrCat("refused the rest with grounds (Budapest Art. 30(2)(b)) at ",
                        Position("B", refusal_r.index)));
  step("the rest refused on listed grounds", Position("B", refusal_r.index));
  DRILL_CHECK("A", WaitInbox(a, b.origin, refusal_r.index, absl::Seconds(20)).status(),
              "A's monitor picking up B's answers");
  Say("A", "monitor picked up B's answers");
  // A fetches the disclosure from B's node; B's node records the release in B's log.
  DRILL_ASSIGN(a_box_pair, "A", party::LoadOrCreateBoxKey(a.data / "box.key", false),
               "A's box key");
  DRILL_ASSIGN(
      b_release, "A",
      casework::FetchBody(b.url, a.log_key.private_key, a_box_pair, disclosure_body.commitment),
      "A fetching the disclosure");
  const fs::path b_disclosure = dir / "disclosure-B-to-A.pcapng";
  {
    auto bytes =
        util::Base64Decode(b_release.content.content["disclosure"].value("base64", std::string()));
    if (!bytes) {
      DRILL_CHECK("A", absl::DataLossError("the disclosure body holds no pcapng"),
                  "opening the disclosure");
    }
    const store::FileWrite file[] = {{b_disclosure, util::AsChars(*bytes)}};
    DRILL_CHECK("A", store::WriteFilesDurably(file), "saving the disclosure");
  }
  std::optional<store::IndexedStatement> b_access;
  {
    store::IndexQuery q;
    q.kind = "access";
    auto page = b.server->node().List(q);
    if (page.ok() && !page->statements.empty()) b_access = page->statements.back();
  }
  if (!b_access) {
    DRILL_CHECK("B", absl::NotFoundError("no access statement in B's log"),
                "recording A's access to the disclosure");
  }
  Say("A", absl::StrCat("fetched B's disclosure from B's node (", b_release.plaintext.size(),
                        " bytes, matches the commitment); B's node recorded it at ",
                        Position("B", b_access->index)));
  step("disclosure released to A, access recorded", Position("B", b_access->index));

  // 5. A discloses its own packets and publishes the attribution claim.
  const fs::path a_disclosure = dir / "disclosure-A.pcapng";
  DRILL_ASSIGN(a_disclosed, "A",
               DiscloseFrom(a, sensor, evidence_a.index, sc.attack_filter, a_disclosure),
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
  DRILL_ASSIGN(claim_r, "A", Publish(a, Kind::kClaim, claim), "publishing the claim");
  Say("A",
      absl::StrCat("published the attribution claim at ", Position("A", claim_r.index), ", citing ",
                   Position("A", evidence_a.index), " and ", Position("B", evidence_b.index)));

  // 6. C, which took part in nothing, learns of the claim through its monitor and checks
  // it from the logs and the disclosures alone.
  DRILL_ASSIGN(c_picked, "C", WaitInbox(c, a.origin, claim_r.index, absl::Seconds(20)),
               "C's monitor picking up the claim");
  (void)c_picked;
  Say("C", absl::StrCat("monitor picked up A's claim ", Position("A", claim_r.index)));
  for (Party* p : {&a, &b}) {
    DRILL_CHECK(p->letter, WaitWitnessed(*p, p->server->node().log().size(), absl::Seconds(20)),
                "waiting for witnessed checkpoints");
  }
  DRILL_ASSIGN(checked_claim, "C", CheckStatement(a.origin, claim_r.index, claim_r.leaf_hash),
               "C checking the claim in A's log");
  Say("C", absl::StrCat("claim ", Position("A", claim_r.index), " is in A's log (checkpoint ",
                        checked_claim.size, ", cosigned by ",
                        absl::StrJoin(checked_claim.witnesses, ", "), ") and signed by A"));
  json proven = json::array();
  proven.push_back({{"what", "the attribution claim is in A's log, signed by A"},
                    {"position", Position("A", claim_r.index)},
                    {"checkpoint_size", checked_claim.size},
                    {"witnesses", checked_claim.witnesses}});

  struct Cited {
    Party* party;
    node::ReceiptDoc receipt;
    fs::path disclosure;
  };
  std::vector<std::set<Flow>> flows;
  for (const Cited& cited :
       {Cited{&a, evidence_a, a_disclosure}, Cited{&b, evidence_b, b_disclosure}}) {
    const std::string pos = Position(cited.party->letter, cited.receipt.index);
    DRILL_ASSIGN(checked, "C",
                 CheckStatement(cited.party->origin, cited.receipt.index, cited.receipt.leaf_hash),
                 absl::StrCat("C checking evidence ", pos));
    if (checked.statement.kind != Kind::kEvidence) {
      DRILL_CHECK("C", absl::FailedPreconditionError(absl::StrCat(pos, " is not evidence")),
                  "C checking the kind of the cited statement");
    }
    DRILL_ASSIGN(disclosure, "C", CheckDisclosure(cited.disclosure, cited.party->origin),
                 absl::StrCat("C verifying the disclosure of ", pos));
    if (disclosure.statement_leaf_hash != cited.receipt.leaf_hash ||
        disclosure.statement_index != cited.receipt.index) {
      DRILL_CHECK("C",
                  absl::FailedPreconditionError(absl::StrCat(cited.disclosure.filename().string(),
                                                             " discloses another statement")),
                  "C matching the disclosure to the evidence cited");
    }
    Say("C", absl::StrCat("disclosure ", cited.disclosure.filename().string(), ": ",
                          disclosure.indices.size(), " packets proven sealed in evidence ", pos,
                          " (witnessed by ", absl::StrJoin(checked.witnesses, ", "), ")"));
    proven.push_back({{"what", absl::StrCat("packets sealed by ", cited.party->letter,
                                            " at collection, disclosed with proofs")},
                      {"position", pos},
                      {"packets", disclosure.indices.size()},
                      {"disclosure", cited.disclosure.filename().string()},
                      {"checkpoint_size", checked.size},
                      {"witnesses", checked.witnesses}});
    DRILL_ASSIGN(disclosed_flows, "C", FlowsOf(cited.disclosure), "C reading the disclosed flows");
    flows.push_back(std::move(disclosed_flows));
  }
  // The access record is public: anyone sees who fetched what, when and why.
  DRILL_ASSIGN(checked_access, "C", CheckStatement(a.origin, access->index, access->leaf_hash),
               "C checking the access record");
  if (checked_access.statement.kind != Kind::kAccess) {
    DRILL_CHECK("C", absl::FailedPreconditionError("the access record is not an access statement"),
                "C checking the access record");
  }
  Say("C", absl::StrCat("access record ", Position("A", access->index),
                        " is in A's log: B fetched the confidential body of ",
                        Position("A", preserve_r.index)));
  proven.push_back({{"what", "B's fetch of the confidential body is recorded in A's log"},
                    {"position", Position("A", access->index)},
                    {"witnesses", checked_access.witnesses}});
  DRILL_ASSIGN(checked_b_access, "C",
               CheckStatement(b.origin, b_access->index, b_access->leaf_hash),
               "C checking B's access record");
  proven.push_back({{"what", "A's fetch of B's disclosure is recorded in B's log"},
                    {"position", Position("B", b_access->index)},
                    {"witnesses", checked_b_access.witnesses}});

  std::vector<Flow> common;
  std::set_intersection(flows[0].begin(), flows[0].end(), flows[1].begin(), flows[1].end(),
                        std::back_inserter(common));
  if (common.empty()) {
    DRILL_CHECK("C",
                absl::FailedPreconditionError(
                    "the two disclosures share no flow: nothing corroborates the claim"),
                "C corroborating the two captures");
  }
  Say("C", absl::StrCat(common.size(),
                        " flows appear in both parties' sealed captures: the claim's link between "
                        "the operator's network and B's server is corroborated"));
  proven.push_back({{"what", "the same flows were sealed independently by A and by B"},
                    {"flows", common.size()}});
  // The same check as anyone runs it: accord verify-claim over the directory and the two
  // disclosures.
  DRILL_ASSIGN(claim_report, "C",
               verify::CheckClaim(directory, *validator, a.origin, claim_r.index,
                                  {a_disclosure, b_disclosure}),
               "C running verify-claim");
  for (const verify::ClaimFinding& f : claim_report.findings) {
    if (f.result != "proven") {
      DRILL_CHECK("C",
                  absl::FailedPreconditionError(absl::StrCat(
                      f.what, " (", f.position, "): ", f.result, " ", f.detail.dump())),
                  "C running verify-claim");
    }
  }
  Say("C", absl::StrCat("verify-claim: ", claim_report.findings.size(),
                        " findings, all proven (accord verify-claim --directory … --origin ",
                        a.origin, " ", claim_r.index, " --disclosure …)"));

  report["passed"] = true;
  report["claim"] = {{"position", Position("A", claim_r.index)},
                     {"leaf_hash", util::Base64Encode(claim_r.leaf_hash)}};
  report["verified_by"] = c.origin;
  report["proven"] = std::move(proven);
  report["not_proven"] =
      "that the captures are true recordings: only that each is unchanged since its party sealed "
      "it, and which party sealed it when";
  report["pickup_ms"] = {{"request_by_B", pickup_ms}};
  report["procedure"] = std::move(procedure);
  return report;
}

}  // namespace accord::drill
