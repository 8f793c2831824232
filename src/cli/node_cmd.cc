// `accord serve`, `accord submit`, `accord get`, `accord verify`: running a node and
// talking to one.
#include <signal.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "src/cli/cli.h"
#include "src/federation/federation.h"
#include "src/node/api.h"
#include "src/node/client.h"
#include "src/note/note.h"
#include "src/party/party.h"
#include "src/statement/statement.h"
#include "src/store/durable_file.h"
#include "src/util/strings.h"
#include "src/verify/log_check.h"

namespace accord::cli {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// Blocks SIGINT and SIGTERM in every thread (call before starting threads) and waits
// for one of them.
void BlockStopSignals(sigset_t* set) {
  sigemptyset(set);
  sigaddset(set, SIGINT);
  sigaddset(set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, set, nullptr);
}

void AddServe(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "serve",
      "Run a party's node: accept signed statements into its log and serve the log (C2SP\n"
      "read paths) and the API (docs/openapi.yaml). Creates what is missing in DIR.");
  struct Args {
    std::string data, listen = "127.0.0.1:7380", key, name = "party.accord.localhost/log";
    std::string store = "embedded";
    size_t batch = 1024;
    int64_t batch_delay_ms = 5;
    int threads = 0;
    bool json = false;
    std::string directory, witness_key;
    int64_t poll_interval_ms = 1000, peer_timeout_ms = 5000;
    int64_t header_timeout_ms = 10000, body_timeout_ms = 30000;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--data", a->data, "Data folder (log, index, key)")->required();
  cmd->add_option("--store", a->store,
                  "Where the log, index and checkpoints live: embedded (in DIR), or a\n"
                  "PostgreSQL connection string (postgresql://… or 'host=… dbname=…') that\n"
                  "several front ends of this party share (docs/design-log-storage.md)")
      ->capture_default_str();
  cmd->add_option("--directory", a->directory,
                  "Party directory (JSON, docs/federation.md): join the federation — witness\n"
                  "and monitor the parties listed, get this log's checkpoints cosigned");
  cmd->add_option("--witness-key", a->witness_key,
                  "Witness key file (default: DIR/witness.key, created if missing)");
  cmd->add_option("--poll-interval-ms", a->poll_interval_ms, "How often to poll every peer's log")
      ->capture_default_str();
  cmd->add_option("--peer-timeout-ms", a->peer_timeout_ms,
                  "Timeout of each request to a peer or witness")
      ->capture_default_str();
  cmd->add_option("--listen", a->listen, "Address to listen on")->capture_default_str();
  cmd->add_option("--key", a->key, "Party key file (default: DIR/party.key, created if missing)");
  cmd->add_option("--name", a->name, "Party log name for a key created on first start")
      ->capture_default_str();
  cmd->add_option("--batch", a->batch, "Largest batch of statements per commit")
      ->capture_default_str();
  cmd->add_option("--batch-delay-ms", a->batch_delay_ms, "Longest wait to fill a batch")
      ->capture_default_str();
  cmd->add_option("--threads", a->threads, "HTTP I/O threads (0: one per core)");
  cmd->add_option("--header-timeout-ms", a->header_timeout_ms,
                  "Longest a client may take to send a request's headers (then 408)")
      ->capture_default_str();
  cmd->add_option("--body-timeout-ms", a->body_timeout_ms,
                  "Longest a client may take to send a request's body once its headers\n"
                  "are in (then 408)")
      ->capture_default_str();
  cmd->add_flag("--json", a->json, "Print the start-up line as JSON");
  SetAction(cmd, [a]() -> absl::Status {
    sigset_t stop;
    BlockStopSignals(&stop);
    party::PartyOptions o;
    o.node.data_dir = a->data;
    o.store = a->store;
    o.key_file = a->key;
    o.name = a->name;
    o.node.sequencer.max_batch = std::max<size_t>(1, a->batch);
    o.node.sequencer.max_delay = absl::Milliseconds(a->batch_delay_ms);
    o.http.listen = a->listen;
    o.http.io_threads = a->threads;
    o.http.header_timeout = absl::Milliseconds(std::max<int64_t>(1, a->header_timeout_ms));
    o.http.body_timeout = absl::Milliseconds(std::max<int64_t>(1, a->body_timeout_ms));
    o.http.error_log = [](std::string_view m) {
      std::fprintf(stderr, "accord serve: %s\n", std::string(m).c_str());
    };
    if (!a->witness_key.empty() && a->directory.empty())
      return absl::InvalidArgumentError("--witness-key needs --directory");
    if (!a->directory.empty()) {
      federation::FederationOptions f;
      f.directory_file = a->directory;
      f.poll_interval = absl::Milliseconds(std::max<int64_t>(10, a->poll_interval_ms));
      f.request_timeout = absl::Milliseconds(std::max<int64_t>(10, a->peer_timeout_ms));
      o.federation = std::move(f);
      o.witness_key_file = a->witness_key;
    }
    auto server = party::StartParty(std::move(o));
    if (!server.ok()) return server.status();
    auto& n = (*server)->node();
    if (a->json) {
      json j = {{"url", (*server)->url()},
                {"origin", n.origin()},
                {"vkey", n.verifier_key()},
                {"size", n.log().size()},
                {"data", a->data}};
      std::printf("%s\n", j.dump().c_str());
    } else {
      std::printf("accord node %s serving %s\n  verifier key: %s\n  data: %s (%llu statements)\n",
                  n.origin().c_str(), (*server)->url().c_str(), n.verifier_key().c_str(),
                  a->data.c_str(), static_cast<unsigned long long>(n.log().size()));
    }
    std::fflush(stdout);
    int sig = 0;
    sigwait(&stop, &sig);
    std::fprintf(stderr, "accord serve: %s, stopping\n",
                 sig == SIGINT ? "interrupted" : "terminated");
    (*server)->Stop();
    return absl::OkStatus();
  });
}

// Fills in what a payload may leave out: kind, issued (now) and issuer (the node's).
absl::Status CompletePayload(json& payload, statement::Kind kind, node::NodeClient& client) {
  if (!payload.is_object()) return absl::InvalidArgumentError("the payload must be a JSON object");
  const std::string name(statement::KindName(kind));
  if (!payload.contains("kind")) payload["kind"] = name;
  if (payload["kind"] != name) {
    return absl::InvalidArgumentError(absl::StrCat("the payload's kind is not ", name));
  }
  if (!payload.contains("issued")) {
    payload["issued"] = absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now(), absl::UTCTimeZone());
  }
  if (!payload.contains("issuer")) {
    auto vkey = client.Get("/vkey");
    if (!vkey.ok()) return vkey.status();
    payload["issuer"] = vkey->substr(0, vkey->find('+'));
  }
  return absl::OkStatus();
}

