// `accord demo`: one party's node on its embedded defaults, for a first look (the
// federation's main job is `accord drill`). It starts the node on 127.0.0.1, submits one
// signed statement of each kind, verifies every receipt, shows a duplicate and two
// refusals, then verifies the whole log from its published bytes alone — as any other
// party or observer would (verify::CheckLog).
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "src/cli/cli.h"
#include "src/node/api.h"
#include "src/node/client.h"
#include "src/party/party.h"
#include "src/store/durable_file.h"
#include "src/util/encoding.h"
#include "src/util/strings.h"
#include "src/verify/log_check.h"

namespace accord::cli {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using statement::Kind;

constexpr char kParty[] = "cert.example.ee/log";

// The example of `kind`: from the folder `examples` if one is given, else the one
// compiled in (docs/examples), so the demo runs anywhere.
json Payload(Kind kind, const fs::path& examples) {
  json p = statement::Example(kind);
  if (!examples.empty()) {
    auto text = store::ReadWholeFile(examples /
                                     absl::StrCat(std::string(statement::KindName(kind)), ".json"));
    json read = text.ok() ? json::parse(*text, nullptr, false) : json();
    if (read.is_object()) p = std::move(read);
  }
  p["kind"] = statement::KindName(kind);
  p["issuer"] = kParty;
  p["issued"] = absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now(), absl::UTCTimeZone());
  return p;
}

