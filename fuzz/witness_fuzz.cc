// Fuzzes the witness (src/federation/witness.cc): federation::ParseAddCheckpoint and the
// whole add-checkpoint protocol of a Witness with state in a temporary folder, for a
// directory of three parties with the fixed keys (this witness is "self"'s).
//
// The input is a sequence of request bodies separated by NUL bytes (which no valid body
// holds). A body starting with 'S' is signed here: what follows is "old <size>\n", proof
// lines, an empty line and an unsigned checkpoint text, which the harness signs with the
// fixed key of the log its first line names, so that the fuzzer reaches the
// consistency and cosigning logic; any other body is sent as it is (after its first
// byte).
//
// Invariants (c2sp.org/tlog-witness, checked against a model of the spec): every answer
// has the status the spec prescribes for the request and the witness's history; a 409
// carries the latest cosigned size; a 200 carries a valid cosignature/v1 line by the
// witness key over exactly the submitted checkpoint; a witness never cosigns two
// different roots for one size, nor a checkpoint inconsistent with one it cosigned.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "fuzz/fuzz_support.h"
#include "src/federation/directory.h"
#include "src/federation/witness.h"
#include "src/note/checkpoint.h"
#include "src/note/cosignature.h"
#include "src/note/note.h"
#include "src/tlog/proof.h"

namespace accord::fuzz {
namespace {

namespace fs = std::filesystem;
constexpr uint64_t kClock = 1'700'000'000;
constexpr size_t kMaxRequests = 16;

federation::DirectoryWatcher& TheDirectory() {
  static federation::DirectoryWatcher* watcher = [] {
    const Keys& k = FixedKeys();
    const std::string json = absl::StrCat(
        R"({"accord_directory":1,"witness_quorum":1,"parties":[)", R"({"name":"log","origin":")",
        std::string(kLogOrigin), R"(","log_key":")", k.log.VerifierKeyString(),
        R"(","url":"http://127.0.0.1:1","witness":{"key":")", k.log_witness.VerifierKeyString(),
        R"("}},)", R"({"name":"peer","origin":")", std::string(kPeerOrigin), R"(","log_key":")",
        k.peer.VerifierKeyString(), R"(","url":"http://127.0.0.1:2","witness":{"key":")",
        k.peer_witness.VerifierKeyString(), R"("}},)", R"({"name":"self","origin":")",
        std::string(kSelfOrigin), R"(","log_key":")", k.self.VerifierKeyString(),
        R"(","url":"http://127.0.0.1:3","witness":{"key":")", k.self_witness.VerifierKeyString(),
        R"("}}]})");
    auto d = federation::ParseDirectory(json);
    if (!d.ok()) Fail(d.status().ToString());
    return federation::DirectoryWatcher::Fixed(*std::move(d)).release();
  }();
  return *watcher;
}

const fs::path& StateRoot() {
  static const fs::path* root = [] {
    const char* shm = "/dev/shm";
    std::string pattern = fs::exists(shm) ? std::string(shm) : fs::temp_directory_path().string();
    pattern += "/accord-witness-fuzz-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) Fail("mkdtemp failed");
    auto* path = new fs::path(pattern);
    std::atexit([] { fs::remove_all(StateRoot()); });
    return path;
  }();
  return *root;
}

const note::Signer* SignerFor(std::string_view text) {
  const Keys& k = FixedKeys();
  const std::string_view origin = text.substr(0, text.find('\n'));
  if (origin == kPeerOrigin) return &k.peer;
  if (origin == kSelfOrigin) return &k.self;
  return &k.log;
}

// 'S' bodies: sign the checkpoint text after the first empty line.
std::string BodyOf(std::string_view segment) {
  if (segment.empty()) return "";
  const char kind = segment[0];
  segment.remove_prefix(1);
  if (kind != 'S') return std::string(segment);
  const size_t blank = segment.find("\n\n");
  if (blank == std::string_view::npos) return std::string(segment);
  const std::string_view head = segment.substr(0, blank + 2);
  const std::string_view text = segment.substr(blank + 2);
  const note::Signer* signers[] = {SignerFor(text)};
  auto signed_note = note::Sign(text, signers);
  if (!signed_note.ok()) return std::string(segment);
  return absl::StrCat(std::string(head), *signed_note);
}

struct Latest {
  note::Checkpoint checkpoint;
};

// What the spec says the answer to `body` is, given the latest cosigned checkpoints.
int ExpectedStatus(std::string_view body, const std::map<std::string, Latest>& latest) {
  const Keys& k = FixedKeys();
  auto req = federation::ParseAddCheckpoint(body);
  if (!req.ok()) return 400;
  auto n = note::Parse(req->checkpoint);
  auto parsed = n.ok() ? note::ParseCheckpoint(n->text) : n.status();
  if (!parsed.ok()) return 400;
  const note::Verifier* verifier = parsed->origin == kLogOrigin    ? k.log_verifier.get()
                                   : parsed->origin == kPeerOrigin ? k.peer_verifier.get()
                                                                   : nullptr;
  if (verifier == nullptr) return 404;  // unknown, or this witness's own log
  auto opened = note::OpenCheckpoint(req->checkpoint, parsed->origin, *verifier);
  if (!opened.ok()) return note::IsMalformedNote(opened.status()) ? 400 : 403;
  const note::Checkpoint& cp = opened->checkpoint;
  if (req->old_size > cp.size) return 400;
  auto it = latest.find(cp.origin);
  const uint64_t latest_size = it == latest.end() ? 0 : it->second.checkpoint.size;
  if (req->old_size != latest_size) return 409;
  const bool same_size = it != latest.end() && cp.size == latest_size;
  if (same_size && cp.root_hash != it->second.checkpoint.root_hash) return 409;
  if (same_size || req->old_size == 0) return req->proof.empty() ? 200 : 422;
  return tlog::VerifyConsistency(latest_size, cp.size, it->second.checkpoint.root_hash,
                                 cp.root_hash, req->proof)
                 .ok()
             ? 200
             : 422;
}

