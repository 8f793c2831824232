// Writes a checkpoint cosigned by accord's witness, for an independent verifier to check
// (interop/witness/check.sh): FOLDER/cosigned (the checkpoint with the log's signature
// and the cosignature line the witness answered), FOLDER/log.vkey, FOLDER/witness.vkey.
//
// Usage: accord_cosign_fixture FOLDER
#include <cstdio>
#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "src/federation/directory.h"
#include "src/federation/witness.h"
#include "src/note/checkpoint.h"
#include "src/note/cosignature.h"
#include "src/store/durable_file.h"
#include "src/tlog/hash.h"

namespace {

using namespace accord;

int Fail(std::string_view what, const absl::Status& status) {
  std::fprintf(stderr, "accord_cosign_fixture: %.*s: %s\n", static_cast<int>(what.size()),
               what.data(), status.ToString().c_str());
  return 1;
}

int Run(const std::filesystem::path& folder) {
  auto log_key = note::GenerateKey("log.example/interop");
  auto log_signer = log_key.ok() ? note::NewSigner(log_key->private_key) : log_key.status();
  if (!log_signer.ok()) return Fail("log key", log_signer.status());
  auto witness_key = note::GenerateCosignerKey("witness.example/interop");
  auto witness_signer = witness_key.ok() ? note::NewCosignatureSigner(witness_key->private_key)
                                         : witness_key.status();
  if (!witness_signer.ok()) return Fail("witness key", witness_signer.status());
  auto party = [](std::string_view origin, std::string_view vkey) {
    return nlohmann::json{{"name", std::string(origin)},
                          {"origin", std::string(origin)},
                          {"log_key", std::string(vkey)},
                          {"url", "http://127.0.0.1:1"}};
  };
  auto self_key = note::GenerateKey("witness.example/log");
  if (!self_key.ok()) return Fail("key", self_key.status());
  const nlohmann::json doc = {{"accord_directory", 1},
                              {"witness_quorum", 0},
                              {"parties",
                               {party("log.example/interop", log_key->verifier_key),
                                party("witness.example/log", self_key->verifier_key)}}};
  auto directory = federation::ParseDirectory(doc.dump());
  if (!directory.ok()) return Fail("directory", directory.status());
  auto watcher = federation::DirectoryWatcher::Fixed(*directory);
  auto witness =
      federation::Witness::Open(std::make_unique<store::FolderCheckpointStore>(folder / "state"),
                                *std::move(witness_signer), "witness.example/log", *watcher);
  if (!witness.ok()) return Fail("witness", witness.status());

  // A log of one entry, with an extension line: the cosignature covers it too.
  const std::string entry = "interop";
  note::Checkpoint cp{
      "log.example/interop",
      1,
      tlog::LeafHash({reinterpret_cast<const uint8_t*>(entry.data()), entry.size()}),
      {"extension line"}};
  auto signed_cp = note::SignCheckpoint(cp, *log_signer);
  if (!signed_cp.ok()) return Fail("checkpoint", signed_cp.status());
  auto answer = (*witness)->AddCheckpoint(federation::FormatAddCheckpoint({0, {}, *signed_cp}));
  if (answer.status != 200) {
    return Fail("add-checkpoint",
                absl::InternalError(absl::StrCat(answer.status, " ", answer.body)));
  }
  const std::string cosigned = *signed_cp + answer.body;
  const std::string log_vkey = log_key->verifier_key + "\n";
  const std::string witness_vkey = witness_key->verifier_key + "\n";
  const store::FileWrite files[] = {{folder / "cosigned", cosigned},
                                    {folder / "log.vkey", log_vkey},
                                    {folder / "witness.vkey", witness_vkey}};
  if (absl::Status s = store::WriteFilesDurably(files); !s.ok()) return Fail("write", s);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: accord_cosign_fixture FOLDER\n");
    return 2;
  }
  return Run(argv[1]);
}