absl::Status Run(const std::string& dir_arg, bool keep, bool serve, const std::string& listen,
                 const std::string& examples) {
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  fs::path dir = dir_arg;
  if (dir.empty()) {  // a folder of its own, never one that was there before
    auto fresh = store::MakeFreshTempFolder("accord-demo");
    if (!fresh.ok()) return fresh.status();
    dir = *std::move(fresh);
  }
  party::PartyOptions o;
  o.node.data_dir = dir / "node";
  o.name = kParty;
  o.http.listen = listen;
  auto server = party::StartParty(std::move(o));
  if (!server.ok()) return server.status();
  node::Node& n = (*server)->node();
  const std::string url = (*server)->url();
  std::printf("accord demo — a party's node, its signed statements, and their verification\n\n");
  std::printf("1. node     %s serving %s\n   data      %s\n   vkey      %s\n", n.origin().c_str(),
              url.c_str(), (dir / "node").c_str(), n.verifier_key().c_str());

  auto key_text = store::ReadWholeFile(dir / "node/party.key");
  if (!key_text.ok()) return key_text.status();
  auto party = note::NewSigner(util::StripWhitespace(*key_text));
  if (!party.ok()) return party.status();
  auto vkey = note::NewVerifier(n.verifier_key());
  if (!vkey.ok()) return vkey.status();
  auto client = node::NodeClient::Create(url);
  if (!client.ok()) return client.status();

  std::printf(
      "\n2. submit   one signed statement (DSSE envelope) of each kind; each receipt is\n"
      "            checked: leaf hash, signed checkpoint, inclusion proof\n");
  std::string first_envelope;
  std::map<Kind, statement::Ref> cited;  // the latest statement of each kind, for refs
  for (Kind kind : statement::kAllKinds) {
    if (kind == Kind::kEquivocation) continue;  // needs a peer's forked log: see accord drill
    json p = Payload(kind, examples);
    statement::CiteIn(p, cited);
    if (kind == Kind::kOfficer) {
      auto officer = note::GenerateKey("cert.example.ee/officer/duty");
      if (!officer.ok()) return officer.status();
      p["action"] = "authorize";
      p["key"] = officer->verifier_key;
    }
    auto envelope = statement::Sign(kind, p.dump(), *party);
    if (!envelope.ok()) return envelope.status();
    const absl::Time start = absl::Now();
    auto receipt = (*client)->Submit(*envelope);
    if (!receipt.ok()) {
      return absl::Status(
          receipt.status().code(),
          absl::StrCat(std::string(statement::KindName(kind)), ": ", receipt.status().message()));
    }
    if (auto s = node::VerifyReceipt(*receipt, *envelope, **vkey); !s.ok()) return s;
    if (first_envelope.empty()) first_envelope = *envelope;
    cited[kind] = {n.origin(), receipt->index, receipt->leaf_hash, kind};
    std::printf("   %-10s → index %llu, %zu-hash proof, verified (%.1f ms)\n",
                std::string(statement::KindName(kind)).c_str(),
                static_cast<unsigned long long>(receipt->index), receipt->inclusion_proof.size(),
                absl::ToDoubleMilliseconds(absl::Now() - start));
  }

  std::printf("\n3. refuse   what the node must not accept:\n");
  auto dup = (*client)->Submit(first_envelope);
  if (!dup.ok() || !dup->duplicate) return absl::InternalError("a duplicate was not recognised");
  std::printf("   the same envelope again   → duplicate of index %llu, nothing appended\n",
              static_cast<unsigned long long>(dup->index));
  auto stranger = note::GenerateKey("someone.example/key");
  if (!stranger.ok()) return stranger.status();
  auto forged = statement::Sign(Kind::kClaim, Payload(Kind::kClaim, examples).dump(),
                                *note::NewSigner(stranger->private_key));
  if (!forged.ok()) return forged.status();
  auto refused = (*client)->Submit(*forged);
  std::printf("   a claim by an unknown key → %s\n",
              refused.ok() ? "ACCEPTED (a bug)" : std::string(refused.status().message()).c_str());
  json bad = Payload(Kind::kIncident, examples);
  bad["severity"] = "apocalyptic";
  auto invalid = (*client)->Submit(*statement::Sign(Kind::kIncident, bad.dump(), *party));
  std::printf("   an invalid incident       → %s\n",
              invalid.ok() ? "ACCEPTED (a bug)" : std::string(invalid.status().message()).c_str());
  if (refused.ok() || invalid.ok()) return absl::InternalError("the node accepted a bad statement");

  std::printf(
      "\n4. verify   the whole log from its published bytes (C2SP read paths), trusting\n"
      "            nothing the server says:\n");
  verify::LogTrust trust;
  trust.key = vkey->get();
  auto checked = verify::CheckLog(url, trust);
  if (!checked.ok()) return checked.status();
  std::printf(
      "   checkpoint signature, %llu entry bundles, %llu hash tiles, root: ok\n"
      "   %llu statements, each valid and signed by the party or an authorised officer\n",
      static_cast<unsigned long long>(checked->tiles.entry_bundles),
      static_cast<unsigned long long>(checked->tiles.hash_tiles),
      static_cast<unsigned long long>(checked->audit.statements));

  std::printf(
      "\nTry it:   accord get --node %s 0 --payload\n"
      "          accord verify --node %s --vkey '%s'\n",
      url.c_str(), url.c_str(), n.verifier_key().c_str());
  if (serve) {
    std::printf("\nServing until Ctrl-C.\n");
    std::fflush(stdout);
    int sig = 0;
    sigwait(&stop, &sig);
  }
  (*server)->Stop();
  if (!keep) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    std::printf("(removed %s; use --dir or --keep to keep it)\n", dir.c_str());
  }
  return absl::OkStatus();
}

}  // namespace

void AddDemo(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "demo",
      "Run accord's main job on embedded defaults: start a party's node on 127.0.0.1, submit\n"
      "and verify signed statements, show refusals, and verify the whole log from its\n"
      "published bytes.");
  struct Args {
    std::string dir, listen = "127.0.0.1:0", examples;
    bool keep = false, serve = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--dir", a->dir, "Folder to work in (kept); default: a temporary folder");
  cmd->add_flag("--keep", a->keep, "Keep the temporary folder");
  cmd->add_flag("--serve", a->serve, "Keep the node serving after the demo, until Ctrl-C");
  cmd->add_option("--listen", a->listen, "Address for the node")->capture_default_str();
  cmd->add_option(
      "--examples", a->examples,
      "Folder of example payloads <kind>.json (default: the compiled-in docs/examples)");
  SetAction(cmd, [a] {
    return Run(a->dir, a->keep || !a->dir.empty(), a->serve, a->listen, a->examples);
  });
}

}  // namespace accord::cli
