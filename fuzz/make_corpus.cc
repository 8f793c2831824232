// Writes the seed corpus of every fuzz target: small valid inputs made with accord's own
// writers and the fixed keys of fuzz_support.h (so signatures in the seeds verify in
// the targets), plus the statement examples of docs/examples/. Usage:
//
//   fuzz_make_corpus <corpus folder>      (scripts/fuzz --make-corpus: fuzz/corpus)
//
// Each seed is fuzz/corpus/<target>/<name>. Most seeds are deterministic; the sealed
// bodies (random ephemeral keys) and the disclosures (sealing time) differ per run.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "fuzz/fuzz_support.h"
#include "nlohmann/json.hpp"
#include "src/casework/confidential.h"
#include "src/federation/directory.h"
#include "src/federation/witness.h"
#include "src/http/message.h"
#include "src/http/signature.h"
#include "src/log/log.h"
#include "src/log/proof_json.h"
#include "src/note/checkpoint.h"
#include "src/note/cosignature.h"
#include "src/note/note.h"
#include "src/seal/evidence_log.h"
#include "src/seal/pcapng_writer.h"
#include "src/seal/seal.h"
#include "src/seal/select.h"
#include "src/seal/sidecar.h"
#include "src/seal/testing.h"
#include "src/statement/statement.h"
#include "src/store/log_storage.h"
#include "src/tlog/proof.h"
#include "src/tlog/tile.h"
#include "src/util/encoding.h"

