// Shared pieces of the `accord` command: how verbs register, read keys and report.
// The CLI is thin: it parses arguments, calls the library parts and prints.
#ifndef ACCORD_CLI_CLI_H_
#define ACCORD_CLI_CLI_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "src/note/keys.h"

namespace accord::cli {

// Every verb's action returns a Status; main prints a non-OK one as
// "accord: error: <message>" on stderr and exits 1.
using Action = std::function<absl::Status()>;
void SetAction(CLI::App* verb, Action action);

void AddKeygen(CLI::App& app);
void AddLog(CLI::App& app);
void AddDemo(CLI::App& app);
void AddSeal(CLI::App& app);         // seal, disclose, verify-disclosure (src/cli/seal_cmd.cc)
void AddNode(CLI::App& app);         // serve, example, submit, get, verify (node_cmd.cc)
void AddFederation(CLI::App& app);   // directory, drill, inbox, peers (federation_cmd.cc)
void AddBody(CLI::App& app);         // body put, body fetch (body_cmd.cc)
void AddVerifyClaim(CLI::App& app);  // verify-claim (claim_cmd.cc)
void AddStore(CLI::App& app);        // store export, store migrate (store_cmd.cc)

// A signer from a private key file (as written by `accord keygen`).
absl::StatusOr<note::Ed25519Signer> LoadSigner(const std::string& key_file);
// A verifier from a verifier key string, or from a file holding one.
absl::StatusOr<std::unique_ptr<note::Verifier>> LoadVerifier(const std::string& vkey_or_file);

// Writes a private key to `path` with mode 0600, refusing to overwrite unless `force`.
absl::Status WritePrivateKey(const std::string& path, const std::string& skey, bool force);

}  // namespace accord::cli

#endif  // ACCORD_CLI_CLI_H_
