// End-to-end tests of the `accord` binary: real processes, real folders.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "src/http/server.h"
#include "src/log/proof_json.h"
#include "src/test/ports.h"
#include "src/test/process.h"

namespace {
namespace fs = std::filesystem;

struct Result {
  int code = -1;
  std::string out, err;
};

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / absl::StrCat("accord-cli-", rd(), rd());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs `accord ARGS` (a shell fragment: paths here need no quoting) with stdin from
  // `input`.
  Result Accord(const std::string& args, const std::string& input = "") {
    const fs::path in = dir_ / "stdin", out = dir_ / "stdout", err = dir_ / "stderr";
    std::ofstream(in, std::ios::binary) << input;
    const std::string cmd = absl::StrCat(ACCORD_CLI, " ", args, " <", in.string(), " >",
                                         out.string(), " 2>", err.string());
    const int status = std::system(cmd.c_str());
    Result r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = Slurp(out);
    r.err = Slurp(err);
    return r;
  }

  // keygen + init; returns the vkey.
  std::string NewLog() {
    Result k = Accord(absl::StrCat("keygen --name test.example/log --out ", key()));
    EXPECT_EQ(k.code, 0) << k.err;
    EXPECT_EQ(Accord(absl::StrCat("log init ", log(), " --key ", key())).code, 0);
    return k.out.substr(0, k.out.find('\n'));
  }
  std::string key() const { return (dir_ / "k").string(); }
  std::string log() const { return (dir_ / "log").string(); }
  fs::path dir_;
};

// Every verb and sub-verb `accord --help` lists (found from the help itself, so a new
// one is covered without editing this test).
TEST_F(CliTest, EveryVerbHasHelp) {
  const auto listed = [](const std::string& help) {
    std::vector<std::string> verbs;
    std::istringstream in(help.substr(std::min(help.size(), help.find("Subcommands:"))));
    std::string line;
    const std::regex verb_line(R"(^  ([a-z][a-z0-9-]*)\s)");
    std::smatch m;
    while (std::getline(in, line)) {
      if (std::regex_search(line, m, verb_line)) verbs.push_back(m[1]);
    }
    return verbs;
  };
  Result top = Accord("--help");
  ASSERT_EQ(top.code, 0);
  std::vector<std::string> verbs = listed(top.out);
  EXPECT_GE(verbs.size(), 15u) << top.out;
  for (size_t i = 0; i < verbs.size(); ++i) {
    Result r = Accord(absl::StrCat(verbs[i], " --help"));
    EXPECT_EQ(r.code, 0) << verbs[i];
    EXPECT_NE(r.out.find("Usage:"), std::string::npos) << verbs[i];
    if (verbs[i].find(' ') != std::string::npos) continue;  // one level of sub-verbs
    for (const std::string& sub : listed(r.out)) verbs.push_back(absl::StrCat(verbs[i], " ", sub));
  }
  EXPECT_NE(Accord("").code, 0);  // no verb is a usage error
  EXPECT_NE(Accord("frobnicate").code, 0);
}

