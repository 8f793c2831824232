// `accord log …`: a C2SP transparency log in a folder.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "src/cli/cli.h"
#include "src/log/log.h"
#include "src/log/proof_json.h"
#include "src/log/verify.h"
#include "src/store/durable_file.h"
#include "src/store/folder_lock.h"
#include "src/tlog/tile.h"
#include "src/util/encoding.h"

namespace accord::cli {
namespace {

std::unique_ptr<store::LogStorage> Folder(const std::string& dir) {
  return std::make_unique<store::PosixLogStorage>(dir);
}

// Splits input into one entry per line; a final newline ends the last line rather
// than starting an empty one. Errors name the offending line.
absl::Status SplitLines(const std::string& data, const std::string& source,
                        std::vector<std::string>& out) {
  size_t start = 0, line = 1;
  while (start < data.size()) {
    size_t end = data.find('\n', start);
    if (end == std::string::npos) end = data.size();
    if (end - start > tlog::kMaxEntrySize) {
      return absl::InvalidArgumentError(absl::StrCat(source, ":", line, ": line of ", end - start,
                                                     " bytes exceeds the 65535-byte entry limit"));
    }
    out.emplace_back(data, start, end - start);
    start = end + 1;
    ++line;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadInput(const std::string& file) {
  if (file == "-") {
    std::string data((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    if (std::cin.bad()) return absl::InternalError("cannot read standard input");
    return data;
  }
  return store::ReadWholeFile(file);
}

void AddInit(CLI::App& log) {
  auto* cmd =
      log.add_subcommand("init", "Create an empty log in DIR whose origin is the key's name");
  auto dir = std::make_shared<std::string>();
  auto key = std::make_shared<std::string>();
  cmd->add_option("DIR", *dir, "Folder for the log (created if missing)")->required();
  cmd->add_option("--key", *key, "Private key file (from accord keygen)")->required();
  SetAction(cmd, [=]() -> absl::Status {
    auto signer = LoadSigner(*key);
    if (!signer.ok()) return signer.status();
    auto created = log::Log::Create(Folder(*dir), *std::move(signer));
    if (!created.ok()) return created.status();
    std::printf("created log %s in %s\n", (*created)->origin().c_str(), dir->c_str());
    return absl::OkStatus();
  });
}

void AddAppend(CLI::App& log) {
  auto* cmd = log.add_subcommand(
      "append",
      "Append entries to the log in DIR as one batch: one entry per input line (standard input\n"
      "when no FILE is given), or each FILE whole with --raw. Prints the new tree size.");
  auto dir = std::make_shared<std::string>();
  auto key = std::make_shared<std::string>();
  auto files = std::make_shared<std::vector<std::string>>();
  auto raw = std::make_shared<bool>(false);
  auto json = std::make_shared<bool>(false);
  cmd->add_option("DIR", *dir, "The log's folder")->required();
  cmd->add_option("FILE", *files, "Input files ('-' is standard input)");
  cmd->add_option("--key", *key, "The log's private key file")->required();
  cmd->add_flag("--raw", *raw, "Append each FILE whole as one entry");
  cmd->add_flag("--json", *json, "Print the result as JSON");
  SetAction(cmd, [=]() -> absl::Status {
    if (*raw && files->empty()) return absl::InvalidArgumentError("--raw needs at least one FILE");
    std::vector<std::string> entries;
    const std::vector<std::string> inputs = files->empty() ? std::vector<std::string>{"-"} : *files;
    for (const auto& f : inputs) {
      auto data = ReadInput(f);
      if (!data.ok()) return data.status();
      if (*raw) {
        if (data->size() > tlog::kMaxEntrySize) {
          return absl::InvalidArgumentError(
              absl::StrCat(f, ": ", data->size(), " bytes exceeds the 65535-byte entry limit"));
        }
        entries.push_back(*std::move(data));
      } else if (auto s = SplitLines(*data, f, entries); !s.ok()) {
        return s;
      }
    }
    if (entries.empty()) return absl::InvalidArgumentError("no entries to append");
    std::vector<std::span<const uint8_t>> views;
    views.reserve(entries.size());
    for (const auto& e : entries) views.push_back(util::AsBytes(e));
    auto signer = LoadSigner(*key);
    if (!signer.ok()) return signer.status();
    // A log inside a node's data folder (DATA/log beside DATA/.lock) is the node's: its
    // entries are statements the node checked and indexed. While a node runs there,
    // appending by hand is refused, naming it (the log itself would not fork: its
    // commits are compare-and-swaps; but the node would hold entries it never checked).
    std::unique_ptr<store::FolderLock> node_folder;
    if (const auto parent = std::filesystem::absolute(*dir).lexically_normal().parent_path();
        std::filesystem::exists(parent / store::kLockFileName)) {
      auto held = store::FolderLock::Acquire(parent);
      if (!held.ok()) return held.status();
      node_folder = *std::move(held);
    }
    auto opened = log::Log::OpenForAppend(Folder(*dir), *std::move(signer));
    if (!opened.ok()) return opened.status();
    auto r = (*opened)->Append(views);
    if (!r.ok()) return r.status();
    if (*json) {
      nlohmann::json j = {{"first_index", r->first_index},
                          {"size", r->size},
                          {"root_hash", util::Base64Encode(r->root)},
                          {"checkpoint", r->checkpoint}};
      std::printf("%s\n", j.dump(2).c_str());
    } else {
      std::printf("%llu\n", static_cast<unsigned long long>(r->size));
    }
    return absl::OkStatus();
  });
}

void AddProve(CLI::App& log) {
  auto* cmd = log.add_subcommand(
      "prove",
      "Print an inclusion proof (--index) or a consistency proof (--from) as JSON, with the\n"
      "log's signed checkpoint. Sizes default to the current tree.");
  auto dir = std::make_shared<std::string>();
  auto index = std::make_shared<uint64_t>();
  auto size = std::make_shared<uint64_t>();
  auto from = std::make_shared<uint64_t>();
  auto to = std::make_shared<uint64_t>();
  cmd->add_option("DIR", *dir, "The log's folder")->required();
  auto* o_index = cmd->add_option("--index", *index, "Entry to prove included");
  auto* o_size = cmd->add_option("--size", *size, "Tree size for --index")->needs(o_index);
  auto* o_from = cmd->add_option("--from", *from, "Old tree size to prove consistency from");
  auto* o_to = cmd->add_option("--to", *to, "New tree size for --from")->needs(o_from);
  o_index->excludes(o_from);
  cmd->require_option(1, 3);
  SetAction(cmd, [=]() -> absl::Status {
    if (!*o_index && !*o_from) return absl::InvalidArgumentError("give --index N or --from SIZE");
    auto opened = log::Log::OpenUnverified(Folder(*dir));
    if (!opened.ok()) return opened.status();
    log::Log& l = **opened;
    const uint64_t current = l.size();
    // The checkpoint rides along only when the proof ends at its tree.
    auto checkpoint_for = [&](uint64_t n) { return n == current ? l.signed_checkpoint() : ""; };
    if (*o_index) {
      const uint64_t n = *o_size ? *size : current;
      auto proof = l.InclusionProof(*index, n);
      if (!proof.ok()) return proof.status();
      auto entry = l.ReadEntry(*index);
      if (!entry.ok()) return entry.status();
      auto root = l.RootHash(n);
      if (!root.ok()) return root.status();
      log::InclusionProofDoc doc{
          *index,           n, tlog::LeafHash(util::AsBytes(*entry)), *root, *std::move(proof),
          checkpoint_for(n)};
      std::printf("%s\n", log::ProofToJson(doc).c_str());
      return absl::OkStatus();
    }
    const uint64_t n = *o_to ? *to : current;
    auto proof = l.ConsistencyProof(*from, n);
    if (!proof.ok()) return proof.status();
    auto old_root = l.RootHash(*from);
    auto new_root = l.RootHash(n);
    if (!old_root.ok()) return old_root.status();
    if (!new_root.ok()) return new_root.status();
    log::ConsistencyProofDoc doc{
        *from, n, *old_root, *new_root, *std::move(proof), checkpoint_for(n)};
    std::printf("%s\n", log::ProofToJson(doc).c_str());
    return absl::OkStatus();
  });
}

void AddLogVerify(CLI::App& log) {
  auto* cmd = log.add_subcommand(
      "verify",
      "Check the whole log in DIR: the checkpoint's signature, every entry bundle, every tile\n"
      "and the root. Exits non-zero with a message naming the first fault.");
  auto dir = std::make_shared<std::string>();
  auto vkey = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto quiet = std::make_shared<bool>(false);
  cmd->add_option("DIR", *dir, "The log's folder")->required();
  cmd->add_option("--vkey", *vkey, "The log's verifier key, or a file holding it")->required();
  cmd->add_flag("--json", *json, "Print the report as JSON");
  cmd->add_flag("--quiet", *quiet, "No progress on standard error");
  SetAction(cmd, [=]() -> absl::Status {
    auto verifier = LoadVerifier(*vkey);
    if (!verifier.ok()) return verifier.status();
    store::PosixLogStorage storage(*dir);
    const bool show_progress = !*quiet && ::isatty(STDERR_FILENO);
    uint64_t last_shown = 0;
    auto progress = [&](uint64_t done, uint64_t total) {
      if (!show_progress || (done - last_shown < (1u << 20) && done != total)) return;
      last_shown = done;
      std::fprintf(stderr, "\rverified %llu of %llu entries", static_cast<unsigned long long>(done),
                   static_cast<unsigned long long>(total));
      if (done == total) std::fprintf(stderr, "\n");
    };
    auto report = log::VerifyLog(storage, **verifier, progress);
    if (!report.ok()) return report.status();
    const auto& cp = report->checkpoint;
    if (*json) {
      nlohmann::json j = {{"ok", true},
                          {"origin", cp.origin},
                          {"size", cp.size},
                          {"root_hash", util::Base64Encode(cp.root_hash)},
                          {"entry_bundles", report->entry_bundles},
                          {"hash_tiles", report->hash_tiles},
                          {"entry_bytes", report->entry_bytes}};
      std::printf("%s\n", j.dump(2).c_str());
    } else {
      std::printf(
          "ok: %s, %llu entries, root %s\n   checked the signature, %llu entry bundles, %llu hash "
          "tiles\n",
          cp.origin.c_str(), static_cast<unsigned long long>(cp.size),
          util::Base64Encode(cp.root_hash).c_str(),
          static_cast<unsigned long long>(report->entry_bundles),
          static_cast<unsigned long long>(report->hash_tiles));
    }
    return absl::OkStatus();
  });
}

void AddCheckProof(CLI::App& log) {
  auto* cmd = log.add_subcommand(
      "check-proof",
      "Verify a proof JSON (as printed by accord log prove). With --vkey, also check that it\n"
      "ends at a checkpoint signed by that key.");
  auto file = std::make_shared<std::string>();
  auto vkey = std::make_shared<std::string>();
  cmd->add_option("FILE", *file, "Proof JSON ('-' for standard input)")->required();
  cmd->add_option("--vkey", *vkey, "The log's verifier key, or a file holding it");
  SetAction(cmd, [=]() -> absl::Status {
    auto text = ReadInput(*file);
    if (!text.ok()) return text.status();
    auto doc = log::ParseProofJson(*text);
    if (!doc.ok()) return doc.status();
    std::unique_ptr<note::Verifier> verifier;
    if (!vkey->empty()) {
      auto v = LoadVerifier(*vkey);
      if (!v.ok()) return v.status();
      verifier = *std::move(v);
    }
    if (auto s = log::VerifyProofDoc(*doc, verifier.get()); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat(*file, ": ", s.message()));
    }
    if (const auto* p = std::get_if<log::InclusionProofDoc>(&*doc)) {
      std::printf("ok: entry %llu is in the tree of size %llu%s\n",
                  static_cast<unsigned long long>(p->index),
                  static_cast<unsigned long long>(p->tree_size),
                  verifier ? " (signed checkpoint verified)" : "");
    } else {
      const auto& c = std::get<log::ConsistencyProofDoc>(*doc);
      std::printf("ok: the tree of size %llu is a prefix of the tree of size %llu%s\n",
                  static_cast<unsigned long long>(c.old_size),
                  static_cast<unsigned long long>(c.new_size),
                  verifier ? " (signed checkpoint verified)" : "");
    }
    return absl::OkStatus();
  });
}

}  // namespace

void AddLog(CLI::App& app) {
  auto* log = app.add_subcommand("log", "A C2SP transparency log in a folder");
  log->require_subcommand(1);
  AddInit(*log);
  AddAppend(*log);
  AddProve(*log);
  AddLogVerify(*log);
  AddCheckProof(*log);
}

}  // namespace accord::cli
