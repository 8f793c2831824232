// End to end through the `accord` binary: keygen, log init, seal, log append, disclose,
// verify-disclosure — and tshark reading what disclose wrote.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <csignal>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "src/seal/testing.h"
#include "src/test/process.h"

namespace accord::seal {
namespace {

using ::testing::HasSubstr;

struct Result {
  int code = -1;
  std::string out, err;
};

class SealCliTest : public ::testing::Test {
 protected:
  // Runs a shell command line (paths here need no quoting).
  Result Run(const std::string& cmd) {
    const std::string out = dir_.File("stdout"), err = dir_.File("stderr");
    const int status = std::system(absl::StrCat(cmd, " >", out, " 2>", err).c_str());
    return Result{WIFEXITED(status) ? WEXITSTATUS(status) : -1, testing::ReadFile(out),
                  testing::ReadFile(err)};
  }
  Result Accord(const std::string& args) { return Run(absl::StrCat(ACCORD_CLI, " ", args)); }
  std::string F(std::string_view name) { return dir_.File(name); }

  void SetUpLogAndSeal() {
    Result k = Accord(absl::StrCat("keygen --name cert.example.ee/log --out ", F("k.key")));
    ASSERT_EQ(k.code, 0) << k.err;
    testing::WriteFile(F("k.vkey"), k.out);
    ASSERT_EQ(Accord(absl::StrCat("log init ", F("log"), " --key ", F("k.key"))).code, 0);
    std::vector<testing::TestPacket> want;
    testing::WriteFile(F("cap.pcapng"), testing::MixedPcapng(want));
    Result s = Accord(absl::StrCat("seal ", F("cap.pcapng"), " --key ", F("k.key"), " --out ",
                                   F("ev.json"), " --collector 'incident handler' --sensor tap-01",
                                   " --place 'DMZ uplink' --note 'passive tap' --json"));
    ASSERT_EQ(s.code, 0) << s.err;
    auto j = nlohmann::json::parse(s.out);
    EXPECT_EQ(j["packets"], want.size());
    EXPECT_EQ(j["format"], "pcapng");
    EXPECT_EQ(j["link_types"], nlohmann::json::array({0, 1, 101, 113}));
    EXPECT_TRUE(std::filesystem::exists(F("cap.pcapng.accord-tree")));
    Result a = Accord(
        absl::StrCat("log append ", F("log"), " --key ", F("k.key"), " --raw ", F("ev.json")));
    ASSERT_EQ(a.code, 0) << a.err;
  }