namespace accord::fuzz {
namespace {

namespace fs = std::filesystem;
using tlog::Hash;

fs::path g_out;

[[noreturn]] void Die(std::string_view what) {
  std::fprintf(stderr, "fuzz_make_corpus: %.*s\n", static_cast<int>(what.size()), what.data());
  std::exit(1);
}

template <typename T>
T Must(absl::StatusOr<T> v, const std::string& what) {
  if (!v.ok()) Die(absl::StrCat(what, ": ", v.status().ToString()));
  return *std::move(v);
}

void Must(const absl::Status& s, const std::string& what) {
  if (!s.ok()) Die(absl::StrCat(what, ": ", s.ToString()));
}

void Seed(std::string_view target, std::string_view name, std::string_view bytes) {
  const fs::path dir = g_out / std::string(target);
  fs::create_directories(dir);
  std::ofstream f(dir / std::string(name), std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!f) Die(absl::StrCat("cannot write ", (dir / std::string(name)).string()));
}

std::string ReadFile(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) Die(absl::StrCat("cannot read ", path.string()));
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

MemoryTree& Tree() {
  static MemoryTree* tree = new MemoryTree(FixedLeaves(64));
  return *tree;
}

note::Checkpoint CheckpointOf(std::string_view origin, uint64_t size) {
  note::Checkpoint cp;
  cp.origin = std::string(origin);
  cp.size = size;
  cp.root_hash = Tree().Root(size);
  return cp;
}

std::string SignedCheckpoint(const note::Checkpoint& cp, const note::Ed25519Signer& signer) {
  return Must(note::SignCheckpoint(cp, signer), "SignCheckpoint");
}

std::string Cosigned(const note::Checkpoint& cp, const note::Ed25519Signer& signer,
                     std::initializer_list<const note::CosignatureV1Signer*> witnesses) {
  std::string out = SignedCheckpoint(cp, signer);
  for (const auto* w : witnesses) {
    out += Must(note::Cosign(note::FormatCheckpoint(cp), *w, 1'700'000'000), "Cosign");
  }
  return out;
}

std::string Lines(const std::vector<Hash>& hashes) {
  std::string out;
  for (const Hash& h : hashes) absl::StrAppend(&out, util::Base64Encode(h), "\n");
  return out;
}

void NoteSeeds() {
  const Keys& k = FixedKeys();
  const note::Checkpoint cp = CheckpointOf(kLogOrigin, 5);
  Seed("note", "checkpoint-cosigned", Cosigned(cp, k.log, {&k.log_witness, &k.peer_witness}));
  Seed("note", "checkpoint-text", note::FormatCheckpoint(cp));
  note::Checkpoint ext = CheckpointOf(kLogOrigin, 17);
  ext.extensions = {"extension one", "— not a signature"};
  Seed("note", "checkpoint-extensions", SignedCheckpoint(ext, k.log));
  const note::Signer* two[] = {&k.log, &k.peer};
  Seed("note", "note-two-signers",
       Must(note::Sign("a free text\n\nwith a blank line, ünïcödé\n", two), "Sign"));
  Seed("note", "vkey-log", k.log.VerifierKeyString());
  Seed("note", "vkey-witness", k.log_witness.VerifierKeyString());
  Seed(
      "note", "skey-log",
      Must(note::GenerateKeyFromSeed(kLogOrigin, FixedSeed(1)), "GenerateKeyFromSeed").private_key);
}

void TileSeeds() {
  const auto leaves = FixedLeaves(17);
  Seed("tile", "hash-partial",
       absl::StrCat("tile/0/x001/234.p/17\n", tlog::EncodeHashTile(leaves)));
  Seed("tile", "hash-level1",
       absl::StrCat("tile/1/000.p/2\n", tlog::EncodeHashTile(std::span(leaves).first(2))));
  std::string bundle;
  for (int i = 0; i < 3; ++i) {
    Must(tlog::AppendBundleEntry(bundle, util::AsBytes(absl::StrCat("entry ", i))), "bundle");
  }
  Seed("tile", "entries-partial", absl::StrCat("tile/entries/000.p/3\n", bundle));
  Seed("tile", "entries-index", absl::StrCat("tile/entries/x123/x456/789.p/3\n", bundle));
}

// An equivocation payload whose two checkpoints the fixed log key really signed.
std::string EquivocationPayload() {
  const Keys& k = FixedKeys();
  note::Checkpoint a = CheckpointOf(kLogOrigin, 9);
  note::Checkpoint b = a;
  b.root_hash = Tree().Root(10);
  nlohmann::ordered_json j = {
      {"kind", "equivocation"},
      {"issuer", std::string(kPeerOrigin)},
      {"issued", "2026-03-20T10:00:00Z"},
      {"origin", std::string(kLogOrigin)},
      {"checkpoints", {SignedCheckpoint(a, k.log), SignedCheckpoint(b, k.log)}}};
  return j.dump(2);
}

void StatementSeeds() {
  const Keys& k = FixedKeys();
  std::map<std::string, std::string> payloads;
  for (const auto& e : fs::directory_iterator(fs::path(ACCORD_SOURCE_DIR) / "docs/examples")) {
    payloads[e.path().stem().string()] = ReadFile(e.path());
  }
  payloads["equivocation-signed"] = EquivocationPayload();
  for (const auto& [name, payload] : payloads) {
    auto kind = statement::ParseKind(nlohmann::json::parse(payload).value("kind", ""));
    if (!kind) Die(absl::StrCat("example ", name, " has no kind"));
    Seed("statement", absl::StrCat("envelope-", name),
         absl::StrCat(std::string(1, '\0'), Must(statement::Sign(*kind, payload, k.log), "Sign")));
    Seed("statement", absl::StrCat("payload-", name), absl::StrCat("\x01", payload));
  }
  Seed("statement", "json-nested",
       "\x02{\"a\":[1,2.5,-3e2,true,false,null,{\"b\":\"\\u00e9\\n\"}]}");
}

// A signed POST as a peer's node sends it (RFC 9421), with a fixed nonce and time.
struct SignedRequest {
  std::string wire, signature_input, signature, content_digest;
};

SignedRequest SignedPost(std::string_view target, std::string_view body) {
  const Keys& k = FixedKeys();
  http::RequestComponents c;
  c.method = "POST";
  c.authority = "node.fuzz.example:8080";
  c.target = std::string(target);
  c.headers.Add("Content-Type", "application/json");
  c.headers.Add("Content-Digest", http::ContentDigestSha256(body));
  http::SignatureParams p;
  p.components = {"@method", "@authority", "@path", "@query", "content-digest"};
  p.created = 1'700'000'000;
  p.expires = 1'700'000'060;
  p.keyid = k.http_keyid;
  p.alg = "ed25519";
  p.nonce = "AAECAwQFBgcICQoLDA0ODw==";
  p.tag = "accord";
  auto fields = Must(http::SignComponents(c, p, "accord", k.http), "SignComponents");
  SignedRequest out;
  out.signature_input = fields.signature_input;
  out.signature = fields.signature;
  out.content_digest = http::ContentDigestSha256(body);
  out.wire =
      absl::StrCat("POST ", std::string(target), " HTTP/1.1\r\nHost: ", c.authority,
                   "\r\nContent-Type: application/json\r\nContent-Digest: ", out.content_digest,
                   "\r\nSignature-Input: ", out.signature_input, "\r\nSignature: ", out.signature,
                   "\r\nContent-Length: ", body.size(), "\r\n\r\n", std::string(body));
  return out;
}

void HttpSeeds() {
  const SignedRequest post = SignedPost("/v1/statements?dry_run=1", "{\"payload\":\"e30=\"}");
  Seed("http_request", "signed-post", post.wire);
  Seed("http_request", "pipelined-gets",
       "GET /checkpoint HTTP/1.1\r\nHost: a.example\r\n\r\n"
       "GET /tile/0/x001/234.p/17 HTTP/1.1\r\nHost: a.example\r\nAccept: */*\r\n\r\n"
       "GET /v1/statements/5?kind=claim&x=%C3%A9+y HTTP/1.1\r\nHost: a.example\r\n"
       "Connection: close\r\n\r\n");
  Seed("http_request", "chunked-expect",
       "POST /add-checkpoint HTTP/1.1\r\nHost: b.example\r\nTransfer-Encoding: chunked\r\n"
       "Expect: 100-continue\r\n\r\n5\r\nold 0\r\n1\r\n\n\r\n0\r\n\r\n");
  Seed("http_request", "absolute-form-http10",
       "PUT http://c.example/v1/bodies/00ff HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc");
  Seed("http_fields", "signature",
       absl::StrCat(post.signature_input, "\n", post.signature, "\n", post.content_digest));
  Seed("http_fields", "target",
       absl::StrCat(post.signature_input, "\n", post.signature,
                    "\n/v1/cases/a%2Fb?x=1&y=%C3%A9+z&&flag"));
  Seed("http_fields", "url",
       "accord=(\"@method\");created=1\naccord=:AA==:\nhttp://[::1]:8080/api/");
  Seed("http_fields", "digest",
       "x\nsig=:AA==:, accord=:AAAA:;p=?1\nsha-256=:LCa0a2j/xo/5m0U8HTBBNBNCLXBkg7+g+YpeiGJm564=:, "
       "sha-512=:AA==:");
}

void CaptureSeeds() {
  using seal::testing::kLinkEthernet;
  using seal::testing::kLinkRaw;
  for (bool big : {false, true}) {
    seal::testing::PcapWriter w(big ? kLinkRaw : kLinkEthernet, big, big, 96);
    for (int i = 0; i < 4; ++i) {
      auto f = seal::testing::UdpFrame(big ? kLinkRaw : kLinkEthernet, 60 + 20 * i, 1, 2, 1000, 53,
                                       static_cast<uint32_t>(i));
      const uint32_t orig = static_cast<uint32_t>(f.size());
      if (f.size() > 96) f.resize(96);
      w.Add(1700000000'000000000ull + uint64_t(i) * 999'999'999ull, orig, f);
    }
    Seed("capture", big ? "pcap-be-ns" : "pcap-le-us", w.bytes());
  }
  // pcapng: options, two interfaces of different resolutions, EPB, SPB, custom blocks,
  // then a big-endian second section.
  std::string out;
  {
    seal::PcapngEncoder e(false);
    const seal::PcapngOption shb[] = {seal::TextOption(2, "hw"), seal::TextOption(3, "os"),
                                      seal::TextOption(4, "accord fuzz")};
    const seal::PcapngOption idb0[] = {seal::TextOption(2, "eth0"), seal::U8Option(9, 9)};
    seal::PcapngOption offset{14, std::string("\x10\0\0\0\0\0\0\0", 8)};  // if_tsoffset
    const seal::PcapngOption idb1[] = {seal::U8Option(9, 0x94), offset};
    out += e.SectionHeader(shb) + e.InterfaceDescription(kLinkEthernet, 0, idb0) +
           e.InterfaceDescription(kLinkRaw, 64, idb1);
    const auto f = seal::testing::UdpFrame(kLinkEthernet, 70, 1, 2, 1000, 443, 1);
    const auto r = seal::testing::UdpFrame(kLinkRaw, 40, 3, 4, 1001, 53, 2);
    const seal::PcapngOption comment[] = {seal::TextOption(1, "a comment")};
    out += e.EnhancedPacket(0, 1700000000'000000000ull, 70, f, comment);
    out += e.EnhancedPacket(1, 1700000000ull << 20, 40, r);
    std::string spb;
    seal::Put32(spb, 40, false);
    spb.append(reinterpret_cast<const char*>(r.data()), r.size());
    out += e.Block(seal::kSimplePacketBlock, spb);
    out += e.Custom(seal::kCustomBlockCopyable, 32473, "someone else's data");
  }
  {
    seal::PcapngEncoder e(true);
    out += e.SectionHeader() + e.InterfaceDescription(kLinkRaw, 0);
    const auto r = seal::testing::UdpFrame(kLinkRaw, 30, 5, 6, 7, 8, 3);
    out += e.EnhancedPacket(0, 1700000001'000000ull, 30, r);
  }
  Seed("capture", "pcapng-mixed", out);
}

// Seals SealedCapture() with the fixed log key into a log in a temporary folder and
// discloses a few packets: the disclosure and sidecar seeds.
void SealSeeds() {
  const Keys& k = FixedKeys();
  const fs::path tmp = fs::temp_directory_path() / "accord-fuzz-make-corpus";
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  const std::string capture_path = (tmp / "capture.pcapng").string();
  seal::testing::WriteFile(capture_path, SealedCapture());
  auto log = Must(log::Log::Create(std::make_unique<store::PosixLogStorage>(tmp / "log"), k.log),
                  "Log::Create");
  seal::SealRequest req;
  req.capture_path = capture_path;
  req.custody.collector_name = "fuzz";
  req.custody.sensor = "tap-01";
  req.custody.issued = absl::FromUnixSeconds(1'700'000'000);
  req.custody.file_name = "capture.pcapng";
  auto sealed = Must(seal::Seal(req, k.log), "Seal");
  // Some entries before it, so its inclusion proof is not empty.
  for (int i = 0; i < 5; ++i) {
    const std::string entry = absl::StrCat("entry ", i);
    const std::span<const uint8_t> one[] = {util::AsBytes(entry)};
    Must(log->Append(one).status(), "Append");
  }
  const std::span<const uint8_t> entry[] = {util::AsBytes(sealed.statement)};
  Must(log->Append(entry).status(), "Append");
  Seed("sidecar", "sealed-capture",
       absl::StrCat(std::string(1, '\0'), seal::testing::ReadFile(sealed.sidecar_path)));
  const std::string sidecar = seal::EncodeSidecar(sealed.built.tree);
  Seed("sidecar", "sealed-capture-body",
       absl::StrCat("\x01", sidecar.substr(seal::kSidecarMagic.size(),
                                           sidecar.size() - seal::kSidecarMagic.size() - 32)));

  auto folder = Must(seal::OpenLogFolder((tmp / "log").string(), nullptr), "OpenLogFolder");
  seal::EvidenceQuery q;
  q.statement = sealed.statement;
  const seal::EvidenceRecord evidence = Must(seal::ResolveEvidence(*folder, q), "ResolveEvidence");
  for (const auto& [name, list] : std::vector<std::pair<std::string, std::string>>{
           {"disclosure-few", "2,4,258,300"}, {"disclosure-one", "7"}}) {
    seal::Selector selector;
    selector.packets = Must(seal::ParsePacketList(list), "ParsePacketList");
    seal::DiscloseRequest d;
    d.capture_path = capture_path;
    d.evidence = evidence;
    d.out_path = (tmp / name).string();
    Must(seal::Disclose(d, selector).status(), "Disclose");
    const std::string file = seal::testing::ReadFile(d.out_path);
    auto report = seal::VerifyDisclosure(d.out_path, *k.log_verifier, nullptr);
    Must(report.status(), "VerifyDisclosure of a seed");
    Seed("disclosure", name, file);
  }
  fs::remove_all(tmp);
}

void DirectorySeeds() {
  const Keys& k = FixedKeys();
  const casework::BoxKeyPair box = Must(casework::BoxKeyPair::FromSecret(k.box_secret), "box");
  nlohmann::ordered_json j = {
      {"accord_directory", 1},
      {"witness_quorum", 1},
      {"parties",
       {{{"name", "Log party"},
         {"origin", std::string(kLogOrigin)},
         {"log_key", k.log.VerifierKeyString()},
         {"url", "http://127.0.0.1:8001"},
         {"witness", {{"key", k.log_witness.VerifierKeyString()}, {"url", "http://[::1]:8001/w"}}},
         {"box_key", casework::FormatBoxPublicKey(box.public_key())},
         {"contact",
          {{"team", "duty"},
           {"email", "duty@log.fuzz.example"},
           {"phone", "+0"},
           {"hours", "24/7"}}}},
        {{"name", "Peer"},
         {"origin", std::string(kPeerOrigin)},
         {"log_key", k.peer.VerifierKeyString()},
         {"url", "https://peer.fuzz.example"},
         {"witness", {{"key", k.peer_witness.VerifierKeyString()}}}},
        {{"name", "Self"},
         {"origin", std::string(kSelfOrigin)},
         {"log_key", k.self.VerifierKeyString()},
         {"url", "http://self.fuzz.example:80"}}}}};
  Seed("directory", "three-parties", j.dump(2));
  Seed("directory", "minimal",
       absl::StrCat(R"({"accord_directory":1,"parties":[{"name":"x","origin":")",
                    std::string(kLogOrigin), R"(","log_key":")", k.log.VerifierKeyString(),
                    R"(","url":"http://a"}]})"));
}

// "S" bodies: the harness signs the checkpoint text after the empty line.
std::string SBody(uint64_t old_size, uint64_t size, std::string_view origin = kLogOrigin) {
  std::vector<Hash> proof;
  if (old_size > 0 && old_size < size) {
    proof = Must(tlog::ConsistencyProof(old_size, size, Tree()), "ConsistencyProof");
  }
  return absl::StrCat("Sold ", old_size, "\n", Lines(proof), "\n",
                      note::FormatCheckpoint(CheckpointOf(origin, size)));
}

void WitnessSeeds() {
  const Keys& k = FixedKeys();
  const std::string nul(1, '\0');
  Seed("witness", "grow",
       absl::StrJoin({SBody(0, 5), SBody(5, 17), SBody(17, 40), SBody(40, 40), SBody(5, 64)}, nul));
  note::Checkpoint forked = CheckpointOf(kLogOrigin, 17);
  forked.root_hash = Tree().Root(16);
  Seed("witness", "fork",
       absl::StrJoin(
           {SBody(0, 17), absl::StrCat("Sold 17\n\n", note::FormatCheckpoint(forked)),
            SBody(17, 64, kPeerOrigin), SBody(0, 3, kPeerOrigin), SBody(3, 9, kSelfOrigin)},
           nul));
  // Raw bodies, signed and cosigned as a log sends them.
  const std::string raw =
      absl::StrCat("Rold 0\n\n", Cosigned(CheckpointOf(kPeerOrigin, 32), k.peer, {&k.log_witness}));
  const std::string raw2 =
      absl::StrCat("Rold 32\n", Lines(Must(tlog::ConsistencyProof(32, 33, Tree()), "p")), "\n",
                   SignedCheckpoint(CheckpointOf(kPeerOrigin, 33), k.peer));
  Seed("witness", "raw", absl::StrJoin({raw, raw2}, nul));
}

void ProofSeeds() {
  const Keys& k = FixedKeys();
  MemoryTree& tree = Tree();
  for (const auto& [index, size] :
       std::vector<std::pair<uint64_t, uint64_t>>{{3, 17}, {3, 64}, {16, 17}, {0, 1}}) {
    log::InclusionProofDoc p;
    p.index = index;
    p.tree_size = size;
    p.leaf_hash = *tree.ReadNode(0, index);
    p.root_hash = tree.Root(size);
    p.hashes = Must(tlog::InclusionProof(index, size, tree), "InclusionProof");
    p.checkpoint = SignedCheckpoint(CheckpointOf(kLogOrigin, size), k.log);
    Seed("proof", absl::StrCat("inclusion-", index, "-", size),
         absl::StrCat(std::string(1, '\0'), log::ProofToJson(p)));
  }
  for (const auto& [m, n] :
       std::vector<std::pair<uint64_t, uint64_t>>{{5, 17}, {32, 64}, {7, 7}, {1, 3}}) {
    log::ConsistencyProofDoc c;
    c.old_size = m;
    c.new_size = n;
    c.old_root = tree.Root(m);
    c.new_root = tree.Root(n);
    if (m < n) c.hashes = Must(tlog::ConsistencyProof(m, n, tree), "ConsistencyProof");
    c.checkpoint = SignedCheckpoint(CheckpointOf(kLogOrigin, n), k.log);
    Seed("proof", absl::StrCat("consistency-", m, "-", n),
         absl::StrCat(std::string(1, '\0'), log::ProofToJson(c)));
  }
  for (uint64_t size : {4, 17, 64}) {
    nlohmann::ordered_json proof = nlohmann::ordered_json::array();
    for (const Hash& h : Must(tlog::InclusionProof(3, size, tree), "InclusionProof")) {
      proof.push_back(util::Base64Encode(h));
    }
    nlohmann::ordered_json r = {
        {"index", 3},
        {"leaf_hash", util::Base64Encode(*tree.ReadNode(0, 3))},
        {"duplicate", size == 64},
        {"tree_size", size},
        {"checkpoint", SignedCheckpoint(CheckpointOf(kLogOrigin, size), k.log)},
        {"inclusion_proof", proof}};
    Seed("proof", absl::StrCat("receipt-", size), absl::StrCat("\x01", r.dump()));
  }
}

void ConfidentialSeeds() {
  const Keys& k = FixedKeys();
  const casework::BoxKeyPair box = Must(casework::BoxKeyPair::FromSecret(k.box_secret), "box");
  casework::Salt salt;
  salt.fill(9);
  const nlohmann::json content = {{"facts", "the intrusion began at 02:14 UTC"},
                                  {"identifiers", {"198.51.100.7", "acct-42"}},
                                  {"legal_basis", {{"article", 29}, {"convention", "budapest"}}},
                                  {"n", 1.5}};
  const casework::Body body = Must(casework::MakeBodyWithSalt(content, salt), "MakeBody");
  Seed("confidential", "body", absl::StrCat(std::string(1, '\0'), body.plaintext));
  Seed("confidential", "sealed",
       absl::StrCat("\x01", Must(casework::Seal(body.plaintext, box.public_key()), "Seal")));
  Seed("confidential", "box-key",
       absl::StrCat("\x02", casework::FormatBoxPublicKey(box.public_key())));
  Seed("confidential", "seal-here", absl::StrCat("\x03", body.plaintext));
  Seed("confidential", "origin",
       "\x04"
       "cert.example.ee/log/a_b~c");
}

}  // namespace
}  // namespace accord::fuzz

namespace accord::fuzz {

int Main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_make_corpus <corpus folder>\n");
    return 2;
  }
  g_out = argv[1];
  NoteSeeds();
  TileSeeds();
  StatementSeeds();
  HttpSeeds();
  CaptureSeeds();
  SealSeeds();
  DirectorySeeds();
  WitnessSeeds();
  ProofSeeds();
  ConfidentialSeeds();
  std::printf("fuzz_make_corpus: seeds written under %s\n", g_out.c_str());
  return 0;
}

}  // namespace accord::fuzz

int main(int argc, char** argv) { return accord::fuzz::Main(argc, argv); }
