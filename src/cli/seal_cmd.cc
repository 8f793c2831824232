// `accord seal`, `accord disclose`, `accord verify-disclosure`: evidence from packet
// captures (src/seal). Thin: parse arguments, call the part, print.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "src/cli/cli.h"
#include "src/node/client.h"
#include "src/seal/seal.h"
#include "src/store/durable_file.h"
#include "src/util/encoding.h"

namespace accord::cli {
namespace {

struct SealArgs {
  std::string capture, key, out, node, vkey, sidecar, issuer;
  seal::Custody custody;
  bool no_sidecar = false, json = false, one_thread = false;
};

// Submits the statement to a node and checks the receipt against the log's key
// (--vkey, else the node's own /vkey): the receipt as `accord submit` prints it.
absl::StatusOr<nlohmann::ordered_json> Submit(const SealArgs& a, const std::string& statement) {
  auto client = node::NodeClient::Create(a.node);
  if (!client.ok()) return client.status();
  auto receipt = (*client)->Submit(statement);
  if (!receipt.ok()) return receipt.status();
  std::string vkey = a.vkey;
  if (vkey.empty()) {
    auto text = (*client)->Get("/vkey");
    if (!text.ok()) return text.status();
    vkey = text->substr(0, text->find('\n'));
  }
  auto log_key = LoadVerifier(vkey);
  if (!log_key.ok()) return log_key.status();
  if (auto s = node::VerifyReceipt(*receipt, statement, **log_key); !s.ok()) {
    return absl::DataLossError(absl::StrCat("the node's receipt does not verify: ", s.message()));
  }
  nlohmann::ordered_json out = receipt->json;
  out["verified"] = true;
  out["log_key"] =
      a.vkey.empty() ? "fetched from the node (pass --vkey to pin it)" : "pinned with --vkey";
  return out;
}

void PrintSealed(const SealArgs& a, const seal::SealResult& r, double seconds,
                 const nlohmann::ordered_json& receipt) {
  const seal::PacketTree& t = r.built.tree;
  const seal::CaptureSummary& s = r.built.summary;
  nlohmann::ordered_json j;
  j["capture"] = a.capture;
  j["format"] = std::string(seal::FormatName(t.format));
  j["packets"] = t.size;
  j["root"] = util::Base64Encode(t.root);
  j["sha256"] = util::HexEncode(t.capture_sha256);
  j["bytes"] = t.capture_bytes;
  j["first"] = s.first_ns ? seal::FormatTimeNs(*s.first_ns) : "";
  j["last"] = s.last_ns ? seal::FormatTimeNs(*s.last_ns) : "";
  j["link_types"] = s.link_types;
  if (!a.out.empty()) j["statement"] = a.out;
  j["sidecar"] = r.sidecar_path;
  j["seconds"] = seconds;
  if (!receipt.is_null()) j["receipt"] = receipt;
  if (a.json) {
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  std::printf(
      "sealed %s: %llu packets, %llu bytes in %.2f s\n  root     %s\n  sha256   %s\n"
      "  observed %s to %s; link types %s\n  sidecar  %s\n",
      a.capture.c_str(), static_cast<unsigned long long>(t.size),
      static_cast<unsigned long long>(t.capture_bytes), seconds,
      j["root"].get<std::string>().c_str(), j["sha256"].get<std::string>().c_str(),
      j["first"].get<std::string>().c_str(), j["last"].get<std::string>().c_str(),
      absl::StrJoin(s.link_types, ",").c_str(),
      r.sidecar_path.empty() ? "(none)" : r.sidecar_path.c_str());
  if (!a.out.empty()) {
    const std::string hint =
        a.node.empty()
            ? absl::StrCat(
                  "; submit it within 15 minutes (a node's intake window): accord submit "
                  "--node URL ",
                  a.out, " (a log without a node: accord log append LOG --key KEY --raw ", a.out,
                  ")")
            : "";
    std::printf("  statement written to %s%s\n", a.out.c_str(), hint.c_str());
  }
  if (!receipt.is_null()) std::printf("receipt:\n%s\n", receipt.dump(2).c_str());
}

absl::Status RunSeal(const SealArgs& a) {
  if (a.out.empty() && a.node.empty()) {
    return absl::InvalidArgumentError(
        "where does the statement go? --out FILE, --node URL or both");
  }
  auto signer = LoadSigner(a.key);
  if (!signer.ok()) return signer.status();
  seal::SealRequest req;
  req.capture_path = a.capture;
  req.sidecar_path = a.sidecar;
  req.write_sidecar = !a.no_sidecar;
  req.custody = a.custody;
  req.custody.issuer = a.issuer;
  req.build.two_threads = !a.one_thread;
  if (::isatty(STDERR_FILENO) && !a.json) {
    req.build.progress = [](uint64_t done, uint64_t total) {
      if (total > 0) {
        std::fprintf(stderr, "\rsealing: %3.0f%% of %.1f MB", 100.0 * done / total, total / 1e6);
      }
    };
  }
  const auto start = std::chrono::steady_clock::now();
  auto r = seal::Seal(req, *signer);
  if (!r.ok()) return r.status();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (req.build.progress) std::fprintf(stderr, "\r\033[K");
  if (!a.out.empty()) {
    const store::FileWrite write{a.out, r->statement};
    if (auto s = store::WriteFilesDurably(std::span(&write, 1), store::Durability::kFsyncEachFile);
        !s.ok()) {
      return s;
    }
  }
  for (const std::string& w : r->warnings) {
    std::fprintf(stderr, "accord: warning: %s\n", w.c_str());
  }
  nlohmann::ordered_json receipt;
  if (!a.node.empty()) {
    auto submitted = Submit(a, r->statement);
    if (!submitted.ok()) {
      const std::string kept =
          a.out.empty() ? "" : absl::StrCat(" (the statement is in ", a.out, ")");
      return absl::Status(submitted.status().code(),
                          absl::StrCat("sealed, but submitting to ", a.node, " failed", kept, ": ",
                                       submitted.status().message()));
    }
    receipt = *std::move(submitted);
  }
  PrintSealed(a, *r, seconds, receipt);
  return absl::OkStatus();
}

void AddSealVerb(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "seal",
      "Seal a packet capture (pcap or pcapng): build the Merkle tree over every packet, sign an\n"
      "evidence statement with custody data, write it to --out for the log, and keep the tree's\n"
      "hashes beside the capture (CAPTURE.accord-tree) for later disclosure.");
  auto a = std::make_shared<SealArgs>();
  cmd->add_option("CAPTURE", a->capture, "The capture file")->required();
  cmd->add_option("--key", a->key, "The party's private key file (signs the statement)")
      ->required();
  cmd->add_option("--out", a->out, "Write the signed evidence statement here");
  cmd->add_option("--node", a->node, "Submit the statement to this node (http://HOST:PORT)");
  cmd->add_option("--vkey", a->vkey,
                  "The log's verifier key for the receipt (default: the node's)");
  cmd->add_option("--collector", a->custody.collector_role, "Collector's role")
      ->default_str("collector");
  cmd->add_option("--collector-name", a->custody.collector_name, "Collector's name");
  cmd->add_option("--collector-id", a->custody.collector_id, "Collector's staff identifier");
  cmd->add_option("--sensor", a->custody.sensor, "Sensor or system id (default: this host)");
  cmd->add_option("--place", a->custody.place, "Site, network segment or place");
  cmd->add_option("--tool", a->custody.tool_name, "Collecting tool (default: accord seal)");
  cmd->add_option("--tool-version", a->custody.tool_version, "Collecting tool's version");
  cmd->add_option("--note", a->custody.note, "Free text on custody or handling");
  cmd->add_option("--issuer", a->issuer, "The party's log origin (default: the key's name)");
  cmd->add_option("--sidecar", a->sidecar, "Where to keep the tree's hashes");
  cmd->add_flag("--no-sidecar", a->no_sidecar, "Keep no sidecar (disclosure then re-hashes)");
  cmd->add_flag("--one-thread", a->one_thread, "Hash the file on the reading thread");
  cmd->add_flag("--json", a->json, "Print the result as JSON");
  SetAction(cmd, [a]() { return RunSeal(*a); });
}

struct DiscloseArgs {
  std::string capture, evidence, evidence_file, log, node, filter, packets, from, to, out, sidecar;
  bool json = false;
};

absl::StatusOr<seal::Selector> MakeSelector(const DiscloseArgs& a) {
  seal::Selector sel;
  if (!a.packets.empty()) {
    auto p = seal::ParsePacketList(a.packets);
    if (!p.ok()) return p.status();
    sel.packets = *std::move(p);
  }
  for (auto [text, field] : {std::pair{&a.from, &sel.from_ns}, std::pair{&a.to, &sel.to_ns}}) {
    if (text->empty()) continue;
    auto t = seal::ParseTimeNs(*text);
    if (!t.ok()) return t.status();
    *field = *t;
  }
  if (!a.filter.empty()) {
    auto f = seal::BpfFilter::Create(a.filter);
    if (!f.ok()) return f.status();
    sel.filter = *std::move(f);
  }
  if (!sel.packets && !sel.NeedsScan()) {
    return absl::InvalidArgumentError(
        "choose packets: --filter BPF, --packets LIST or --from/--to");
  }
  return sel;
}

// The evidence's log: a folder (--log) or a node's read paths (--node).
absl::StatusOr<std::unique_ptr<seal::EvidenceLog>> OpenLog(const std::string& dir,
                                                           const std::string& url,
                                                           const note::Verifier* verifier) {
  if (dir.empty() == url.empty()) {
    return absl::InvalidArgumentError("give the evidence's log: --log DIR or --node URL");
  }
  if (url.empty()) return seal::OpenLogFolder(dir, verifier);
  auto storage = node::HttpLogStorage::Create(url);
  if (!storage.ok()) return storage.status();
  return seal::OpenEvidenceLog(*std::move(storage), verifier);
}

absl::Status RunDisclose(const DiscloseArgs& a) {
  auto selector = MakeSelector(a);
  if (!selector.ok()) return selector.status();
  seal::EvidenceQuery query;
  if (!a.evidence.empty()) {
    auto q = seal::ParseEvidenceRef(a.evidence);
    if (!q.ok()) return q.status();
    query = *std::move(q);
  }
  if (!a.evidence_file.empty()) {
    auto statement = store::ReadWholeFile(a.evidence_file);
    if (!statement.ok()) return statement.status();
    query.statement = *std::move(statement);
  }
  auto log = OpenLog(a.log, a.node, nullptr);
  if (!log.ok()) return log.status();
  seal::DiscloseRequest req;
  req.capture_path = a.capture;
  req.sidecar_path = a.sidecar;
  req.out_path = a.out;
  auto evidence = seal::ResolveEvidence(**log, query);
  if (!evidence.ok()) return evidence.status();
  req.evidence = *std::move(evidence);
  const auto start = std::chrono::steady_clock::now();
  auto r = seal::Disclose(req, *selector);
  if (!r.ok()) return r.status();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const std::string& w : r->warnings) std::fprintf(stderr, "accord: warning: %s\n", w.c_str());
  if (a.json) {
    nlohmann::ordered_json j = {{"out", a.out},
                                {"packets", r->indices.size()},
                                {"sealed_packets", r->facts.packets},
                                {"evidence",
                                 {{"origin", req.evidence.origin},
                                  {"index", req.evidence.index},
                                  {"leaf_hash", util::Base64Encode(req.evidence.leaf_hash)}}},
                                {"proof_hashes", r->proof_hashes},
                                {"tiles_rehashed", r->tiles_rehashed},
                                {"used_sidecar", r->used_sidecar},
                                {"seconds", seconds}};
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    std::printf(
        "disclosed %zu of %llu sealed packets to %s (%llu proof hashes, %llu tiles re-hashed, %.2f "
        "s)\n",
        r->indices.size(), static_cast<unsigned long long>(r->facts.packets), a.out.c_str(),
        static_cast<unsigned long long>(r->proof_hashes),
        static_cast<unsigned long long>(r->tiles_rehashed), seconds);
  }
  return absl::OkStatus();
}

void AddDisclose(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "disclose",
      "Write chosen packets of a sealed capture as a pcapng that Wireshark and tshark open, with\n"
      "the evidence reference and a multi-packet inclusion proof in pcapng custom blocks.\n"
      "Packets are numbered from 1 as tshark numbers frames; criteria given together must all "
      "hold.");
  auto a = std::make_shared<DiscloseArgs>();
  cmd->add_option("CAPTURE", a->capture, "The sealed capture")->required();
  cmd->add_option("--evidence", a->evidence,
                  "The evidence statement: INDEX, ORIGIN@INDEX or ORIGIN@INDEX#LEAFHASH");
  cmd->add_option("--evidence-file", a->evidence_file,
                  "The evidence statement as `accord seal` wrote it");
  cmd->add_option("--log", a->log, "The folder of the log holding the evidence statement");
  cmd->add_option("--node", a->node, "Or the node whose log holds it (http://HOST:PORT)");
  cmd->add_option("--filter", a->filter, "A BPF filter, as for tcpdump (e.g. 'tcp port 443')");
  cmd->add_option("--packets", a->packets, "Packet numbers, e.g. 1,5,10-20");
  cmd->add_option("--from", a->from, "Earliest capture time (RFC 3339 or seconds since 1970)");
  cmd->add_option("--to", a->to, "Latest capture time (inclusive)");
  cmd->add_option("--out", a->out, "The disclosure file to write (pcapng)")->required();
  cmd->add_option("--sidecar", a->sidecar, "The tree's hashes (default: CAPTURE.accord-tree)");
  cmd->add_flag("--json", a->json, "Print the result as JSON");
  SetAction(cmd, [a]() -> absl::Status {
    if (a->evidence.empty() && a->evidence_file.empty()) {
      return absl::InvalidArgumentError(
          "name the evidence: --evidence REF or --evidence-file FILE");
    }
    return RunDisclose(*a);
  });
}

