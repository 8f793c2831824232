// Verbs of src/node; being written (see the issues). Registers nothing yet.
#include "src/cli/cli.h"

namespace accord::cli {
void AddNode(CLI::App&) {}
}  // namespace accord::cli
