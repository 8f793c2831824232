// `accord directory`, `accord drill`, `accord inbox`, `accord peers`, `accord case`: the
// federation and its casework from the command line.
#include <signal.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "src/cli/cli.h"
#include "src/drill/drill.h"
#include "src/federation/directory.h"
#include "src/federation/federation.h"
#include "src/node/client.h"
#include "src/party/party.h"
#include "src/store/durable_file.h"

namespace accord::cli {
namespace {

// GET `target` of a node's federation API (inbox, peers, cases). A node started without
// a directory serves none of it: a 404 there is told as that, not as a bare 404.
absl::StatusOr<std::string> FederationGet(node::NodeClient& client, const std::string& target) {
  auto body = client.Get(target);
  if (!absl::IsNotFound(body.status())) return body;
  if (target != "/v1/peers" && !absl::IsNotFound(client.Get("/v1/peers").status())) return body;
  return absl::FailedPreconditionError(absl::StrCat(
      "the node at ", client.http().url().ToString(),
      " runs without a directory, so it follows no other party and has no inbox, peers or "
      "cases; start it with accord serve --directory FILE (docs/federation.md)"));
}

using nlohmann::json;

void AddDrill(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "drill",
      "Run a multi-party exercise on 127.0.0.1: N parties' nodes, each witnessing and\n"
      "monitoring the others, play a scenario; prints a timeline and a verification report\n"
      "and exits non-zero if any step fails to verify.\n"
      "Scenarios: grid (default: an attack on a power-grid operator in A through a server\n"
      "in B, evidence sealed and disclosed by both, an attribution claim verified by C),\n"
      "split-view (B forks its log; the others catch it), deadline (an unanswered emergency\n"
      "request flagged overdue on both sides), pickup (time from submission to a peer's\n"
      "monitor).");
  struct Args {
    int parties = 3;
    std::string scenario = "grid", dir;
    bool keep = false, json = false;
    int64_t poll_interval_ms = 200;
    int count = 200;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--parties", a->parties, "Number of parties (3 to 8)")->capture_default_str();
  cmd->add_option("--scenario", a->scenario, "grid, split-view, deadline or pickup")
      ->capture_default_str();
  cmd->add_option("--dir", a->dir, "Folder for the parties' data (default: a temporary one)");
  cmd->add_flag("--keep", a->keep,
                "Keep the nodes running after the scenario (until Ctrl-C) and the data folder");
  cmd->add_flag("--json", a->json, "Print the report as JSON (the timeline goes to stderr)");
  cmd->add_option("--poll-interval-ms", a->poll_interval_ms, "Monitors' polling interval")
      ->capture_default_str();
  cmd->add_option("--count", a->count, "Statements the pickup scenario sends")
      ->capture_default_str();
  SetAction(cmd, [a]() -> absl::Status {
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);

    drill::DrillOptions o;
    o.parties = a->parties;
    o.scenario = a->scenario;
    o.dir = a->dir;
    o.keep = a->keep;
    o.poll_interval = absl::Milliseconds(std::max<int64_t>(10, a->poll_interval_ms));
    o.pickup_count = std::max(1, a->count);
    FILE* timeline = a->json ? stderr : stdout;
    o.on_event = [timeline](const drill::Event& e) {
      std::fprintf(timeline, "%8.3fs  %-3s %s%s\n", absl::ToDoubleSeconds(e.at), e.party.c_str(),
                   e.ok ? "" : "✗ ", e.what.c_str());
      std::fflush(timeline);
    };
    std::fprintf(timeline, "accord drill: scenario %s, %d parties\n", a->scenario.c_str(),
                 a->parties);
    auto d = drill::Drill::Start(o);
    if (!d.ok()) return d.status();
    nlohmann::ordered_json report = (*d)->Play();
    const bool passed = report.value("passed", false);
    if (a->json) {
      std::printf("%s\n", report.dump(2).c_str());
    } else {
      std::printf("\nverification report (%s)\n", a->scenario.c_str());
      if (report.contains("procedure")) {
        std::printf("  procedure (each step a statement in a party's log):\n");
        for (const auto& p : report["procedure"]) {
          std::printf("    %-6s %s\n", p.value("position", "").c_str(),
                      p.value("step", "").c_str());
        }
      }
      if (report.contains("proven")) {
        for (const auto& p : report["proven"]) {
          std::printf("  ✓ %s", p.value("what", "").c_str());
          if (p.contains("position"))
            std::printf(" [%s]", p["position"].get<std::string>().c_str());
          if (p.contains("witnesses")) {
            std::string w;
            for (const auto& n : p["witnesses"])
              absl::StrAppend(&w, w.empty() ? "" : ", ", n.get<std::string>());
            std::printf(" — witnessed by %s", w.c_str());
          }
          std::printf("\n");
        }
        std::printf("  not proven: %s\n", report.value("not_proven", "").c_str());
      }
      if (report.contains("equivocation_statements")) {
        for (const auto& e : report["equivocation_statements"]) {
          std::printf("  ✓ split view of %s proven by equivocation statement %s\n",
                      report["fork"].value("origin", "").c_str(), e.value("position", "").c_str());
        }
        std::printf("  first detection after %.0f ms (monitors poll every %.0f ms)\n",
                    report.value("first_detection_ms", 0.0), report.value("poll_interval_ms", 0.0));
      }
      if (report.contains("pickup_ms") && report["pickup_ms"].contains("median")) {
        const auto& p = report["pickup_ms"];
        std::printf(
            "  pickup by a peer's monitor over %d statements: median %.0f ms, p90 %.0f ms, "
            "p99 %.0f ms, max %.0f ms\n",
            report.value("statements", 0), p.value("median", 0.0), p.value("p90", 0.0),
            p.value("p99", 0.0), p.value("max", 0.0));
      }
      for (const auto& p : report["parties"]) {
        std::string w;
        for (const auto& n : p["witnessed_by"])
          absl::StrAppend(&w, w.empty() ? "" : ", ", n.get<std::string>());
        std::printf("  %s %s: %llu statements, checkpoint cosigned by %s\n",
                    p.value("party", "").c_str(), p.value("origin", "").c_str(),
                    static_cast<unsigned long long>(p.value("size", uint64_t{0})), w.c_str());
      }
      std::printf("%s\n", passed ? "PASSED"
                                 : absl::StrCat("FAILED: ", report.value("failure", "")).c_str());
    }
    std::fflush(stdout);
    if (a->keep) {
      std::fprintf(timeline, "\nnodes kept running (Ctrl-C to stop); data in %s\n",
                   (*d)->dir().c_str());
      for (const auto& n : (*d)->Nodes()) {
        std::fprintf(timeline, "  %-2s %-36s %s\n", n.letter.c_str(), n.origin.c_str(),
                     n.url.c_str());
      }
      std::fflush(timeline);
      int sig = 0;
      sigwait(&stop, &sig);
    }
    if (!passed) {
      return absl::AbortedError(
          absl::StrCat("the drill failed: ", report.value("failure", "a step did not verify")));
    }
    return absl::OkStatus();
  });
}

void AddInbox(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "inbox",
      "List what a node's monitor picked up from the peers' logs for its party: statements\n"
      "addressed to it or citing its statements, oldest first.");
  struct Args {
    std::string node, kind, origin;
    uint64_t after = 0;
    size_t limit = 100;
    bool json = false, all = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--node", a->node, "Node URL, e.g. http://127.0.0.1:7380")->required();
  cmd->add_option("--kind", a->kind, "Only this kind (request, response, …)");
  cmd->add_option("--from", a->origin, "Only statements from this log origin");
  cmd->add_option("--after", a->after, "Cursor: only items after this sequence number");
  cmd->add_option("--limit", a->limit, "Items per page (1 to 1000)")->capture_default_str();
  cmd->add_flag("--all", a->all, "Follow the cursor to the end");
  cmd->add_flag("--json", a->json, "Print JSON (one page, or every item with --all)");
  SetAction(cmd, [a]() -> absl::Status {
    auto client = node::NodeClient::Create(a->node);
    if (!client.ok()) return client.status();
    std::optional<uint64_t> after;
    if (a->after) after = a->after;
    json all = json::array();
    while (true) {
      std::string target = absl::StrCat("/v1/inbox?limit=", a->limit);
      if (after) absl::StrAppend(&target, "&after=", *after);
      if (!a->kind.empty()) absl::StrAppend(&target, "&kind=", a->kind);
      if (!a->origin.empty()) absl::StrAppend(&target, "&origin=", a->origin);
      auto body = FederationGet(**client, target);
      if (!body.ok()) return body.status();
      json page = json::parse(*body, nullptr, false);
      if (!page.is_object() || !page.contains("items"))
        return absl::DataLossError("the node's /v1/inbox answer is not an inbox page");
      for (auto& item : page["items"]) {
        if (a->json) {
          all.push_back(item);
        } else {
          std::printf("%6llu  %-10s %s #%llu  issued %s, picked up %s%s%s\n",
                      static_cast<unsigned long long>(item.value("seq", uint64_t{0})),
                      item.value("kind", "").c_str(), item.value("origin", "").c_str(),
                      static_cast<unsigned long long>(item.value("index", uint64_t{0})),
                      item.value("issued", "").c_str(), item.value("picked_up", "").c_str(),
                      item.value("addressed", false) ? "  [to us]" : "",
                      item.value("cites_us", false) ? "  [cites us]" : "");
        }
      }
      if (!a->all || !page.contains("next")) {
        if (a->json) {
          json out = {{"items", all}};
          if (page.contains("next")) out["next"] = page["next"];
          std::printf("%s\n", out.dump(2).c_str());
        }
        break;
      }
      after = page["next"].get<uint64_t>();
    }
    return absl::OkStatus();
  });
}

void AddPeers(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "peers",
      "Show a node's view of the federation: every peer's log as its monitor follows it\n"
      "(state, size, witnesses), and the witnesses of its own log.");
  struct Args {
    std::string node;
    bool json = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--node", a->node, "Node URL, e.g. http://127.0.0.1:7380")->required();
  cmd->add_flag("--json", a->json, "Print the node's JSON answer");
  SetAction(cmd, [a]() -> absl::Status {
    auto client = node::NodeClient::Create(a->node);
    if (!client.ok()) return client.status();
    auto body = FederationGet(**client, "/v1/peers");
    if (!body.ok()) return body.status();
    json j = json::parse(*body, nullptr, false);
    if (!j.is_object()) return absl::DataLossError("the node's /v1/peers answer is not JSON");
    if (a->json) {
      std::printf("%s\n", j.dump(2).c_str());
      return absl::OkStatus();
    }
    std::printf("node %s, witness %s\n", j.value("origin", "").c_str(),
                j["witness"].value("name", "").c_str());
    for (const auto& p : j["peers"]) {
      std::string w;
      for (const auto& n : p["witnesses"])
        absl::StrAppend(&w, w.empty() ? "" : ", ", n.get<std::string>());
      std::printf(
          "  peer %-34s %-18s size %-8llu cosigned by [%s]%s%s\n", p.value("origin", "").c_str(),
          p.value("state", "").c_str(),
          static_cast<unsigned long long>(p.value("size", uint64_t{0})), w.c_str(),
          p.value("last_error", "").empty() ? "" : "  error: ", p.value("last_error", "").c_str());
    }
    for (const auto& w : j["witnesses"]) {
      std::printf(
          "  witness %-31s cosigned size %-8llu%s%s\n", w.value("name", "").c_str(),
          static_cast<unsigned long long>(w.value("cosigned_size", uint64_t{0})),
          w.value("last_error", "").empty() ? "" : "  error: ", w.value("last_error", "").c_str());
    }
    return absl::OkStatus();
  });
}

void AddDirectory(CLI::App& app) {
  auto* dir = app.add_subcommand(
      "directory",
      "Make and check party directories (docs/federation.md): the file every node of a\n"
      "federation loads to know its peers, their keys, URLs and 24/7 contacts.");
  dir->require_subcommand(1);

  auto* entry = dir->add_subcommand(
      "entry",
      "Print a party's directory entry (JSON) for a node's data folder, creating the party\n"
      "key, the witness key and the box key there if they are missing. Send it to the other\n"
      "parties.");
  struct EntryArgs {
    std::string data, origin = "party.accord.localhost/log", url, name, team, email, phone;
  };
  auto e = std::make_shared<EntryArgs>();
  entry->add_option("--data", e->data, "The node's data folder")->required();
  entry->add_option("--origin", e->origin, "The log's origin, for a key created now")
      ->capture_default_str();
  entry->add_option("--url", e->url, "The node's public base URL")->required();
  entry->add_option("--name", e->name, "The party, for people")->required();
  entry->add_option("--team", e->team, "24/7 point of contact: team");
  entry->add_option("--email", e->email, "24/7 point of contact: e-mail");
  entry->add_option("--phone", e->phone, "24/7 point of contact: phone");
  SetAction(entry, [e]() -> absl::Status {
    auto keys = party::LoadOrCreateKeys(e->data, e->origin);
    if (!keys.ok()) return keys.status();
    const federation::Party p =
        party::DirectoryEntry(*keys, e->name, e->url, {e->team, e->email, e->phone, "24/7"});
    // Checked here, so a bad URL is caught before it reaches the other parties.
    auto entry_json = federation::FormatEntry(p);
    if (!entry_json.ok()) return entry_json.status();
    std::printf("%s", entry_json->c_str());
    return absl::OkStatus();
  });

  auto* make = dir->add_subcommand(
      "make", "Assemble parties' entries (files from `accord directory entry`) into a directory.");
  struct MakeArgs {
    std::vector<std::string> entries;
    size_t quorum = 1;
  };
  auto m = std::make_shared<MakeArgs>();
  make->add_option("ENTRY", m->entries, "Entry files, one per party")->required();
  make->add_option("--quorum", m->quorum,
                   "Cosignatures by other parties' witnesses a checkpoint needs to count")
      ->capture_default_str();
  SetAction(make, [m]() -> absl::Status {
    std::vector<std::string> entries;
    for (const std::string& f : m->entries) {
      auto text = store::ReadWholeFile(f);
      if (!text.ok()) return text.status();
      entries.push_back(*std::move(text));
    }
    auto d = federation::AssembleDirectory(entries, m->quorum);
    if (!d.ok()) return d.status();
    std::printf("%s", federation::FormatDirectory(*d).c_str());
    return absl::OkStatus();
  });

  auto* check = dir->add_subcommand("check", "Check a directory file and list its parties.");
  auto file = std::make_shared<std::string>();
  check->add_option("FILE", *file, "The directory")->required();
  SetAction(check, [file]() -> absl::Status {
    auto d = federation::LoadDirectory(*file);
    if (!d.ok()) return d.status();
    std::printf("ok: %zu parties, witness quorum %zu\n", d->parties.size(), d->witness_quorum);
    for (const auto& p : d->parties) {
      std::printf("  %-34s %s\n    %s%s\n", p.origin.c_str(), p.url.c_str(), p.name.c_str(),
                  p.witness_verifier ? "" : " (no witness)");
    }
    return absl::OkStatus();
  });
}

void AddCase(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "case",
      "Cases as a node sees them: the statements of one matter across the parties' logs\n"
      "(incident, evidence, requests, responses, claims, access records), where each\n"
      "request's procedure stands, what is awaited from whom, and every deadline.");
  cmd->require_subcommand(1);
  struct Args {
    std::string node, id;
    bool json = false;
  };
  auto fetch = [](const std::string& node, const std::string& target) -> absl::StatusOr<json> {
    auto client = node::NodeClient::Create(node);
    if (!client.ok()) return client.status();
    auto body = FederationGet(**client, target);
    if (!body.ok()) return body.status();
    json j = json::parse(*body, nullptr, false);
    if (!j.is_object()) return absl::DataLossError("the node's answer is not JSON");
    return j;
  };
  // Accepts a full case id or a unique prefix of one.
  auto resolve = [fetch](const std::string& node, const std::string& id) -> absl::StatusOr<json> {
    auto list = fetch(node, "/v1/cases");
    if (!list.ok()) return list.status();
    std::string found;
    for (const auto& c : (*list)["cases"]) {
      const std::string cid = c.value("id", "");
      if (cid.rfind(id, 0) == 0) {
        if (!found.empty()) return absl::InvalidArgumentError("the case id prefix is ambiguous");
        found = cid;
      }
    }
    if (found.empty()) return absl::NotFoundError(absl::StrCat("no case ", id));
    return fetch(node, "/v1/cases/" + found);
  };

