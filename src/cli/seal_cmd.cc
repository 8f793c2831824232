// Verbs of src/seal; being written (see the issues). Registers nothing yet.
#include "src/cli/cli.h"

namespace accord::cli {
void AddSeal(CLI::App&) {}
}  // namespace accord::cli
