// Storage faults of issue 7 against the real binary: a node whose data folder fills up
// (a small tmpfs) or turns read-only, at start or while it runs. Without touching the
// host: the data folder is a tmpfs mounted in a private mount namespace (unshare
// --user --map-root-user --mount) that a holder process keeps alive across node
// restarts; nodes run inside it (nsenter), and the test reads and fills the folder
// through /proc/<holder>/root.
//
// What must hold (docs/http.md "Storage failures"): a submission that cannot be made
// durable gets 507 insufficient-storage (disk full) or 503 storage-failure (read-only,
// I/O error) and never a receipt; the node keeps serving reads and /healthz reports the
// failure; after a restart with room again every statement that got a receipt is there,
// the log verifies, and nothing partial is served. A read-only data folder at start is
// a clear error and a non-zero exit.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "src/cli/node_harness.h"
#include "src/log/proof_json.h"
#include "src/node/testing.h"
#include "src/statement/statement.h"
#include "src/store/folder_lock.h"

namespace accord::cli {
namespace {

using nlohmann::json;
using statement::Kind;
using testing::ExpectProblem;
using testing::NodeProcess;
using testing::RunResult;
namespace fs = std::filesystem;

constexpr char kA[] = "cert.a.example/log";
constexpr char kB[] = "cert.b.example/log";

// A private mount namespace whose `dir` is a tmpfs of `size` (e.g. "1m"), kept alive by
// a holder process until destroyed.
class TmpfsNamespace {
 public:
  // nullptr (and the reason in `why`) if namespaces cannot be made here.
  static std::unique_ptr<TmpfsNamespace> Create(const fs::path& dir, std::string_view size,
                                                std::string* why) {
    const std::string unshare = testing::FindProgram("unshare"),
                      nsenter = testing::FindProgram("nsenter");
    if (unshare.empty() || nsenter.empty()) {
      *why = "unshare or nsenter (util-linux) is not installed";
      return nullptr;
    }
    fs::create_directories(dir);
    auto holder = test::ChildProcess::Start(
        {unshare, "--user", "--map-root-user", "--mount", "sh", "-c",
         absl::StrCat("mount -t tmpfs -o size=", std::string(size), " tmpfs ",
                      testing::ShellQuote(dir.string()), " && echo ready && exec sleep 3600")});
    if (!holder.ok()) {
      *why = std::string(holder.status().message());
      return nullptr;
    }
    auto line = holder->ReadLine(absl::Seconds(10));
    if (!line.ok() || *line != "ready") {
      *why = "cannot mount a tmpfs in a private user and mount namespace (unshare -Urm)";
      return nullptr;
    }
    return std::unique_ptr<TmpfsNamespace>(new TmpfsNamespace(dir, nsenter, *std::move(holder)));
  }

  // `argv` run inside the namespace.
  std::vector<std::string> Inside(std::vector<std::string> argv) const {
    argv.insert(argv.begin(), {nsenter_, "-t", absl::StrCat(holder_.pid()), "-m", "-U",
                               "--preserve-credentials"});
    return argv;
  }
  // A shell script run inside the namespace (mount -o remount,…).
  RunResult Sh(const std::string& script, const fs::path& scratch) const {
    return testing::Run(Inside({"sh", "-c", script}), scratch);
  }
  // The tmpfs as this process sees it.
  fs::path HostView() const {
    return fs::path(absl::StrCat("/proc/", holder_.pid(), "/root")) / dir_.relative_path();
  }
  const fs::path& dir() const { return dir_; }

 private:
  TmpfsNamespace(fs::path dir, std::string nsenter, test::ChildProcess holder)
      : dir_(std::move(dir)), nsenter_(std::move(nsenter)), holder_(std::move(holder)) {}
  fs::path dir_;
  std::string nsenter_;
  test::ChildProcess holder_;
};

// Fills the file system holding `dir` with a file `dir/filler` until it is full.
void Fill(const fs::path& dir) {
  std::FILE* f = std::fopen((dir / "filler").c_str(), "wb");
  ASSERT_NE(f, nullptr);
  const std::string block(4096, 'f');
  while (std::fwrite(block.data(), 1, block.size(), f) == block.size()) {
  }
  std::fclose(f);  // the last partial block may not fit either
  // tmpfs may still take a few bytes into a partly used page: fill those too.
  f = std::fopen((dir / "filler2").c_str(), "wb");
  if (f != nullptr) {
    while (std::fputc('f', f) != EOF && std::fflush(f) == 0) {
    }
    std::fclose(f);
  }
}

struct Receipt {
  uint64_t index;
  std::string envelope;
};

class StorageFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    ns_ = TmpfsNamespace::Create(scratch_.path() / "mnt", size_, &why);
    if (!ns_) GTEST_SKIP() << why;
  }
  fs::path data() const { return ns_->dir() / "a"; }
  fs::path host_data() const { return ns_->HostView() / "a"; }