  auto* list = cmd->add_subcommand("list", "List the cases, newest first; overdue ones flagged.");
  auto la = std::make_shared<Args>();
  list->add_option("--node", la->node, "Node URL")->required();
  list->add_flag("--json", la->json, "Print JSON");
  SetAction(list, [la, fetch]() -> absl::Status {
    auto j = fetch(la->node, "/v1/cases");
    if (!j.ok()) return j.status();
    if (la->json) {
      std::printf("%s\n", j->dump(2).c_str());
      return absl::OkStatus();
    }
    for (const auto& c : (*j)["cases"]) {
      std::printf("%s  %s%s\n    %zu statements, %zu requests (%zu open), since %s\n",
                  c.value("id", "").substr(0, 12).c_str(), c.value("title", "").c_str(),
                  c.value("overdue", false) ? "  [OVERDUE]" : "", c.value("statements", size_t{0}),
                  c.value("requests", size_t{0}), c.value("open_requests", size_t{0}),
                  c.value("started", "").c_str());
      for (const auto& w : c["awaiting"]) {
        std::printf("    awaiting %s\n", w.get<std::string>().c_str());
      }
    }
    return absl::OkStatus();
  });

  for (const bool timeline : {false, true}) {
    auto* sub = cmd->add_subcommand(
        timeline ? "timeline" : "show",
        timeline ? "A case's statements in time order, each with its log position."
                 : "A case's procedures: state, tracks per addressee, deadlines.");
    auto a = std::make_shared<Args>();
    sub->add_option("--node", a->node, "Node URL")->required();
    sub->add_option("ID", a->id, "Case id (or a unique prefix)")->required();
    sub->add_flag("--json", a->json, "Print JSON");
    SetAction(sub, [a, resolve, timeline]() -> absl::Status {
      auto c = resolve(a->node, a->id);
      if (!c.ok()) return c.status();
      if (a->json) {
        std::printf("%s\n", c->dump(2).c_str());
        return absl::OkStatus();
      }
      std::printf("case %s: %s%s\n", c->value("id", "").substr(0, 12).c_str(),
                  c->value("title", "").c_str(), c->value("overdue", false) ? "  [OVERDUE]" : "");
      if (timeline) {
        for (const auto& i : (*c)["items"]) {
          std::printf("  %s  %-12s %s #%llu  %s\n", i.value("issued", "").c_str(),
                      i.value("kind", "").c_str(), i.value("origin", "").c_str(),
                      static_cast<unsigned long long>(i.value("index", uint64_t{0})),
                      i.value("gist", "").c_str());
        }
        return absl::OkStatus();
      }
      for (const auto& p : (*c)["procedures"]) {
        std::printf("  %s request %s #%llu by %s: %s%s\n", p.value("request_type", "").c_str(),
                    p.value("origin", "").c_str(),
                    static_cast<unsigned long long>(p.value("index", uint64_t{0})),
                    p.value("requester", "").c_str(), p.value("state", "").c_str(),
                    p.value("overdue", false) ? "  [OVERDUE]" : "");
        for (const auto& t : p["tracks"]) {
          std::printf(
              "    %s: %s%s%s\n", t.value("party", "").c_str(), t.value("phase", "").c_str(),
              t.value("awaited", "").empty() ? "" : ", awaiting ", t.value("awaited", "").c_str());
        }
        for (const auto& d : p["deadlines"]) {
          std::printf("    %-15s due %s (%s)%s%s%s\n", d.value("kind", "").c_str(),
                      d.value("due", "").c_str(), d.value("citation", "").c_str(),
                      d.contains("met") ? ", met " : "", d.value("met", "").c_str(),
                      d.value("overdue", false) ? "  OVERDUE" : "");
        }
      }
      return absl::OkStatus();
    });
  }
}

}  // namespace

void AddFederation(CLI::App& app) {
  AddCase(app);
  AddDirectory(app);
  AddDrill(app);
  AddInbox(app);
  AddPeers(app);
}

}  // namespace accord::cli
