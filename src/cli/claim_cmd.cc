// `accord verify-claim`: a third party checks a claim from the published logs alone
// (verify::CheckClaim), as the drill's party C does.
#include <cstdio>
#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"
#include "src/cli/cli.h"
#include "src/federation/directory.h"
#include "src/verify/claim_check.h"

namespace accord::cli {

void AddVerifyClaim(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "verify-claim",
      "Check a claim from the parties' published logs alone, trusting no node: the claim in\n"
      "its issuer's log (signed checkpoint, witness quorum, valid at its position), every\n"
      "statement it cites in the cited log as cited, and the packets each disclosure given\n"
      "proves sealed in cited evidence. Prints what is proven, what failed and what is not\n"
      "shown; exits non-zero if anything fails to verify.");
  struct Args {
    std::string directory, origin;
    uint64_t index = 0;
    std::vector<std::string> disclosures;
    bool json = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--directory", a->directory, "The party directory (logs' keys and URLs)")
      ->required();
  cmd->add_option("--origin", a->origin, "The claim's log, e.g. cert.example.ee/log")->required();
  cmd->add_option("INDEX", a->index, "The claim's index in that log")->required();
  cmd->add_option("--disclosure", a->disclosures,
                  "A disclosure (accord disclose's pcapng) of cited evidence; repeat for several");
  cmd->add_flag("--json", a->json, "Print the report as JSON");
  SetAction(cmd, [a]() -> absl::Status {
    auto directory = federation::LoadDirectory(a->directory);
    if (!directory.ok()) return directory.status();
    auto validator = statement::Validator::Create();
    if (!validator.ok()) return validator.status();
    std::vector<std::filesystem::path> files(a->disclosures.begin(), a->disclosures.end());
    auto report = verify::CheckClaim(*directory, **validator, a->origin, a->index, files);
    if (!report.ok()) return report.status();
    if (a->json) {
      std::printf("%s\n", report->ToJson().dump(2).c_str());
    } else {
      std::printf("%s", report->ToText().c_str());
    }
    if (!report->ok()) {
      return absl::DataLossError(absl::StrCat("claim ", a->origin, " #", a->index,
                                              ": something it cites does not verify"));
    }
    return absl::OkStatus();
  });
}

}  // namespace accord::cli