  std::unique_ptr<NodeProcess> StartNode(std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {ACCORD_CLI, "serve",       "--data", data().string(),
                                     "--listen", "127.0.0.1:0", "--name", "cert.a.example/log",
                                     "--json"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto node = NodeProcess::Start(ns_->Inside(argv));
    EXPECT_TRUE(node.ok()) << node.status();
    return node.ok() ? *std::move(node) : nullptr;
  }
  std::string Statement() {
    if (!party_) party_.emplace(node::testing::KeyFromFile(host_data() / "party.key"));
    return node::testing::SignedExample(Kind::kIncident, "cert.a.example/log", *party_, nonce_++);
  }

  // After a restart: every receipt's statement is at its index, byte for byte, and the
  // whole log verifies from what the node serves.
  void ExpectEveryReceiptDurable(NodeProcess& node, const std::vector<Receipt>& receipts) {
    for (const Receipt& r : receipts) {
      auto got = node.http().Get(absl::StrCat("/v1/statements/", r.index));
      ASSERT_TRUE(got.ok()) << got.status();
      ASSERT_EQ(got->status, 200) << "statement " << r.index << ": " << got->body;
      EXPECT_EQ(json::parse(got->body)["envelope"], r.envelope) << r.index;
    }
    RunResult v = testing::Accord({"verify", "--node", node.url(), "--vkey", node.vkey(), "--json"},
                                  scratch_.path());
    ASSERT_EQ(v.code, 0) << v.err;
    EXPECT_EQ(json::parse(v.out)["ok"], true);
    for (const Receipt& r : receipts) {
      EXPECT_LT(r.index, json::parse(v.out)["statements"].get<uint64_t>());
    }
  }
  // No temporary file of an interrupted write is left in the log (the writer's lock
  // file, store::kLockFileName, is the one dot file that belongs there).
  void ExpectNoTemporaries() {
    for (const auto& [path, digest] : testing::SnapshotOf(host_data() / "log")) {
      if (path == store::kLockFileName) continue;
      EXPECT_FALSE(absl::StrContains(path, "/.") || path.starts_with(".")) << path;
    }
  }

  testing::ScratchDir scratch_{"accord-storage"};
  std::string size_ = "1m";
  std::unique_ptr<TmpfsNamespace> ns_;
  std::optional<note::Ed25519Signer> party_;
  int nonce_ = 0;
};

// Submits from `threads` threads until every thread has seen a refusal (or `max` each).
std::pair<std::vector<Receipt>, std::vector<http::ClientResponse>> Load(
    NodeProcess& node, const std::function<std::string()>& next, int threads, int max) {
  std::mutex mu;
  std::vector<Receipt> receipts;
  std::vector<http::ClientResponse> refusals;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      auto client = *http::Client::Create(node.url());
      for (int i = 0; i < max; ++i) {
        std::string envelope;
        {
          std::lock_guard lock(mu);
          envelope = next();
        }
        auto r = client->Post("/v1/statements", envelope);
        if (!r.ok()) {
          ADD_FAILURE() << r.status();
          return;
        }
        std::lock_guard lock(mu);
        if (r->status == 201) {
          receipts.push_back({json::parse(r->body)["index"].get<uint64_t>(), envelope});
          continue;
        }
        refusals.push_back(*r);
        return;
      }
    });
  }
  for (auto& w : workers) w.join();
  return {receipts, refusals};
}