  testing::TempDir dir_;
};

TEST_F(SealCliTest, SealDiscloseVerify) {
  SetUpLogAndSeal();
  Result d = Accord(absl::StrCat("disclose ", F("cap.pcapng"), " --evidence 0 --log ", F("log"),
                                 " --packets 1,2,5 --out ", F("d.pcapng")));
  ASSERT_EQ(d.code, 0) << d.err;
  EXPECT_THAT(d.out, HasSubstr("disclosed 3 of 7 sealed packets"));
  Result v = Accord(absl::StrCat("verify-disclosure ", F("d.pcapng"), " --log ", F("log"),
                                 " --vkey ", F("k.vkey")));
  ASSERT_EQ(v.code, 0) << v.err;
  EXPECT_THAT(v.out, HasSubstr("verified: 3 of 7 sealed packets (1,2,5)"));
  EXPECT_THAT(v.out, HasSubstr("sealed by    cert.example.ee/log"));
  Result j =
      Accord(absl::StrCat("verify-disclosure ", F("d.pcapng"), " --vkey ", F("k.vkey"), " --json"));
  ASSERT_EQ(j.code, 0) << j.err;
  auto report = nlohmann::json::parse(j.out);
  EXPECT_EQ(report["verified"], true);
  EXPECT_EQ(report["disclosed"]["packet_numbers"], nlohmann::json::array({1, 2, 5}));
  EXPECT_EQ(report["sealed"]["sensor"]["location"], "DMZ uplink");
  EXPECT_EQ(report["sealed"]["note"], "passive tap");

  // By the statement file, a filter, a time range.
  d = Accord(absl::StrCat("disclose ", F("cap.pcapng"), " --evidence-file ", F("ev.json"),
                          " --log ", F("log"), " --filter 'udp port 80' --out ", F("f.pcapng"),
                          " --json"));
  ASSERT_EQ(d.code, 0) << d.err;
  EXPECT_EQ(nlohmann::json::parse(d.out)["packets"], 1);
  d = Accord(absl::StrCat("disclose ", F("cap.pcapng"), " --evidence cert.example.ee/log@0 --log ",
                          F("log"), " --from 2023-11-14T22:13:20Z --to 1700000001 --out ",
                          F("t.pcapng")));
  ASSERT_EQ(d.code, 0) << d.err;
  EXPECT_THAT(d.out, HasSubstr("disclosed 3 of 7"));
  for (const char* f : {"f.pcapng", "t.pcapng"}) {
    EXPECT_EQ(Accord(absl::StrCat("verify-disclosure ", F(f), " --log ", F("log"), " --vkey ",
                                  F("k.vkey")))
                  .code,
              0);
  }

  if (Run("tshark --version").code != 0) GTEST_SKIP() << "tshark is not installed";
  Result t = Run(absl::StrCat("tshark -r ", F("d.pcapng"), " -T fields -e frame.comment"));
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_THAT(t.out, HasSubstr("accord: sealed packet 5 of 7"));
  // And tshark reads the sealed original too (this pcapng mixes link types).
  EXPECT_EQ(Run(absl::StrCat("tshark -r ", F("cap.pcapng"))).code, 0);
}

TEST_F(SealCliTest, FailuresExitNonZeroWithTheReason) {
  SetUpLogAndSeal();
  ASSERT_EQ(Accord(absl::StrCat("disclose ", F("cap.pcapng"), " --evidence 0 --log ", F("log"),
                                " --packets 1-7 --out ", F("d.pcapng")))
                .code,
            0);
  // One flipped byte in the last packet's data.
  std::string file = testing::ReadFile(F("d.pcapng"));
  const size_t at = file.rfind("accord: sealed packet 7 of 7");
  ASSERT_NE(at, std::string::npos);
  file[at - 20] ^= 1;
  testing::WriteFile(F("bad.pcapng"), file);
  Result v = Accord(absl::StrCat("verify-disclosure ", F("bad.pcapng"), " --log ", F("log"),
                                 " --vkey ", F("k.vkey")));
  EXPECT_EQ(v.code, 1);
  EXPECT_THAT(v.err, HasSubstr("NOT VERIFIED"));
  EXPECT_THAT(v.err, HasSubstr("is not sealed packet 7"));

  testing::WriteFile(F("cut.pcap"), testing::ReadFile(F("cap.pcapng")).substr(0, 150));
  Result s =
      Accord(absl::StrCat("seal ", F("cut.pcap"), " --key ", F("k.key"), " --out ", F("x.json")));
  EXPECT_EQ(s.code, 1);
  EXPECT_THAT(s.err, HasSubstr("at offset"));
  Result n = Accord(absl::StrCat("disclose ", F("cap.pcapng"), " --evidence 0 --log ", F("log"),
                                 " --out ", F("x.pcapng")));
  EXPECT_EQ(n.code, 1);
  EXPECT_THAT(n.err, HasSubstr("choose packets"));
  n = Accord(absl::StrCat("disclose ", F("cap.pcapng"), " --evidence 0 --log ", F("log"),
                          " --packets 8 --out ", F("x.pcapng")));
  EXPECT_EQ(n.code, 1);
  EXPECT_THAT(n.err, HasSubstr("packet 8 does not exist: the capture has 7 sealed packets"));
}

// The same with a node: seal --node submits and checks the receipt; disclose and
// verify-disclosure read the log over the node's C2SP read paths.
TEST_F(SealCliTest, WithANode) {
  auto child =
      test::ChildProcess::Start({ACCORD_CLI, "serve", "--data", F("data"), "--listen",
                                 "127.0.0.1:0", "--name", "cert.example.ee/log", "--json"});
  ASSERT_TRUE(child.ok()) << child.status();
  auto line = child->ReadLine(absl::Seconds(30));
  ASSERT_TRUE(line.ok()) << line.status();
  const auto started = nlohmann::json::parse(*line);
  const std::string url = started["url"], vkey = started["vkey"];
  testing::WriteFile(F("party.vkey"), vkey + "\n");
  std::vector<testing::TestPacket> want;
  testing::WriteFile(F("cap.pcapng"), testing::MixedPcapng(want));
  Result s = Accord(absl::StrCat("seal ", F("cap.pcapng"), " --key ", F("data/party.key"),
                                 " --node ", url, " --vkey ", F("party.vkey"), " --json"));
  ASSERT_EQ(s.code, 0) << s.err;
  auto sealed = nlohmann::json::parse(s.out);
  EXPECT_EQ(sealed["receipt"]["verified"], true);
  const uint64_t index = sealed["receipt"]["index"];
  Result d = Accord(absl::StrCat("disclose ", F("cap.pcapng"), " --evidence ", index, " --node ",
                                 url, " --packets 2-4 --out ", F("d.pcapng")));
  ASSERT_EQ(d.code, 0) << d.err;
  Result v = Accord(absl::StrCat("verify-disclosure ", F("d.pcapng"), " --node ", url, " --vkey ",
                                 F("party.vkey")));
  ASSERT_EQ(v.code, 0) << v.err;
  EXPECT_THAT(v.out, HasSubstr("verified: 3 of 7 sealed packets (2,3,4)"));
  EXPECT_THAT(v.out, HasSubstr(absl::StrCat("log at ", url)));
  // Both a folder and a node, or neither, for disclose: a clear error.
  Result both =
      Accord(absl::StrCat("disclose ", F("cap.pcapng"), " --evidence 0 --node ", url, " --log ",
                          F("data/log"), " --packets 1 --out ", F("x.pcapng")));
  EXPECT_EQ(both.code, 1);
  EXPECT_THAT(both.err, HasSubstr("--log DIR or --node URL"));
  Result nowhere = Accord(absl::StrCat("seal ", F("cap.pcapng"), " --key ", F("data/party.key")));
  EXPECT_EQ(nowhere.code, 1);
  EXPECT_THAT(nowhere.err, HasSubstr("--out FILE, --node URL or both"));
  child->Kill(SIGTERM);
}

}  // namespace
}  // namespace accord::seal