// The log key to check receipts and checkpoints with: --vkey, or the node's own /vkey.
absl::StatusOr<std::unique_ptr<note::Verifier>> LogKey(const std::string& vkey,
                                                       node::NodeClient& client, bool* fetched) {
  *fetched = vkey.empty();
  if (!vkey.empty()) return LoadVerifier(vkey);
  auto text = client.Get("/vkey");
  if (!text.ok()) return text.status();
  return LoadVerifier(std::string(text->substr(0, text->find('\n'))));
}

void AddSubmit(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "submit",
      "Sign a statement's payload (JSON) as a DSSE envelope, submit it to a node, verify the\n"
      "receipt (leaf hash, signed checkpoint, inclusion proof) and print it as JSON.\n"
      "kind, issued and issuer are filled in when the payload leaves them out. A file that\n"
      "is already a signed envelope (accord seal --out, --envelope-out) is submitted as it is.");
  struct Args {
    std::string node, key, kind, file, vkey, out;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--node", a->node, "Node URL, e.g. http://127.0.0.1:7380")->required();
  cmd->add_option("--key", a->key,
                  "Signing key file (the party's or an authorised officer's); not needed for "
                  "a signed envelope");
  cmd->add_option("--kind", a->kind,
                  "incident, evidence, claim, request, response, access, equivocation or "
                  "officer (default: the payload's \"kind\", or the envelope's)");
  cmd->add_option("FILE", a->file, "Payload JSON ('-' for standard input)")->required();
  cmd->add_option("--vkey", a->vkey,
                  "The log's verifier key to check the receipt against "
                  "(default: fetched from the node)");
  cmd->add_option("--envelope-out", a->out, "Also write the signed envelope to this file");
  SetAction(cmd, [a]() -> absl::Status {
    auto text =
        a->file == "-"
            ? absl::StatusOr<std::string>(std::string(std::istreambuf_iterator<char>(std::cin), {}))
            : store::ReadWholeFile(a->file);
    if (!text.ok()) return text.status();
    json payload = json::parse(*text, nullptr, false);
    if (payload.is_discarded())
      return absl::InvalidArgumentError(absl::StrCat(a->file, ": not valid JSON"));
    std::string kind_name = a->kind;
    // A signed envelope (DSSE members), as `accord seal --out` writes it.
    const bool is_envelope =
        payload.is_object() && payload.contains("payloadType") && payload.contains("signatures");
    const std::string trimmed(util::StripWhitespace(*text));
    auto signed_already = statement::ParseEnvelope(trimmed);
    if (is_envelope && !signed_already.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          a->file, ": not a valid signed envelope: ", signed_already.status().message()));
    }
    if (is_envelope) {
      const auto of = statement::KindOfPayloadType(signed_already->payload_type);
      const std::string name = of ? std::string(statement::KindName(*of)) : "";
      if (!kind_name.empty() && kind_name != name) {
        return absl::InvalidArgumentError(absl::StrCat(a->file, " is a signed ",
                                                       name.empty() ? "non-accord" : name,
                                                       " envelope, not ", kind_name));
      }
    } else if (kind_name.empty() && payload.is_object() && payload.contains("kind") &&
               payload["kind"].is_string()) {
      kind_name = payload["kind"].get<std::string>();
    }
    auto client = node::NodeClient::Create(a->node);
    if (!client.ok()) return client.status();
    std::string envelope;
    if (is_envelope) {
      envelope = trimmed;
    } else {
      if (kind_name.empty()) {
        return absl::InvalidArgumentError("--kind is needed: the payload names no \"kind\"");
      }
      auto kind = statement::ParseKind(kind_name);
      if (!kind) {
        return absl::InvalidArgumentError(absl::StrCat("unknown kind \"", kind_name, "\""));
      }
      if (a->key.empty()) return absl::InvalidArgumentError("--key is needed to sign a payload");
      auto signer = LoadSigner(a->key);
      if (!signer.ok()) return signer.status();
      if (auto s = CompletePayload(payload, *kind, **client); !s.ok()) return s;
      auto signed_now = statement::Sign(*kind, payload.dump(), *signer);
      if (!signed_now.ok()) return signed_now.status();
      envelope = *std::move(signed_now);
    }
    if (!a->out.empty()) {
      const store::FileWrite w[] = {{a->out, envelope}};
      if (auto s = store::WriteFilesDurably(w); !s.ok()) return s;
    }
    auto receipt = (*client)->Submit(envelope);
    if (!receipt.ok()) return receipt.status();
    bool fetched = false;
    auto log_key = LogKey(a->vkey, **client, &fetched);
    if (!log_key.ok()) return log_key.status();
    if (auto s = node::VerifyReceipt(*receipt, envelope, **log_key); !s.ok()) {
      return absl::DataLossError(absl::StrCat("the node's receipt does not verify: ", s.message()));
    }
    ordered_json out = receipt->json;
    out["verified"] = true;
    out["log_key"] =
        fetched ? "fetched from the node (pass --vkey to pin it)" : "pinned with --vkey";
    std::printf("%s\n", out.dump(2).c_str());
    return absl::OkStatus();
  });
}