void CheckCosignature(const std::string& checkpoint, const std::string& line,
                      const std::optional<Latest>& before) {
  const Keys& k = FixedKeys();
  auto n = note::Parse(checkpoint);
  ACCORD_FUZZ_CHECK(n.ok());
  auto cp = note::ParseCheckpoint(n->text);
  ACCORD_FUZZ_CHECK(cp.ok());
  const note::Verifier* cosigners[] = {k.self_witness_verifier.get()};
  const note::Verifier* log =
      cp->origin == kLogOrigin ? k.log_verifier.get() : k.peer_verifier.get();
  auto opened = note::OpenCheckpoint(checkpoint + line, cp->origin, *log, cosigners);
  ACCORD_FUZZ_CHECK(opened.ok(),
                    "the cosigned checkpoint does not open: ", opened.status().ToString());
  bool found = false;
  for (const note::Signature& sig : opened->note.signatures) {
    if (sig.name != k.self_witness.Name()) continue;
    found = true;
    auto t = note::CosignatureTimestamp(sig);
    ACCORD_FUZZ_CHECK(t.ok() && *t == kClock);
  }
  ACCORD_FUZZ_CHECK(found, "no cosignature by the witness in its answer: ", line);
  if (before.has_value()) {
    const note::Checkpoint& old = before->checkpoint;
    ACCORD_FUZZ_CHECK(cp->size >= old.size, "cosigned a smaller tree: ", cp->size, " after ",
                      old.size);
    if (cp->size == old.size) {
      ACCORD_FUZZ_CHECK(cp->root_hash == old.root_hash, "cosigned two roots for size ", cp->size);
    }
  }
}

}  // namespace
}  // namespace accord::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)accord::fuzz::TheDirectory();
  (void)accord::fuzz::StateRoot();
  return 0;
}

namespace accord::fuzz {

int FuzzOne(const uint8_t* data, size_t size) {
  static uint64_t run = 0;
  const fs::path dir = StateRoot() / absl::StrCat("run", run++);
  federation::WitnessOptions options;
  options.clock = [] { return kClock; };
  auto witness = federation::Witness::Open(std::make_unique<store::FolderCheckpointStore>(dir),
                                           FixedKeys().self_witness, std::string(kSelfOrigin),
                                           TheDirectory(), options);
  ACCORD_FUZZ_CHECK(witness.ok(), witness.status().ToString());
  std::optional<federation::Observation> observed;
  (*witness)->SetObservationSink([&](const federation::Observation& o) { observed = o; });

  std::map<std::string, Latest> latest;
  for (std::string_view segment :
       Split(AsString(data, size), std::string_view("\0", 1), kMaxRequests)) {
    const std::string body = BodyOf(segment);
    const int expected = ExpectedStatus(body, latest);
    observed.reset();
    const federation::Witness::Answer answer = (*witness)->AddCheckpoint(body);
    ACCORD_FUZZ_CHECK(answer.status == expected, "answered ", answer.status,
                      " where the spec says ", expected, ": ", answer.body);
    if (observed.has_value()) ACCORD_FUZZ_CHECK(observed->cosigned == (answer.status == 200));
    if (answer.status == 409) {
      auto req = federation::ParseAddCheckpoint(body);
      auto n = note::Parse(req->checkpoint);
      auto cp = note::ParseCheckpoint(n->text);
      auto it = latest.find(cp->origin);
      const uint64_t size = it == latest.end() ? 0 : it->second.checkpoint.size;
      ACCORD_FUZZ_CHECK(answer.body == absl::StrCat(size, "\n"), "409 body ", answer.body);
    }
    if (answer.status != 200) continue;
    auto req = federation::ParseAddCheckpoint(body);
    ACCORD_FUZZ_CHECK(req.ok());
    auto n = note::Parse(req->checkpoint);
    auto cp = note::ParseCheckpoint(n->text);
    auto it = latest.find(cp->origin);
    std::optional<Latest> before;
    if (it != latest.end()) before = it->second;
    CheckCosignature(req->checkpoint, answer.body, before);
    latest[cp->origin] = Latest{*cp};
    auto stored = (*witness)->Latest(cp->origin);
    ACCORD_FUZZ_CHECK(stored.has_value(), "nothing stored after cosigning");
    auto stored_cp = note::ParseCheckpoint(note::Parse(*stored)->text);
    ACCORD_FUZZ_CHECK(
        stored_cp.ok() && stored_cp->size == cp->size && stored_cp->root_hash == cp->root_hash,
        "the stored checkpoint is not the latest cosigned");
  }
  witness->reset();
  std::error_code ec;
  fs::remove_all(dir, ec);
  return 0;
}

}  // namespace accord::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return accord::fuzz::FuzzOne(data, size);
}