TEST_F(StorageFaultTest, DiskFullUnderLoadRefusesClearlyAndLosesNothingAcknowledged) {
  auto node = StartNode();
  ASSERT_TRUE(node);
  auto [receipts, refusals] = Load(
      *node, [&] { return Statement(); }, 4, 2000);
  ASSERT_FALSE(receipts.empty());
  ASSERT_EQ(refusals.size(), 4u) << "the disk never filled";
  for (const auto& r : refusals) {
    json p = ExpectProblem(r, 507, "insufficient-storage");
    EXPECT_FALSE(absl::StrContains(p.value("detail", ""), data().string())) << p;
  }
  // Still refused, still serving reads, and /healthz says why.
  ExpectProblem(node->http().Post("/v1/statements", Statement()), 507, "insufficient-storage");
  json h = ExpectProblem(node->http().Get("/healthz"), 503, "insufficient-storage");
  const uint64_t size = *testing::LogSize(node->http());
  EXPECT_EQ(h.value("size", uint64_t{0}), size) << h;
  for (const Receipt& r : receipts) EXPECT_LT(r.index, size);
  auto read = node->http().Get("/v1/statements/0");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->status, 200);
  ExpectNoTemporaries();
  EXPECT_TRUE(node->StopCleanly());
  // A node does not start on a full disk, and says why.
  Fill(ns_->HostView());
  RunResult full = testing::Run(ns_->Inside({ACCORD_CLI, "serve", "--data", data().string(),
                                             "--listen", "127.0.0.1:0", "--json"}),
                                scratch_.path());
  EXPECT_EQ(full.code, 1);
  EXPECT_TRUE(full.out.empty()) << full.out;
  EXPECT_TRUE(absl::StrContains(full.err, "No space left on device")) << full.err;
  fs::remove(ns_->HostView() / "filler");
  fs::remove(ns_->HostView() / "filler2");
  ExpectNoTemporaries();

  // Room again: a restart serves every acknowledged statement and accepts more.
  ASSERT_EQ(
      ns_->Sh(absl::StrCat("mount -o remount,size=64m ", ns_->dir().string()), scratch_.path())
          .code,
      0);
  node = StartNode();
  ASSERT_TRUE(node);
  ExpectEveryReceiptDurable(*node, receipts);
  auto more = node->http().Post("/v1/statements", Statement());
  ASSERT_TRUE(more.ok());
  EXPECT_EQ(more->status, 201) << more->body;
  auto health = node->http().Get("/healthz");
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->status, 200) << health->body;
  EXPECT_TRUE(node->StopCleanly());
}

TEST_F(StorageFaultTest, DataFolderTurningReadOnlyWhileRunningIsAStorageFailure) {
  auto node = StartNode();
  ASSERT_TRUE(node);
  std::vector<Receipt> receipts;
  for (int i = 0; i < 3; ++i) {
    std::string envelope = Statement();
    auto r = node->http().Post("/v1/statements", envelope);
    ASSERT_TRUE(r.ok() && r->status == 201);
    receipts.push_back({json::parse(r->body)["index"].get<uint64_t>(), envelope});
  }
  const auto before = testing::SnapshotOf(host_data() / "log");
  // The node holds files open for writing (its SQLite index), so the tmpfs itself cannot
  // be remounted read-only; a read-only bind mount over it can, and every file the node
  // opens or creates from now on is on a read-only file system.
  const std::string mnt = testing::ShellQuote(ns_->dir().string());
  RunResult ro = ns_->Sh(
      absl::StrCat("mount --bind ", mnt, " ", mnt, " && mount -o remount,bind,ro ", mnt, " ", mnt),
      scratch_.path());
  ASSERT_EQ(ro.code, 0) << ro.err;
  json p = ExpectProblem(node->http().Post("/v1/statements", Statement()), 503, "storage-failure");
  EXPECT_TRUE(absl::StrContains(absl::AsciiStrToLower(p.value("detail", "")), "read-only")) << p;
  ExpectProblem(node->http().Post("/v1/statements", Statement()), 503, "storage-failure");
  ExpectProblem(node->http().Get("/healthz"), 503, "storage-failure");
  EXPECT_EQ(testing::LogSize(node->http()), 3u);
  EXPECT_EQ(testing::SnapshotOf(host_data() / "log"), before);
  auto tile = node->http().Get("/tile/entries/000.p/3");
  ASSERT_TRUE(tile.ok());
  EXPECT_EQ(tile->status, 200);
  EXPECT_TRUE(node->StopCleanly());

  ASSERT_EQ(ns_->Sh(absl::StrCat("umount ", mnt), scratch_.path()).code, 0);  // writable again
  node = StartNode();
  ASSERT_TRUE(node);
  ExpectEveryReceiptDurable(*node, receipts);
  auto more = node->http().Post("/v1/statements", Statement());
  ASSERT_TRUE(more.ok());
  EXPECT_EQ(more->status, 201) << more->body;
  EXPECT_TRUE(node->StopCleanly());
}