void AddGet(CLI::App& app) {
  auto* cmd = app.add_subcommand("get", "Print a statement from a node's log as JSON");
  struct Args {
    std::string node;
    uint64_t index = 0;
    bool payload = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--node", a->node, "Node URL")->required();
  cmd->add_option("INDEX", a->index, "Log index")->required();
  cmd->add_flag("--payload", a->payload, "Print only the decoded payload");
  SetAction(cmd, [a]() -> absl::Status {
    auto client = node::NodeClient::Create(a->node);
    if (!client.ok()) return client.status();
    auto body = (*client)->Get(absl::StrCat("/v1/statements/", a->index));
    if (!body.ok()) return body.status();
    json j = json::parse(*body, nullptr, false);
    if (!j.is_object()) return absl::DataLossError("the node's answer is not JSON");
    if (a->payload) {
      auto env = statement::ParseEnvelope(j.value("envelope", ""));
      if (!env.ok()) return env.status();
      json p = json::parse(env->payload, nullptr, false);
      std::printf("%s\n", p.dump(2).c_str());
    } else {
      std::printf("%s\n", j.dump(2).c_str());
    }
    return absl::OkStatus();
  });
}

void AddVerify(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "verify",
      "Verify a node's log from its published bytes, trusting nothing the server says: the\n"
      "checkpoint's signature, and then either every tile, entry and statement (no INDEX)\n"
      "or the given statements, each with an inclusion proof computed from the tiles.");
  struct Args {
    std::string node, vkey, directory;
    std::vector<uint64_t> indices;
    int witnesses = -1;
    bool json = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--node", a->node, "Node URL")->required();
  cmd->add_option("--vkey", a->vkey,
                  "The party's verifier key, or a file holding it (default: the directory's)");
  cmd->add_option("--directory", a->directory,
                  "Party directory: the log key and the witnesses whose cosignatures count");
  cmd->add_option("--witnesses", a->witnesses,
                  "Cosignatures by the directory's witnesses the checkpoint must carry\n"
                  "(default with --directory: its witness_quorum)");
  cmd->add_option("INDEX", a->indices, "Statements to verify (default: the whole log)");
  cmd->add_flag("--json", a->json, "Print the report as JSON");
  SetAction(cmd, [a]() -> absl::Status {
    std::optional<federation::Directory> directory;
    verify::LogTrust trust;
    if (!a->directory.empty()) {
      auto d = federation::LoadDirectory(a->directory);
      if (!d.ok()) return d.status();
      directory = *std::move(d);
      trust.directory = &*directory;
      if (a->witnesses >= 0) trust.witnesses_required = static_cast<size_t>(a->witnesses);
    } else if (a->witnesses >= 0) {
      return absl::InvalidArgumentError("--witnesses needs --directory (whose witnesses count)");
    }
    std::unique_ptr<note::Verifier> key;
    if (!a->vkey.empty()) {
      auto k = LoadVerifier(a->vkey);
      if (!k.ok()) return k.status();
      key = *std::move(k);
      trust.key = key.get();
    } else if (!directory) {
      return absl::InvalidArgumentError("give the log's key: --vkey or --directory");
    }
    auto report = verify::CheckLog(a->node, trust, a->indices);
    if (!report.ok()) return report.status();
    if (a->json) {
      std::printf("%s\n", report->ToJson().dump(2).c_str());
    } else {
      std::printf("%s", report->ToText().c_str());
    }
    return absl::OkStatus();
  });
}

}  // namespace

void AddExample(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "example",
      "Print a payload of KIND to start from (docs/examples, compiled in), ready for\n"
      "accord submit: without issuer and issued (submit fills them in) and without the\n"
      "example's refs to statements of a made-up log — add refs to real ones. A claim's\n"
      "evidence and a response's request must be pointed at real statements before submitting.");
  auto kind_name = std::make_shared<std::string>();
  cmd->add_option("KIND", *kind_name,
                  "incident, evidence, claim, request, response, access, equivocation or officer")
      ->required();
  SetAction(cmd, [kind_name]() -> absl::Status {
    auto kind = statement::ParseKind(*kind_name);
    if (!kind) {
      return absl::InvalidArgumentError(absl::StrCat("unknown kind \"", *kind_name, "\""));
    }
    json p = statement::Example(*kind);
    p.erase("issuer");
    p.erase("issued");
    statement::CiteIn(p, {});
    std::printf("%s\n", p.dump(2).c_str());
    return absl::OkStatus();
  });
}

void AddNode(CLI::App& app) {
  AddServe(app);
  AddExample(app);
  AddSubmit(app);
  AddGet(app);
  AddVerify(app);
}

}  // namespace accord::cli
