// The grid scenario (drill.h), its last part: C, which took part in nothing, checks A's
// claim from the logs, the witnesses' cosignatures and the disclosures alone.
#include "src/drill/drill_grid.h"

namespace accord::drill {

// C's monitor picks the claim up; C waits until A's and B's checkpoints are witnessed.
bool GridPlay::PickUpClaim() {
  DRILL_CHECK("C", drill.WaitInbox(c, a.origin, claim_r.index, absl::Seconds(20)).status(),
              "C's monitor picking up the claim");
  Say("C", absl::StrCat("monitor picked up A's claim ", Position("A", claim_r.index)));
  for (Party* p : {&a, &b}) {
    DRILL_CHECK(p->letter,
                drill.WaitWitnessed(*p, p->server->node().log().size(), absl::Seconds(20)),
                "waiting for witnessed checkpoints");
  }
  return true;
}

bool GridPlay::CheckClaimStatement() {
  DRILL_ASSIGN(auto checked_claim, "C",
               drill.CheckStatement(a.origin, claim_r.index, claim_r.leaf_hash),
               "C checking the claim in A's log");
  Say("C", absl::StrCat("claim ", Position("A", claim_r.index), " is in A's log (checkpoint ",
                        checked_claim.size, ", cosigned by ",
                        absl::StrJoin(checked_claim.witnesses, ", "), ") and signed by A"));
  proven.push_back({{"what", "the attribution claim is in A's log, signed by A"},
                    {"position", Position("A", claim_r.index)},
                    {"checkpoint_size", checked_claim.size},
                    {"witnesses", checked_claim.witnesses}});
  return true;
}

// Each piece of evidence the claim cites is a witnessed evidence statement, and its
// disclosure proves its packets sealed in it.
bool GridPlay::CheckCitedEvidence() {
  struct Cited {
    Party* party;
    node::ReceiptDoc receipt;
    fs::path disclosure;
  };
  for (const Cited& cited :
       {Cited{&a, evidence_a, a_disclosure}, Cited{&b, evidence_b, b_disclosure}}) {
    const std::string pos = Position(cited.party->letter, cited.receipt.index);
    DRILL_ASSIGN(
        auto checked, "C",
        drill.CheckStatement(cited.party->origin, cited.receipt.index, cited.receipt.leaf_hash),
        absl::StrCat("C checking evidence ", pos));
    if (checked.statement.kind != Kind::kEvidence) {
      DRILL_CHECK("C", absl::FailedPreconditionError(absl::StrCat(pos, " is not evidence")),
                  "C checking the kind of the cited statement");
    }
    DRILL_ASSIGN(auto disclosure, "C", drill.CheckDisclosure(cited.disclosure, cited.party->origin),
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
    DRILL_ASSIGN(auto disclosed_flows, "C", FlowsOf(cited.disclosure),
                 "C reading the disclosed flows");
    flows.push_back(std::move(disclosed_flows));
  }
  return true;
}

// The access records are public: anyone sees who fetched what, when and why.
bool GridPlay::CheckAccessRecords() {
  DRILL_ASSIGN(auto checked_access, "C",
               drill.CheckStatement(a.origin, access.index, access.leaf_hash),
               "C checking the access record");
  if (checked_access.statement.kind != Kind::kAccess) {
    DRILL_CHECK("C", absl::FailedPreconditionError("the access record is not an access statement"),
                "C checking the access record");
  }
  Say("C", absl::StrCat("access record ", Position("A", access.index),
                        " is in A's log: B fetched the confidential body of ",
                        Position("A", preserve_r.index)));
  proven.push_back({{"what", "B's fetch of the confidential body is recorded in A's log"},
                    {"position", Position("A", access.index)},
                    {"witnesses", checked_access.witnesses}});
  DRILL_ASSIGN(auto checked_b_access, "C",
               drill.CheckStatement(b.origin, b_access.index, b_access.leaf_hash),
               "C checking B's access record");
  proven.push_back({{"what", "A's fetch of B's disclosure is recorded in B's log"},
                    {"position", Position("B", b_access.index)},
                    {"witnesses", checked_b_access.witnesses}});
  return true;
}

// The two parties sealed the same flows independently.
bool GridPlay::CorroborateCaptures() {
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
  return true;
}

// The same check as anyone runs it: accord verify-claim over the directory and the two
// disclosures.
bool GridPlay::RunVerifyClaim() {
  DRILL_ASSIGN(auto claim_report, "C",
               verify::CheckClaim(drill.directory, *drill.validator, a.origin, claim_r.index,
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
  return true;
}

bool GridPlay::Conclude() {
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
  return true;
}

}  // namespace accord::drill
