// accord — verifiable cross-border cooperation against cybercrime.
// The command-line entry point: `accord <verb> …`, `accord <verb> --help`.
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "src/cli/cli.h"

namespace accord::cli {
namespace {
absl::Status* pending_error = nullptr;
}

void SetAction(CLI::App* verb, Action action) {
  verb->callback([action = std::move(action)] {
    absl::Status s;
    // Every verb reads JSON it did not write (a node's answer, a file); where a reader
    // met a shape it did not expect, the user gets the reason, not an abort.
    try {
      s = action();
    } catch (const nlohmann::json::exception& e) {
      s = absl::DataLossError(
          absl::StrCat("accord could not read the JSON it was given (a node's answer or a "
                       "file): ",
                       e.what()));
    }
    if (!s.ok()) *pending_error = std::move(s);
  });
}

// The verb named by argv[1], if it names none: CLI11 would only say "A subcommand is
// required".
std::optional<std::string> UnknownVerb(const CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return std::nullopt;
  for (const CLI::App* verb : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (verb->check_name(argv[1])) return std::nullopt;
  }
  return std::string(argv[1]);
}

}  // namespace accord::cli

int main(int argc, char** argv) {
  CLI::App app{
      "accord — verifiable cross-border cooperation against cybercrime.\n"
      "Each party keeps a tamper-evident transparency log (C2SP tlog) of signed statements."};
  app.set_version_flag("--version", "accord 0.1.0");
  app.require_subcommand(1);
  accord::cli::AddKeygen(app);
  accord::cli::AddLog(app);
  accord::cli::AddDemo(app);
  accord::cli::AddSeal(app);
  accord::cli::AddNode(app);
  accord::cli::AddFederation(app);
  accord::cli::AddBody(app);
  accord::cli::AddVerifyClaim(app);
  accord::cli::AddStore(app);

  if (auto verb = accord::cli::UnknownVerb(app, argc, argv)) {
    std::string verbs;
    for (const CLI::App* v : app.get_subcommands([](const CLI::App*) { return true; })) {
      absl::StrAppend(&verbs, verbs.empty() ? "" : ", ", v->get_name());
    }
    std::fprintf(stderr, "accord: error: no command \"%s\"; the commands are %s (accord --help)\n",
                 verb->c_str(), verbs.c_str());
    return 2;
  }
  absl::Status error;
  accord::cli::pending_error = &error;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (!error.ok()) {
    std::fprintf(stderr, "accord: error: %s\n", std::string(error.message()).c_str());
    return 1;
  }
  return 0;
}
