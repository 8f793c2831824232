// `accord keygen` and the key-loading helpers every verb uses.
#include <sys/stat.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "src/cli/cli.h"
#include "src/store/durable_file.h"
#include "src/util/strings.h"

namespace accord::cli {

absl::StatusOr<note::Ed25519Signer> LoadSigner(const std::string& key_file) {
  auto text = store::ReadWholeFile(key_file);
  if (!text.ok()) return text.status();
  struct stat st;
  if (::stat(key_file.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    std::fprintf(stderr, "accord: warning: private key %s is readable by others (mode %03o)\n",
                 key_file.c_str(), st.st_mode & 0777);
  }
  auto signer = note::NewSigner(util::StripWhitespace(*text));
  if (!signer.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(key_file, ": not an accord private key: ", signer.status().message()));
  }
  return signer;
}

absl::StatusOr<std::unique_ptr<note::Verifier>> LoadVerifier(const std::string& vkey_or_file) {
  std::string vkey = vkey_or_file;
  std::error_code ec;
  if (std::filesystem::is_regular_file(vkey_or_file, ec)) {
    auto text = store::ReadWholeFile(vkey_or_file);
    if (!text.ok()) return text.status();
    vkey = std::string(util::StripWhitespace(*text));
  }
  auto v = note::NewVerifier(vkey);
  if (!v.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad verifier key \"", vkey_or_file, "\": ", v.status().message()));
  }
  return v;
}

// The key goes through the one durable write (temporary file, fsync, rename, fsync of
// the folder): a crash leaves the old key file or the new one, never an empty or a
// truncated one — with --force the old key is not lost before the new one is on disk.
absl::Status WritePrivateKey(const std::string& path, const std::string& skey, bool force) {
  std::error_code ec;
  if (!force && std::filesystem::exists(path, ec)) {
    return absl::AlreadyExistsError(
        absl::StrCat(path, " already exists; use --force to replace the key in it"));
  }
  const std::string line = skey + "\n";
  const store::FileWrite file[] = {{path, line, 0600}};
  return store::WriteFilesDurably(file);
}

void AddKeygen(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "keygen",
      "Generate an Ed25519 signing key in the signed-note format (golang.org/x/mod/sumdb/note).\n"
      "Writes the private key to FILE (mode 0600) and prints the verifier key on stdout.");
  auto name = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  cmd->add_option("--name", *name, "Key name, e.g. the log origin cert.example.ee/log")->required();
  cmd->add_option("--out", *out, "File to write the private key to")->required();
  cmd->add_flag("--force", *force, "Replace FILE if it exists");
  SetAction(cmd, [=]() -> absl::Status {
    auto pair = note::GenerateKey(*name);
    if (!pair.ok()) return pair.status();
    if (auto s = WritePrivateKey(*out, pair->private_key, *force); !s.ok()) return s;
    std::printf("%s\n", pair->verifier_key.c_str());
    return absl::OkStatus();
  });
}

}  // namespace accord::cli
