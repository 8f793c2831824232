// `accord store …`: a party's durable state moved between backends, and its log written
// out as a static C2SP folder.
//   export   the log (from a data folder, a database, or a node over HTTP) into a new
//            folder that any web server or CDN can serve, verified entry by entry;
//   migrate  a data folder's log, published checkpoint and witness state into
//            PostgreSQL, or back, verified; the index is rebuilt by the node at start.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "src/cli/cli.h"
#include "src/federation/directory.h"
#include "src/federation/witnessing.h"
#include "src/log/copy.h"
#include "src/node/client.h"
#include "src/store/backends.h"
#include "src/store/durable_file.h"
#include "src/store/folder_lock.h"
#include "src/store/postgres.h"
#include "src/util/encoding.h"
#include "src/util/strings.h"

namespace accord::cli {
namespace {
using nlohmann::json;
namespace fs = std::filesystem;

// Progress on standard error when it is a terminal: "copied N of M entries".
log::CopyProgress Progress(bool quiet) {
  if (quiet || !::isatty(STDERR_FILENO)) return nullptr;
  return [](uint64_t done, uint64_t total) {
    std::fprintf(stderr, "\rcopied %llu of %llu entries", static_cast<unsigned long long>(done),
                 static_cast<unsigned long long>(total));
    if (done == total) std::fprintf(stderr, "\n");
  };
}

// The party's verifier key: --vkey, or DIR/party.vkey.
absl::StatusOr<std::unique_ptr<note::Verifier>> PartyVerifier(const std::string& vkey,
                                                              const std::string& data) {
  if (!vkey.empty()) return LoadVerifier(vkey);
  if (data.empty()) return absl::InvalidArgumentError("--vkey is needed without --data");
  return LoadVerifier((fs::path(data) / "party.vkey").string());
}

void PrintReport(const log::CopyReport& r, const std::string& to, bool as_json) {
  const auto& cp = r.verified.checkpoint;
  if (as_json) {
    json j = {{"ok", true},
              {"origin", cp.origin},
              {"size", cp.size},
              {"to", to},
              {"objects", r.objects},
              {"bytes", r.bytes},
              {"root_hash", util::Base64Encode(cp.root_hash)}};
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    std::printf("copied %s: %llu entries, %llu objects (%llu bytes) to %s, verified\n",
                cp.origin.c_str(), static_cast<unsigned long long>(cp.size),
                static_cast<unsigned long long>(r.objects),
                static_cast<unsigned long long>(r.bytes), to.c_str());
  }
}

void AddExport(CLI::App& store) {
  auto* cmd = store.add_subcommand(
      "export",
      "Write a party's log as a static C2SP tlog-tiles folder OUT (new or empty) that any web\n"
      "server or CDN can serve: from a data folder (--data, its embedded log or --store),\n"
      "or from a running node (--node URL). Every entry is verified on arrival, and the\n"
      "checkpoint is written last: an export that stops half-way serves nothing.");
  struct Args {
    std::string data, store = "embedded", node, vkey, out;
    bool json = false, quiet = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("OUT", a->out, "The folder to write (created; must be empty)")->required();
  auto* data = cmd->add_option("--data", a->data, "The party's data folder");
  cmd->add_option("--store", a->store, "With --data: where its log lives (as serve --store)")
      ->capture_default_str();
  cmd->add_option("--node", a->node, "Read the log from this node instead (its C2SP paths)")
      ->excludes(data);
  cmd->add_option("--vkey", a->vkey,
                  "The log's verifier key or a file with it (default: "
                  "DATA/party.vkey)");
  cmd->add_flag("--json", a->json, "Print the report as JSON");
  cmd->add_flag("--quiet", a->quiet, "No progress on standard error");
  SetAction(cmd, [a]() -> absl::Status {
    if (a->data.empty() && a->node.empty()) {
      return absl::InvalidArgumentError("say where the log is: --data DIR or --node URL");
    }
    auto verifier = PartyVerifier(a->vkey, a->data);
    if (!verifier.ok()) return verifier.status();
    std::error_code ec;
    if (fs::exists(a->out, ec) && !fs::is_empty(a->out, ec)) {
      return absl::FailedPreconditionError(
          absl::StrCat(a->out, " is not empty: export into a new folder"));
    }
    std::unique_ptr<store::LogStorage> from;
    if (!a->node.empty()) {
      auto http = node::HttpLogStorage::Create(a->node);
      if (!http.ok()) return http.status();
      from = *std::move(http);
    } else if (a->store.empty() || a->store == "embedded") {
      // Read only: nothing is created in the data folder.
      if (!fs::is_directory(fs::path(a->data) / "log", ec)) {
        return absl::NotFoundError(absl::StrCat("no log in ", a->data));
      }
      from = std::make_unique<store::PosixLogStorage>(fs::path(a->data) / "log");
    } else {
      auto db = store::PostgresDatabase::Connect(a->store);
      if (!db.ok()) return db.status();
      from = (*db)->Log();
    }
    store::PosixLogStorage to(a->out);
    auto report = log::CopyLog(*from, to, **verifier, Progress(a->quiet));
    if (!report.ok()) return report.status();
    PrintReport(*report, a->out, a->json);
    return absl::OkStatus();
  });
}

void AddMigrate(CLI::App& store) {
  auto* cmd = store.add_subcommand(
      "migrate",
      "Copy a party's durable state from one backend to another: the log (verified entry\n"
      "by entry), the published checkpoint and, with --directory, the witness's state for\n"
      "every log it lists (a witness that forgot would cosign a fork). --from and --to take\n"
      "what serve --store takes: embedded (DATA itself) or a PostgreSQL connection string.\n"
      "The destination must hold no log. No node may run on DATA meanwhile (its lock is\n"
      "taken). Then start the node with --store set to the destination; it rebuilds its\n"
      "index from the log.");
  struct Args {
    std::string data, from = "embedded", to, vkey, directory;
    bool json = false, quiet = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--data", a->data, "The party's data folder (keys, lock)")->required();
  cmd->add_option("--from", a->from, "Where the state is now")->capture_default_str();
  cmd->add_option("--to", a->to, "Where it goes")->required();
  cmd->add_option("--vkey", a->vkey, "The log's verifier key (default: DATA/party.vkey)");
  cmd->add_option("--directory", a->directory,
                  "The party directory: copy the witness's state of each log listed");
  cmd->add_flag("--json", a->json, "Print the report as JSON");
  cmd->add_flag("--quiet", a->quiet, "No progress on standard error");
  SetAction(cmd, [a]() -> absl::Status {
    if (a->from == a->to) return absl::InvalidArgumentError("--from and --to are the same");
    auto verifier = PartyVerifier(a->vkey, a->data);
    if (!verifier.ok()) return verifier.status();
    std::vector<std::string> witnessed;
    if (!a->directory.empty()) {
      auto text = store::ReadWholeFile(a->directory);
      if (!text.ok()) return text.status();
      auto dir = federation::ParseDirectory(*text);
      if (!dir.ok()) return dir.status();
      for (const auto& p : dir->parties) witnessed.push_back(p.origin);
    }
    auto lock = store::FolderLock::Acquire(a->data);
    if (!lock.ok()) return lock.status();
    auto from = store::OpenBackends(a->from, a->data, /*federated=*/true);
    if (!from.ok()) return from.status();
    auto to = store::OpenBackends(a->to, a->data, /*federated=*/true);
    if (!to.ok()) return to.status();
    auto report = log::CopyLog(*from->log, *to->log, **verifier, Progress(a->quiet));
    if (!report.ok()) return report.status();
    // Checkpoints by name, only where the destination has none (never replaced).
    int copied = 0;
    const auto carry = [&](store::CheckpointStore& src, store::CheckpointStore& dst,
                           std::string_view name) -> absl::Status {
      auto value = src.Get(name);
      if (absl::IsNotFound(value.status())) return absl::OkStatus();
      if (!value.ok()) return value.status();
      if (auto s = dst.CompareAndSwap(name, std::nullopt, *value); !s.ok()) {
        return absl::Status(s.code(), absl::StrCat("cannot copy the checkpoint \"",
                                                   std::string(name), "\": ", s.message()));
      }
      ++copied;
      return absl::OkStatus();
    };
    if (auto s = carry(*from->published, *to->published, federation::kPublishedCheckpointName);
        !s.ok()) {
      return s;
    }
    for (const auto& origin : witnessed) {
      if (auto s = carry(*from->witness, *to->witness, origin); !s.ok()) return s;
    }
    if (a->json) {
      const auto& cp = report->verified.checkpoint;
      json j = {{"ok", true},
                {"origin", cp.origin},
                {"size", cp.size},
                {"from", a->from == "embedded" ? a->data : std::string("postgresql")},
                {"objects", report->objects},
                {"checkpoints", copied}};
      std::printf("%s\n", j.dump(2).c_str());
    } else {
      PrintReport(*report, a->to == "embedded" ? a->data : std::string("the database"), false);
      std::printf("copied %d checkpoints kept by name (published, witnessed)\n", copied);
    }
    return absl::OkStatus();
  });
}

}  // namespace

void AddStore(CLI::App& app) {
  auto* store = app.add_subcommand(
      "store", "A party's durable state: export its log as a static folder, migrate backends");
  store->require_subcommand(1);
  AddExport(*store);
  AddMigrate(*store);
}

}  // namespace accord::cli
