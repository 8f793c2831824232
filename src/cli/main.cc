// accord — verifiable cross-border cooperation against cybercrime.
// The command-line entry point: `accord <verb> …`, `accord <verb> --help`.
#include <cstdio>

#include "src/cli/cli.h"

namespace accord::cli {
namespace {
absl::Status* pending_error = nullptr;
}

void SetAction(CLI::App* verb, Action action) {
  verb->callback([action = std::move(action)] {
    absl::Status s = action();
    if (!s.ok()) *pending_error = std::move(s);
  });
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