TEST_F(StorageFaultTest, ReadOnlyDataFolderAtStartIsAClearErrorAndChangesNothing) {
  // A node that ran once, its folder then mounted read-only.
  auto node = StartNode();
  ASSERT_TRUE(node);
  auto r = node->http().Post("/v1/statements", Statement());
  ASSERT_TRUE(r.ok() && r->status == 201);
  EXPECT_TRUE(node->StopCleanly());
  const auto before = testing::SnapshotOf(host_data());
  ASSERT_EQ(
      ns_->Sh(absl::StrCat("mount -o remount,ro ", ns_->dir().string()), scratch_.path()).code, 0);
  RunResult ro = testing::Run(ns_->Inside({ACCORD_CLI, "serve", "--data", data().string(),
                                           "--listen", "127.0.0.1:0", "--json"}),
                              scratch_.path());
  EXPECT_EQ(ro.code, 1) << ro.out;
  EXPECT_TRUE(ro.out.empty()) << ro.out;  // it never said it was serving
  EXPECT_TRUE(absl::StrContains(ro.err, "accord: error:")) << ro.err;
  EXPECT_TRUE(absl::StrContains(ro.err, "Read-only file system")) << ro.err;
  EXPECT_TRUE(absl::StrContains(ro.err, data().string())) << ro.err;
  EXPECT_EQ(testing::SnapshotOf(host_data()), before);
  // A new node in a read-only folder: the same.
  RunResult fresh =
      testing::Run(ns_->Inside({ACCORD_CLI, "serve", "--data", (ns_->dir() / "b").string(),
                                "--listen", "127.0.0.1:0", "--json"}),
                   scratch_.path());
  EXPECT_EQ(fresh.code, 1);
  EXPECT_TRUE(absl::StrContains(fresh.err, "Read-only file system")) << fresh.err;
}

