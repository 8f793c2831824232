// `accord demo`: the main job on embedded defaults, until the node and the drill land.
// It creates a key and a log, appends a few batches of entries, proves and verifies
// them, verifies the whole folder, and shows that a one-bit change is caught.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "src/cli/cli.h"
#include "src/log/log.h"
#include "src/log/verify.h"
#include "src/store/durable_file.h"
#include "src/tlog/proof.h"
#include "src/util/encoding.h"

namespace accord::cli {
namespace {
namespace fs = std::filesystem;

// Entries shaped like the statements later issues will log (here: plain JSON lines).
std::vector<std::string> DemoEntries(int batch, int count) {
  static const char* kKinds[] = {"incident", "evidence", "request", "response"};
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) {
    out.push_back(absl::StrCat(R"({"kind":")", kKinds[(batch + i) % 4], R"(","batch":)", batch,
                               R"(,"n":)", i, R"(,"note":"demo entry from accord"})"));
  }
  return out;
}

absl::Status Run(const std::string& dir_arg, bool keep) {
  fs::path dir = dir_arg;
  if (dir.empty()) {
    std::random_device rd;
    dir = fs::temp_directory_path() / absl::StrCat("accord-demo-", rd() % 1000000);
  }
  if (fs::exists(dir / "log" / "checkpoint")) {
    return absl::AlreadyExistsError(absl::StrCat(dir.string(), " already holds a demo log"));
  }
  const std::string name = "demo.accord.example/log";
  const fs::path key_file = dir / "log.key";
  const fs::path log_dir = dir / "log";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return absl::InternalError(absl::StrCat("cannot create ", dir.string(), ": ", ec.message()));

  std::printf("accord demo — a C2SP transparency log in %s\n\n", log_dir.c_str());
  auto pair = note::GenerateKey(name);
  if (!pair.ok()) return pair.status();
  if (auto s = WritePrivateKey(key_file.string(), pair->private_key, false); !s.ok()) return s;
  std::printf("1. key      %s (private, mode 0600)\n   vkey     %s\n", key_file.c_str(),
              pair->verifier_key.c_str());
  auto signer = note::NewSigner(pair->private_key);
  if (!signer.ok()) return signer.status();
  auto log = log::Log::Create(std::make_unique<store::PosixLogStorage>(log_dir), *signer);
  if (!log.ok()) return log.status();
  std::printf("2. log      origin %s, empty tree\n", name.c_str());

  std::vector<uint64_t> sizes;
  std::vector<tlog::Hash> roots;
  int batch_no = 0;
  for (int count : {3, 300, 40}) {
    auto entries = DemoEntries(batch_no++, count);
    std::vector<std::span<const uint8_t>> views;
    for (const auto& e : entries) views.push_back(util::AsBytes(e));
    const absl::Time start = absl::Now();
    auto r = (*log)->Append(views);
    if (!r.ok()) return r.status();
    sizes.push_back(r->size);
    roots.push_back(r->root);
    std::printf("3. append   batch of %3d → size %4llu, root %s (durable in %.1f ms)\n", count,
                static_cast<unsigned long long>(r->size), util::Base64Encode(r->root).c_str(),
                absl::ToDoubleMilliseconds(absl::Now() - start));
  }
  const uint64_t size = sizes.back();
  const tlog::Hash root = roots.back();
  std::printf("\n%s", (*log)->signed_checkpoint().c_str());

  // Inclusion of one entry, consistency of the first checkpoint with the last.
  const uint64_t index = 123;
  auto entry = (*log)->ReadEntry(index);
  auto inclusion = (*log)->InclusionProof(index, size);
  if (!entry.ok()) return entry.status();
  if (!inclusion.ok()) return inclusion.status();
  if (auto s = tlog::VerifyInclusion(index, size, tlog::LeafHash(util::AsBytes(*entry)), *inclusion,
                                     root);
      !s.ok()) {
    return s;
  }
  std::printf("\n4. prove    entry %llu is in the tree of %llu: %zu hashes, verified\n",
              static_cast<unsigned long long>(index), static_cast<unsigned long long>(size),
              inclusion->size());
  auto consistency = (*log)->ConsistencyProof(sizes[0], size);
  if (!consistency.ok()) return consistency.status();
  if (auto s = tlog::VerifyConsistency(sizes[0], size, roots[0], root, *consistency); !s.ok()) {
    return s;
  }
  std::printf(
      "   prove    the tree of %llu is a prefix of the tree of %llu: %zu hashes, verified\n",
      static_cast<unsigned long long>(sizes[0]), static_cast<unsigned long long>(size),
      consistency->size());

  auto verifier = note::NewVerifier(pair->verifier_key);
  if (!verifier.ok()) return verifier.status();
  store::PosixLogStorage storage(log_dir);
  auto report = log::VerifyLog(storage, **verifier);
  if (!report.ok()) return report.status();
  std::printf(
      "5. verify   whole folder: signature, %llu entry bundles, %llu hash tiles, root: ok\n",
      static_cast<unsigned long long>(report->entry_bundles),
      static_cast<unsigned long long>(report->hash_tiles));

  // Tamper with a copy: one flipped bit in an entry bundle must be caught.
  const fs::path tampered = dir / "tampered";
  fs::copy(log_dir, tampered, fs::copy_options::recursive, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot copy the log: ", ec.message()));
  const fs::path bundle = tampered / "tile/entries/000";
  auto data = store::ReadWholeFile(bundle);
  if (!data.ok()) return data.status();
  (*data)[100] ^= 0x01;
  const store::FileWrite w[] = {{bundle, *data}};
  if (auto s = store::WriteFilesDurably(w); !s.ok()) return s;
  store::PosixLogStorage tampered_storage(tampered);
  auto caught = log::VerifyLog(tampered_storage, **verifier);
  if (caught.ok()) return absl::InternalError("a tampered log verified: this is a bug");
  std::printf("6. tamper   one bit flipped in a copy's entry bundle → rejected:\n   %s\n",
              std::string(caught.status().message()).c_str());

  std::printf(
      "\nThe folder is a C2SP tlog-tiles log: serve %s with any static web server.\n"
      "Check it again with:  accord log verify %s --vkey '%s'\n",
      log_dir.c_str(), log_dir.c_str(), pair->verifier_key.c_str());
  if (!keep) {
    fs::remove_all(dir, ec);
    std::printf("(removed %s; use --keep or --dir to keep it)\n", dir.c_str());
  }
  return absl::OkStatus();
}

}  // namespace

void AddDemo(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "demo",
      "Run accord's main job on embedded defaults: create a key and a log, append entries,\n"
      "prove and verify them, and show that tampering is caught.");
  auto dir = std::make_shared<std::string>();
  auto keep = std::make_shared<bool>(false);
  cmd->add_option("--dir", *dir, "Folder to work in (kept); default: a temporary folder");
  cmd->add_flag("--keep", *keep, "Keep the temporary folder");
  SetAction(cmd, [=] { return Run(*dir, *keep || !dir->empty()); });
}

}  // namespace accord::cli