void AddVerifyDisclosure(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "verify-disclosure",
      "Verify a disclosure: the evidence statement's signature and its inclusion in the log's\n"
      "signed checkpoint (or, without --log/--node, the one embedded at disclosure), and every\n"
      "packet against the sealed root. Prints what was proven; exits non-zero on any fault.");
  auto file = std::make_shared<std::string>();
  auto log = std::make_shared<std::string>();
  auto url = std::make_shared<std::string>();
  auto vkey = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("FILE", *file, "The disclosure (pcapng)")->required();
  cmd->add_option("--log", *log, "The folder of the evidence's log");
  cmd->add_option("--node", *url, "Or the node serving it (http://HOST:PORT)");
  cmd->add_option("--vkey", *vkey, "The party's verifier key, or a file holding it")->required();
  cmd->add_flag("--json", *json, "Print the report as JSON");
  SetAction(cmd, [=]() -> absl::Status {
    auto verifier = LoadVerifier(*vkey);
    if (!verifier.ok()) return verifier.status();
    std::unique_ptr<seal::EvidenceLog> opened;
    if (!log->empty() || !url->empty()) {
      auto l = OpenLog(*log, *url, verifier->get());
      if (!l.ok()) return l.status();
      opened = *std::move(l);
    }
    auto report = seal::VerifyDisclosure(*file, **verifier, opened.get());
    if (!report.ok()) {
      return absl::Status(report.status().code(),
                          absl::StrCat(*file, ": NOT VERIFIED: ", report.status().message()));
    }
    if (*json) {
      std::printf("%s\n", report->ToJson().dump(2).c_str());
    } else {
      std::printf("%s", report->ToText().c_str());
    }
    return absl::OkStatus();
  });
}

}  // namespace

void AddSeal(CLI::App& app) {
  AddSealVerb(app);
  AddDisclose(app);
  AddVerifyDisclosure(app);
}

}  // namespace accord::cli