TEST_F(CliTest, KeygenWritesAPrivateKeyOnlyTheOwnerReads) {
  Result r = Accord(absl::StrCat("keygen --name a.example/log --out ", key()));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("a.example/log+"));
  struct stat st;
  ASSERT_EQ(stat(key().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_TRUE(Slurp(key()).starts_with("PRIVATE+KEY+a.example/log+"));
  Result again = Accord(absl::StrCat("keygen --name a.example/log --out ", key()));
  EXPECT_EQ(again.code, 1);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
  EXPECT_EQ(Accord(absl::StrCat("keygen --name 'bad name' --out ", key(), "2")).code, 1);
}

TEST_F(CliTest, AppendProveVerifyRoundTrip) {
  const std::string vkey = NewLog();
  Result a = Accord(absl::StrCat("log append ", log(), " --key ", key()), "one\ntwo\n\nfour\n");
  ASSERT_EQ(a.code, 0) << a.err;
  EXPECT_EQ(a.out, "4\n");  // the empty line is an entry; the final newline is not
  std::ofstream(dir_ / "blob", std::ios::binary) << std::string("raw\nbytes\0x", 11);
  a = Accord(
      absl::StrCat("log append ", log(), " --key ", key(), " --raw ", (dir_ / "blob").string()));
  EXPECT_EQ(a.out, "5\n") << a.err;

  Result v = Accord(absl::StrCat("log verify ", log(), " --vkey '", vkey, "' --json"));
  ASSERT_EQ(v.code, 0) << v.err;
  EXPECT_NE(v.out.find("\"size\": 5"), std::string::npos) << v.out;

  Result p = Accord(absl::StrCat("log prove ", log(), " --index 4"));
  ASSERT_EQ(p.code, 0) << p.err;
  std::ofstream(dir_ / "proof.json") << p.out;
  Result c = Accord(
      absl::StrCat("log check-proof ", (dir_ / "proof.json").string(), " --vkey '", vkey, "'"));
  EXPECT_EQ(c.code, 0) << c.err;
  p = Accord(absl::StrCat("log prove ", log(), " --from 2"));
  ASSERT_EQ(p.code, 0) << p.err;
  std::ofstream(dir_ / "cons.json") << p.out;
  EXPECT_EQ(Accord(absl::StrCat("log check-proof ", (dir_ / "cons.json").string())).code, 0);
  EXPECT_EQ(Accord(absl::StrCat("log prove ", log(), " --index 5")).code, 1);
}

TEST_F(CliTest, FaultsAreClearErrorsWithNonZeroExit) {
  const std::string vkey = NewLog();
  ASSERT_EQ(Accord(absl::StrCat("log append ", log(), " --key ", key()), "a\nb\n").code, 0);
  // Wrong key for verification.
  Result other = Accord(absl::StrCat("keygen --name test.example/log --out ", key(), "2"));
  Result v = Accord(absl::StrCat("log verify ", log(), " --vkey '",
                                 other.out.substr(0, other.out.size() - 1), "'"));
  EXPECT_EQ(v.code, 1);
  EXPECT_NE(v.err.find("accord: error:"), std::string::npos) << v.err;
  // A line longer than an entry may be.
  Result big = Accord(absl::StrCat("log append ", log(), " --key ", key()),
                      "ok\n" + std::string(70000, 'x') + "\n");
  EXPECT_EQ(big.code, 1);
  EXPECT_NE(big.err.find("-:2:"), std::string::npos) << big.err;
  // A missing log and a garbled key.
  EXPECT_NE(Accord(absl::StrCat("log verify ", (dir_ / "nolog").string(), " --vkey '", vkey, "'"))
                .err.find("checkpoint"),
            std::string::npos);
  std::ofstream(dir_ / "garbled") << "PRIVATE+KEY+nonsense";
  Result g =
      Accord(absl::StrCat("log append ", log(), " --key ", (dir_ / "garbled").string()), "x\n");
  EXPECT_EQ(g.code, 1);
  EXPECT_NE(g.err.find("not an accord private key"), std::string::npos) << g.err;
  // A corrupted bundle is named.
  {
    std::fstream f(dir_ / "log/tile/entries/000.p/2",
                   std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(2);
    f.put('Z');
  }
  v = Accord(absl::StrCat("log verify ", log(), " --vkey '", vkey, "'"));
  EXPECT_EQ(v.code, 1);
  EXPECT_NE(v.err.find("tile/entries/000.p/2"), std::string::npos) << v.err;
}

TEST_F(CliTest, DemoRunsTheMainJob) {
  Result r = Accord(absl::StrCat("demo --examples ", ACCORD_SOURCE_DIR, "/docs/examples --dir ",
                                 (dir_ / "demo").string()));
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("4. verify"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("unknown-signer"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(dir_ / "demo/node/log/checkpoint"));
}

// Outside the source tree, with the compiled-in examples: the demo needs no checkout.
TEST_F(CliTest, DemoRunsOutsideTheSourceTree) {
  const std::string cmd = absl::StrCat("cd ", dir_.string(), " && ", ACCORD_CLI, " demo --dir ",
                                       (dir_ / "demo").string(), " >", (dir_ / "out").string(),
                                       " 2>", (dir_ / "err").string());
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << Slurp(dir_ / "err") << Slurp(dir_ / "out");
  EXPECT_NE(Slurp(dir_ / "out").find("4. verify"), std::string::npos);
}

// A node (or anything at its URL) answering JSON of an unexpected shape: a clear error and
// exit 1, never an abort on an uncaught exception.
TEST_F(CliTest, AnAnswerOfAnUnexpectedShapeIsAClearError) {
  accord::http::Router router;
  router.Handle("GET", "/v1/peers", [](const accord::http::Request&) {
    return accord::http::Response::Json(
        200, nlohmann::json::parse(R"({"origin":"x","witness":{},"peers":[{"witnesses":[7]}]})"));
  });
  auto server = accord::http::Server::Create(std::move(router), {});
  ASSERT_TRUE(server.ok()) << server.status();
  (*server)->Start();
  Result r = Accord(absl::StrCat("peers --node http://", (*server)->address()));
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.err.find("accord: error: accord could not read the JSON"), std::string::npos)
      << r.err;
}

// `accord example` gives a payload that `accord submit` takes as it is.
TEST_F(CliTest, AnExampleIsReadyToSubmit) {
  Result e = Accord("example incident");
  ASSERT_EQ(e.code, 0) << e.err;
  const auto p = nlohmann::json::parse(e.out);
  EXPECT_FALSE(p.contains("issued") || p.contains("issuer") || p.contains("refs")) << e.out;
  EXPECT_EQ(p["kind"], "incident");
  EXPECT_EQ(Accord("example nonsense").code, 1);
}

TEST_F(CliTest, AnUnknownCommandIsNamed) {
  Result r = Accord("frobnicate --now");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("no command \"frobnicate\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("serve"), std::string::npos) << r.err;  // the commands are listed
}

// A newcomer's path through the README: serve, submit, get, verify.
TEST_F(CliTest, ServeSubmitGetVerify) {
  auto child = accord::test::ChildProcess::Start(
      {ACCORD_CLI, "serve", "--data", (dir_ / "data").string(), "--listen", "127.0.0.1:0", "--name",
       "cert.example.ee/log", "--json"});
  ASSERT_TRUE(child.ok());
  auto line = child->ReadLine(absl::Seconds(30));
  ASSERT_TRUE(line.ok()) << line.status();
  auto j = nlohmann::json::parse(*line);
  const std::string url = j["url"], vkey = j["vkey"];
  std::ofstream(dir_ / "incident.json")
      << R"({"title":"Phishing wave against ministries","summary":"Credential phishing.",)"
      << R"("detected":"2026-05-01T08:00:00Z","sector":"public_administration","severity":"medium"})";
  Result s = Accord(absl::StrCat("submit --node ", url, " --key ",
                                 (dir_ / "data/party.key").string(), " --vkey '", vkey,
                                 "' --kind incident ", (dir_ / "incident.json").string()));
  ASSERT_EQ(s.code, 0) << s.err;
  auto receipt = nlohmann::json::parse(s.out);
  EXPECT_EQ(receipt["index"], 0);
  EXPECT_EQ(receipt["verified"], true);
  EXPECT_TRUE(receipt.contains("inclusion_proof") && receipt.contains("checkpoint"));
  Result g = Accord(absl::StrCat("get --node ", url, " 0 --payload"));
  ASSERT_EQ(g.code, 0) << g.err;
  EXPECT_EQ(nlohmann::json::parse(g.out)["title"], "Phishing wave against ministries");
  Result v = Accord(absl::StrCat("verify --node ", url, " --vkey '", vkey, "' --json"));
  ASSERT_EQ(v.code, 0) << v.err;
  EXPECT_EQ(nlohmann::json::parse(v.out)["statements"], 1);
  Result one = Accord(absl::StrCat("verify --node ", url, " --vkey '", vkey, "' 0"));
  EXPECT_EQ(one.code, 0) << one.err;
  // Refusals are clear errors with a non-zero exit.
  Result bad =
      Accord(absl::StrCat("submit --node ", url, " --key ", (dir_ / "data/party.key").string(),
                          " --kind nonsense ", (dir_ / "incident.json").string()));
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("unknown kind"), std::string::npos);
  Result other =
      Accord(absl::StrCat("keygen --name x.example/log --out ", (dir_ / "x.key").string()));
  Result wrong = Accord(absl::StrCat("verify --node ", url, " --vkey '",
                                     other.out.substr(0, other.out.size() - 1), "'"));
  EXPECT_EQ(wrong.code, 1);
  Result down = Accord("get --node http://127.0.0.1:1 0");
  EXPECT_EQ(down.code, 1);
  EXPECT_NE(down.err.find("accord: error:"), std::string::npos);
  // `accord example` piped into submit: accepted as it is.
  Result example = Accord("example incident");
  Result piped = Accord(
      absl::StrCat("submit --node ", url, " --key ", (dir_ / "data/party.key").string(), " -"),
      example.out);
  EXPECT_EQ(piped.code, 0) << piped.err;
  // A signed envelope (as seal --out or --envelope-out write it) is submitted as it is,
  // without --key or --kind; the same statement again is the original's receipt.
  std::ofstream(dir_ / "second.json") << R"({"title":"Second wave","summary":"More.",)"
                                      << R"("detected":"2026-05-02T08:00:00Z","sector":"energy",)"
                                      << R"("severity":"low"})";
  Result signed_one = Accord(absl::StrCat(
      "submit --node ", url, " --key ", (dir_ / "data/party.key").string(), " --kind incident ",
      (dir_ / "second.json").string(), " --envelope-out ", (dir_ / "second.env").string()));
  ASSERT_EQ(signed_one.code, 0) << signed_one.err;
  Result again = Accord(absl::StrCat("submit --node ", url, " ", (dir_ / "second.env").string()));
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(nlohmann::json::parse(again.out)["duplicate"], true) << again.out;
  Result mismatch =
      Accord(absl::StrCat("submit --node ", url, " --kind claim ", (dir_ / "second.env").string()));
  EXPECT_EQ(mismatch.code, 1);
  EXPECT_NE(mismatch.err.find("is a signed incident envelope"), std::string::npos) << mismatch.err;
  // Federation verbs on a node without a directory say why there is nothing.
  for (const char* verb : {"inbox", "peers", "case list"}) {
    Result f = Accord(absl::StrCat(verb, " --node ", url));
    EXPECT_EQ(f.code, 1) << verb;
    EXPECT_NE(f.err.find("runs without a directory"), std::string::npos) << verb << ": " << f.err;
  }
  // A second node on the same address fails before it creates anything.
  const std::string port = url.substr(url.rfind(':') + 1);
  Result taken = Accord(absl::StrCat("serve --data ", (dir_ / "taken").string(),
                                     " --listen 127.0.0.1:", port, " --name cert.x.example/log"));
  EXPECT_EQ(taken.code, 1);
  EXPECT_NE(taken.err.find("bind"), std::string::npos) << taken.err;
  EXPECT_FALSE(fs::exists(dir_ / "taken/party.key"));
  EXPECT_FALSE(fs::exists(dir_ / "taken/log"));
  child->Kill(SIGTERM);
}

// docs/federation.md by hand: three parties make a directory from their entries, run
// `accord serve --directory`, and see each other's statements, witnessed.
TEST_F(CliTest, ThreePartiesFederateByHand) {
  const std::vector<uint16_t> ports = accord::test::FreePorts(3);
  const std::string names[] = {"a", "b", "c"};
  std::string entries;
  for (int i = 0; i < 3; ++i) {
    const std::string& x = names[i];
    Result e =
        Accord(absl::StrCat("directory entry --data ", (dir_ / x).string(), " --origin cert.", x,
                            ".example/log --url http://127.0.0.1:", ports[i], " --name 'CERT ", x,
                            "' --email duty@", x, ".example"));
    ASSERT_EQ(e.code, 0) << e.err;
    std::ofstream(dir_ / (x + ".json")) << e.out;
    absl::StrAppend(&entries, " ", (dir_ / (x + ".json")).string());
  }
  const std::string directory = (dir_ / "directory.json").string();
  Result m = Accord(absl::StrCat("directory make --quorum 2", entries));
  ASSERT_EQ(m.code, 0) << m.err;
  std::ofstream(directory) << m.out;
  Result c = Accord("directory check " + directory);
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_NE(c.out.find("3 parties, witness quorum 2"), std::string::npos) << c.out;
  EXPECT_EQ(Accord(absl::StrCat("directory make --quorum 3", entries)).code, 1);

  std::vector<accord::test::ChildProcess> nodes;
  std::vector<std::string> urls;
  for (int i = 0; i < 3; ++i) {
    auto child = accord::test::ChildProcess::Start(
        {ACCORD_CLI, "serve", "--data", (dir_ / names[i]).string(), "--listen",
         absl::StrCat("127.0.0.1:", ports[i]), "--directory", directory, "--poll-interval-ms",
         "100", "--json"});
    ASSERT_TRUE(child.ok());
    auto line = child->ReadLine(absl::Seconds(30));
    ASSERT_TRUE(line.ok()) << line.status();
    urls.push_back(nlohmann::json::parse(*line)["url"]);
    nodes.push_back(*std::move(child));
  }
  std::ofstream(dir_ / "incident.json")
      << R"({"title":"Phishing wave against ministries","summary":"Credential phishing.",)"
      << R"("detected":"2026-05-01T08:00:00Z","sector":"public_administration",)"
      << R"("severity":"medium","to":["cert.b.example/log"]})";
  Result s =
      Accord(absl::StrCat("submit --node ", urls[0], " --key ", (dir_ / "a/party.key").string(),
                          " --kind incident ", (dir_ / "incident.json").string()));
  ASSERT_EQ(s.code, 0) << s.err;

  // B's monitor picks it up (at once, then witnessed once A's checkpoint carries B's and
  // C's cosignatures and B polls again).
  Result inbox, verify;
  for (int tries = 0; tries < 200; ++tries) {
    inbox = Accord("inbox --json --node " + urls[1]);
    verify = Accord(absl::StrCat("verify --json --node ", urls[0], " --directory ", directory));
    const auto listed = nlohmann::json::parse(inbox.out, nullptr, false);
    const bool witnessed = inbox.code == 0 && listed.is_object() &&
                           listed.value("items", nlohmann::json::array()).size() == 1 &&
                           listed["items"][0].value("witnessed", false);
    if (witnessed && verify.code == 0 && nlohmann::json::parse(verify.out)["statements"] == 1)
      break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_EQ(inbox.code, 0) << inbox.err;
  auto items = nlohmann::json::parse(inbox.out)["items"];
  ASSERT_EQ(items.size(), 1u) << inbox.out;
  EXPECT_EQ(items[0]["origin"], "cert.a.example/log");
  EXPECT_EQ(items[0]["addressed"], true);
  EXPECT_EQ(items[0]["witnessed"], true);
  ASSERT_EQ(verify.code, 0) << verify.err;
  EXPECT_EQ(nlohmann::json::parse(verify.out)["witnesses"].size(), 2u) << verify.out;
  // Three cosignatures cannot be had from two other parties: a clear refusal.
  Result three =
      Accord(absl::StrCat("verify --node ", urls[0], " --directory ", directory, " --witnesses 3"));
  EXPECT_EQ(three.code, 1);
  EXPECT_NE(three.err.find("3 are required"), std::string::npos) << three.err;

  Result peers = Accord("peers --json --node " + urls[1]);
  ASSERT_EQ(peers.code, 0) << peers.err;
  bool a_ok = false;
  const auto view = nlohmann::json::parse(peers.out);
  for (const auto& p : view["peers"]) {
    if (p["origin"] == "cert.a.example/log") a_ok = p["state"] == "ok" && p["size"] == 1;
  }
  EXPECT_TRUE(a_ok) << peers.out;
  // A confidential body by hand: A seals it to B and stores it, publishes an incident
  // carrying the commitment to B, and B fetches, opens and checks it; C may not.
  std::ofstream(dir_ / "body.json") << R"({"facts":"the VPN gateway was exploited first"})";
  Result put = Accord(absl::StrCat("body put --node ", urls[0], " --key ",
                                   (dir_ / "a/party.key").string(), " --directory ", directory,
                                   " --to cert.b.example/log ", (dir_ / "body.json").string()));
  ASSERT_EQ(put.code, 0) << put.err;
  const std::string commitment = nlohmann::json::parse(put.out)["commitment"];
  std::ofstream(dir_ / "confidential.json")
      << R"({"title":"Intrusion at a grid operator","summary":"Facts in the body.",)"
      << R"("detected":"2026-05-01T08:00:00Z","sector":"energy","severity":"high",)"
      << R"("to":["cert.b.example/log"],"private":{"sha256":")" << commitment << R"("}})";
  Result carried =
      Accord(absl::StrCat("submit --node ", urls[0], " --key ", (dir_ / "a/party.key").string(),
                          " --kind incident ", (dir_ / "confidential.json").string()));
  ASSERT_EQ(carried.code, 0) << carried.err;
  Result fetched =
      Accord(absl::StrCat("body fetch --node ", urls[0], " --key ", (dir_ / "b/party.key").string(),
                          " --box-key ", (dir_ / "b/box.key").string(), " ", commitment));
  ASSERT_EQ(fetched.code, 0) << fetched.err;
  const auto opened = nlohmann::json::parse(fetched.out);
  EXPECT_EQ(opened["verified"], true);
  EXPECT_EQ(opened["body"]["facts"], "the VPN gateway was exploited first");
  Result refused =
      Accord(absl::StrCat("body fetch --node ", urls[0], " --key ", (dir_ / "c/party.key").string(),
                          " --box-key ", (dir_ / "c/box.key").string(), " ", commitment));
  EXPECT_EQ(refused.code, 1);
  Result bad_to = Accord(absl::StrCat(
      "body put --node ", urls[0], " --key ", (dir_ / "a/party.key").string(), " --directory ",
      directory, " --to cert.nowhere.example/log ", (dir_ / "body.json").string()));
  EXPECT_EQ(bad_to.code, 1);
  EXPECT_NE(bad_to.err.find("is not a party of"), std::string::npos) << bad_to.err;
  // verify-claim reads the logs itself: a statement that is no claim, or a log outside the
  // directory, is a clear refusal (the drill's party C runs it to the end on a real claim).
  Result not_claim = Accord(
      absl::StrCat("verify-claim --directory ", directory, " --origin cert.a.example/log 0"));
  EXPECT_EQ(not_claim.code, 1);
  EXPECT_NE(not_claim.err.find("is incident, not a claim"), std::string::npos) << not_claim.err;
  Result elsewhere = Accord(
      absl::StrCat("verify-claim --directory ", directory, " --origin cert.nowhere.example/log 0"));
  EXPECT_EQ(elsewhere.code, 1);
  EXPECT_NE(elsewhere.err.find("is not a party of the directory"), std::string::npos)
      << elsewhere.err;
  // A node whose directory does not list it refuses to start, saying why.
  Result stranger = Accord(absl::StrCat("serve --data ", (dir_ / "x").string(),
                                        " --listen 127.0.0.1:0 --directory ", directory));
  EXPECT_EQ(stranger.code, 1);
  EXPECT_NE(stranger.err.find("does not list this node's log"), std::string::npos) << stranger.err;
  for (auto& n : nodes) n.Kill(SIGTERM);
}

}  // namespace