// A federated node (A, on the tmpfs) with a peer B (on the host): when A's disk is full,
// its statements, bodies, body releases, witness cosignatures and monitor are refused or
// held without damage, and after a restart with room everything resumes where it was.
TEST_F(StorageFaultTest, FullDiskHoldsBodiesWitnessAndMonitorWithoutDamage) {
  const fs::path& dir = scratch_.path();
  const std::vector<uint16_t> ports = testing::FreePorts(2);
  const uint16_t a_port = ports[0], b_port = ports[1];
  const std::string a_url = absl::StrCat("http://127.0.0.1:", a_port),
                    b_url = absl::StrCat("http://127.0.0.1:", b_port);
  RunResult a_entry =
      testing::Run(ns_->Inside({ACCORD_CLI, "directory", "entry", "--data", data().string(),
                                "--origin", kA, "--url", a_url, "--name", "CERT A"}),
                   dir);
  ASSERT_EQ(a_entry.code, 0) << a_entry.err;
  RunResult b_entry = testing::Accord({"directory", "entry", "--data", (dir / "b").string(),
                                       "--origin", kB, "--url", b_url, "--name", "CERT B"},
                                      dir);
  ASSERT_EQ(b_entry.code, 0) << b_entry.err;
  std::ofstream(dir / "a.json") << a_entry.out;
  std::ofstream(dir / "b.json") << b_entry.out;
  RunResult made = testing::Accord(
      {"directory", "make", "--quorum", "0", (dir / "a.json").string(), (dir / "b.json").string()},
      dir);
  ASSERT_EQ(made.code, 0) << made.err;
  const std::string directory = (dir / "directory.json").string();
  std::ofstream(directory) << made.out;
  const std::vector<std::string> federated = {
      "--directory", directory, "--poll-interval-ms", "50", "--peer-timeout-ms", "1000"};
  auto start_a = [&] {
    std::vector<std::string> argv = {ACCORD_CLI, "serve",
                                     "--data",   data().string(),
                                     "--listen", absl::StrCat("127.0.0.1:", a_port),
                                     "--json"};
    argv.insert(argv.end(), federated.begin(), federated.end());
    auto n = NodeProcess::Start(ns_->Inside(argv));
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? *std::move(n) : nullptr;
  };
  std::vector<std::string> b_argv = {ACCORD_CLI, "serve",
                                     "--data",   (dir / "b").string(),
                                     "--listen", absl::StrCat("127.0.0.1:", b_port),
                                     "--json"};
  b_argv.insert(b_argv.end(), federated.begin(), federated.end());
  auto b = NodeProcess::Start(b_argv);
  ASSERT_TRUE(b.ok()) << b.status();
  auto a = start_a();
  ASSERT_TRUE(a);
  const auto a_key = node::testing::KeyFromFile(host_data() / "party.key");
  const auto b_key = node::testing::KeyFromFile(dir / "b/party.key");
  const std::string a_skey = testing::Slurp(host_data() / "party.key"),
                    b_skey = testing::Slurp(dir / "b/party.key");
  auto to_a = [&](int nonce) {
    json p = node::testing::ExamplePayload(Kind::kIncident, kB, nonce);
    p["to"] = {kA};
    p.erase("private");
    return *statement::Sign(Kind::kIncident, p.dump(), b_key);
  };
  auto a_inbox = [&] {
    auto r = a->http().Get("/v1/inbox");
    return r.ok() && r->status == 200 ? json::parse(r->body)["items"] : json();
  };
  // What B's witnessing knows of A's witness.
  auto a_witness = [&] {
    auto r = (*b)->http().Get("/v1/peers");
    if (!r.ok() || r->status != 200) return json::object();
    const json peers = json::parse(r->body);
    for (const json& w : peers["witnesses"]) {
      if (w["name"] == "cert.a.example/witness") return w;
    }
    return json::object();
  };
  auto put_body = [&](const std::string& commitment) {
    http::ClientRequest put{
        .method = "PUT",
        .target = absl::StrCat("/v1/bodies/", commitment),
        .body = absl::StrCat(R"({"copies":[{"addressee":")", kB, R"(","sealed":")",
                             std::string(100, 'A'), R"("}]})")};
    EXPECT_TRUE(testing::RequestSignerFor(a_skey).Sign(a->http().url(), put).ok());
    return a->http().Do(put);
  };
  auto get_body = [&](const std::string& commitment) {
    http::ClientRequest get{.method = "GET", .target = absl::StrCat("/v1/bodies/", commitment)};
    EXPECT_TRUE(testing::RequestSignerFor(b_skey).Sign(a->http().url(), get).ok());
    return a->http().Do(get);
  };

  // Before: B's statement reaches A's inbox, A's witness cosigns B's log, A stores a body
  // for B and commits to it.
  auto posted = (*b)->http().Post("/v1/statements", to_a(1));
  ASSERT_TRUE(posted.ok() && posted->status == 201);
  ASSERT_TRUE(testing::Eventually([&] { return a_inbox().size() == 1; })) << a_inbox();
  ASSERT_TRUE(testing::Eventually([&] { return a_witness().value("cosigned_size", 0) == 1; }))
      << a_witness();
  const std::string c1 = util::HexEncode(crypto::Sha256("body one")),
                    c2 = util::HexEncode(crypto::Sha256("body two"));
  auto stored = put_body(c1);
  ASSERT_TRUE(stored.ok() && stored->status == 201);
  json p = node::testing::ExamplePayload(Kind::kIncident, kA, 1);
  p["to"] = {kB};
  p["private"] = {{"sha256", c1}};
  auto committed =
      a->http().Post("/v1/statements", *statement::Sign(Kind::kIncident, p.dump(), a_key));
  ASSERT_TRUE(committed.ok() && committed->status == 201) << committed->body;

  // The disk fills.
  Fill(ns_->HostView());
  auto a_files = [&] {
    testing::Snapshot s;
    for (const char* sub : {"log", "bodies", "witness"}) {
      for (auto& [k, v] : testing::SnapshotOf(host_data() / sub)) s[absl::StrCat(sub, "/", k)] = v;
    }
    return s;
  };
  const testing::Snapshot before = a_files();
  const uint64_t a_size = *testing::LogSize(a->http());
  ExpectProblem(put_body(c2), 507, "insufficient-storage");
  // A release is never made without its access record, which cannot be written.
  ExpectProblem(get_body(c1), 503, "unavailable");
  ExpectProblem(
      a->http().Post(
          "/v1/statements",
          *statement::Sign(Kind::kIncident,
                           node::testing::ExamplePayload(Kind::kIncident, kA, 2).dump(), a_key)),
      507, "insufficient-storage");
  ExpectProblem(a->http().Get("/healthz"), 503, "insufficient-storage");
  // B's next statement: A's witness cannot record a cosignature, so it gives none.
  posted = (*b)->http().Post("/v1/statements", to_a(2));
  ASSERT_TRUE(posted.ok() && posted->status == 201);
  ASSERT_TRUE(testing::Eventually([&] { return !a_witness().value("last_error", "").empty(); }))
      << a_witness();
  EXPECT_EQ(a_witness().value("cosigned_size", 0), 1) << a_witness();
  // The same request by hand: a problem (the witness stopped answering for B's log at
  // the failed write, until a restart), and the witness's state unchanged.
  auto proof = (*b)->http().Get("/v1/proofs/consistency?from=1&to=2");
  ASSERT_TRUE(proof.ok() && proof->status == 200);
  auto doc = log::ParseProofJson(proof->body);
  ASSERT_TRUE(doc.ok()) << doc.status();
  const auto& consistency = std::get<log::ConsistencyProofDoc>(*doc);
  std::string add = "old 1\n";
  for (const auto& h : consistency.hashes) absl::StrAppend(&add, util::Base64Encode(h), "\n");
  absl::StrAppend(&add, "\n", consistency.checkpoint);
  ExpectProblem(a->http().Post("/add-checkpoint", add, http::kTextContentType), 503,
                "storage-failure");
  // Reads go on; nothing of A's log, bodies or witness changed.
  auto read = a->http().Get("/v1/statements/0");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->status, 200);
  EXPECT_EQ(a_files(), before);
  EXPECT_EQ(testing::LogSize(a->http()), a_size);
  EXPECT_TRUE(a->StopCleanly());

  // Room again.
  fs::remove(ns_->HostView() / "filler");
  fs::remove(ns_->HostView() / "filler2");
  a = start_a();
  ASSERT_TRUE(a);
  // The monitor has B's statements once each, the witness cosigns B's log again, the
  // held body is released (and recorded) and a new one stored.
  ASSERT_TRUE(testing::Eventually([&] { return a_inbox().size() == 2; })) << a_inbox();
  std::set<uint64_t> seen;
  for (const json& item : a_inbox()) seen.insert(item["index"].get<uint64_t>());
  EXPECT_EQ(seen, (std::set<uint64_t>{0, 1}));
  ASSERT_TRUE(testing::Eventually([&] { return a_witness().value("cosigned_size", 0) == 2; },
                                  absl::Seconds(20)))
      << a_witness();
  auto released = get_body(c1);
  ASSERT_TRUE(released.ok());
  EXPECT_EQ(released->status, 200) << released->body;
  auto stored2 = put_body(c2);
  ASSERT_TRUE(stored2.ok());
  EXPECT_EQ(stored2->status, 201) << stored2->body;
  // GET /checkpoint serves the witnessed checkpoint, published a moment after the log's.
  ASSERT_TRUE(testing::Eventually([&] { return testing::PublishedSize(a->http()) == a_size + 1; }));
  RunResult v =
      testing::Accord({"verify", "--node", a->url(), "--directory", directory, "--json"}, dir);
  ASSERT_EQ(v.code, 0) << v.err;
  EXPECT_EQ(json::parse(v.out)["statements"], a_size + 1);  // and the access record
  EXPECT_TRUE(a->StopCleanly());
  EXPECT_TRUE((*b)->StopCleanly());
}

}  // namespace
}  // namespace accord::cli
