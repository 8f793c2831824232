// Benchmarks of the transparency-log core, with the Go x/mod baseline run in the same
// process tree and reported as a ratio. Run through bench/run (see bench/README.md).
//
//   append      N 256-byte entries in batches of B, in memory (tree + tile encoding)
//               and into a folder with fsync per batch; Go: tlog.StoredHashes + TreeHash
//   proofs      inclusion and consistency generation on a 1M-entry log, and verification
//   checkpoint  sign and open (verify) of a signed checkpoint
//   sha256      256-byte messages through each BatchHasher backend
//
// Entry i is the 8-byte big-endian i repeated 32 times, as in the Go baseline, and the
// roots are compared so both sides provably did the same work.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/log/log.h"
#include "src/note/checkpoint.h"
#include "src/note/keys.h"
#include "src/store/log_storage.h"
#include "src/tlog/proof.h"
#include "src/tlog/tile_reader.h"
#include "src/tlog/tree.h"
#include "src/util/encoding.h"

namespace accord::bench {

// Final root of each append benchmark ("append/<batch>/<entries>"), for the Go check.
std::map<std::string, std::string>& Roots() {
  static auto* roots = new std::map<std::string, std::string>;
  return *roots;
}

namespace {

using tlog::Hash;
namespace fs = std::filesystem;

constexpr size_t kEntrySize = 256;

void FillEntry(uint8_t* e, uint64_t i) {
  for (size_t off = 0; off < kEntrySize; off += 8) {
    for (int b = 0; b < 8; ++b) e[off + b] = static_cast<uint8_t>(i >> (56 - 8 * b));
  }
}

// Entries [from, from+n) in one contiguous buffer with views into it.
struct Batch {
  void Fill(uint64_t from, size_t n) {
    data.resize(n * kEntrySize);
    views.resize(n);
    for (size_t i = 0; i < n; ++i) {
      FillEntry(&data[i * kEntrySize], from + i);
      views[i] = {&data[i * kEntrySize], kEntrySize};
    }
  }
  std::vector<uint8_t> data;
  std::vector<std::span<const uint8_t>> views;
};

// In memory: leaf hashing, the tree, and the tiles it emits encoded into a map (what a
// log writes), appending `entries` in batches of `batch`.
void BM_AppendMemory(benchmark::State& state, crypto::HashBackend backend) {
  if (!crypto::NewBatchHasher(backend).ok()) {
    state.SkipWithError("backend unavailable");
    return;
  }
  const uint64_t batch = state.range(0), entries = state.range(1);
  tlog::TreeHasher hasher(backend);
  Batch b;
  std::vector<Hash> leaves;
  Hash root{};
  for (auto _ : state) {
    tlog::TreeAppender tree;
    std::map<std::string, std::string> tiles;
    for (uint64_t done = 0; done < entries; done += batch) {
      const size_t n = std::min(batch, entries - done);
      b.Fill(done, n);
      leaves.resize(n);
      hasher.LeafHashes(b.views, leaves);
      const tlog::TreeUpdate u = tree.Append(leaves, hasher);
      for (const auto& t : u.tiles) tiles[tlog::TilePath(t.id)] = tlog::EncodeHashTile(t.hashes);
    }
    root = tree.Root();
    benchmark::DoNotOptimize(tiles);
  }
  state.SetItemsProcessed(state.iterations() * entries);
  state.SetLabel(std::string(hasher.BackendName()));
  Roots()[absl::StrCat("append/", batch, "/", entries)] = util::Base64Encode(root);
}

// Measures the time spent in fdatasync/fsync through the storage's fault hook, which
// runs before every syscall step: the time from an fsync step to the next step is the
// fsync itself.
struct FsyncClock {
  using Clock = std::chrono::steady_clock;
  absl::Status OnStep(std::string_view step) {
    const auto now = Clock::now();
    Close(now);
    in_fsync = step == "fsync" || step == "fsync-dir" || step == "syncfs";
    since = now;
    return absl::OkStatus();
  }
  void Close(Clock::time_point now) {
    if (in_fsync) total += now - since;
    in_fsync = false;
  }
  bool in_fsync = false;
  Clock::time_point since;
  Clock::duration total{};
};

// Into a folder through log::Log: bundles, tiles, signed checkpoint, each batch durable.
void BM_AppendFolder(benchmark::State& state, store::Durability durability) {
  const uint64_t batch = state.range(0), entries = state.range(1);
  auto key = *note::GenerateKey("bench.example/log");
  FsyncClock clock;
  std::random_device rd;
  const fs::path dir = fs::current_path() / absl::StrCat("bench-log-", rd());
  Batch b;
  double seconds = 0;
  for (auto _ : state) {
    state.PauseTiming();
    fs::remove_all(dir);
    auto storage = std::make_unique<store::PosixLogStorage>(
        dir,
        store::PosixLogStorage::Options{
            .fault = [&](std::string_view step, const fs::path&) { return clock.OnStep(step); },
            .durability = durability});
    auto log = *log::Log::Create(std::move(storage), *note::NewSigner(key.private_key));
    clock.total = {};
    state.ResumeTiming();
    const auto start = FsyncClock::Clock::now();
    for (uint64_t done = 0; done < entries; done += batch) {
      const size_t n = std::min(batch, entries - done);
      b.Fill(done, n);
      auto r = log->Append(b.views);
      clock.Close(FsyncClock::Clock::now());
      if (!r.ok()) {
        state.SkipWithError(std::string(r.status().message()).c_str());
        break;
      }
    }
    seconds += std::chrono::duration<double>(FsyncClock::Clock::now() - start).count();
    state.PauseTiming();
    state.counters["fsync_share"] =
        std::chrono::duration<double>(clock.total).count() /
        std::chrono::duration<double>(FsyncClock::Clock::now() - start).count();
    fs::remove_all(dir);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * entries);
}

// A 1M-entry log in memory, built once and shared by the proof benchmarks.
struct ProofFixture {
  static ProofFixture& Get() {
    static ProofFixture f;
    return f;
  }
  ProofFixture() {
    auto key = *note::GenerateKey("bench.example/log");
    log = *log::Log::Create(std::make_unique<store::MemoryLogStorage>(),
                            *note::NewSigner(key.private_key));
    Batch b;
    for (uint64_t done = 0; done < kSize; done += 65536) {
      b.Fill(done, 65536);
      (void)log->Append(b.views);
    }
    root = log->checkpoint().root_hash;
  }
  static constexpr uint64_t kSize = 1 << 20;
  std::unique_ptr<log::Log> log;
  Hash root;
};

void BM_InclusionProof(benchmark::State& state) {
  auto& f = ProofFixture::Get();
  std::mt19937_64 rng(1);
  for (auto _ : state) {
    auto p = f.log->InclusionProof(rng() % f.kSize, f.kSize);
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_InclusionVerify(benchmark::State& state) {
  auto& f = ProofFixture::Get();
  const uint64_t index = 777777;
  uint8_t e[kEntrySize];
  FillEntry(e, index);
  const Hash leaf = tlog::LeafHash({e, kEntrySize});
  auto proof = *f.log->InclusionProof(index, f.kSize);
  for (auto _ : state) {
    benchmark::DoNotOptimize(tlog::VerifyInclusion(index, f.kSize, leaf, proof, f.root));
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ConsistencyProof(benchmark::State& state) {
  auto& f = ProofFixture::Get();
  std::mt19937_64 rng(2);
  for (auto _ : state) {
    auto p = f.log->ConsistencyProof(1 + rng() % (f.kSize - 1), f.kSize);
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ConsistencyVerify(benchmark::State& state) {
  auto& f = ProofFixture::Get();
  const uint64_t old_size = 654321;
  const Hash old_root = *f.log->RootHash(old_size);
  auto proof = *f.log->ConsistencyProof(old_size, f.kSize);
  for (auto _ : state) {
    benchmark::DoNotOptimize(tlog::VerifyConsistency(old_size, f.kSize, old_root, f.root, proof));
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_CheckpointSign(benchmark::State& state) {
  auto key = *note::GenerateKey("bench.example/log");
  auto signer = *note::NewSigner(key.private_key);
  note::Checkpoint cp{"bench.example/log", 1 << 20, tlog::EmptyTreeHash(), {}};
  for (auto _ : state) {
    ++cp.size;
    benchmark::DoNotOptimize(note::SignCheckpoint(cp, signer));
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_CheckpointVerify(benchmark::State& state) {
  auto key = *note::GenerateKey("bench.example/log");
  auto verifier = *note::NewVerifier(key.verifier_key);
  const note::Checkpoint cp{"bench.example/log", 1 << 20, tlog::EmptyTreeHash(), {}};
  const std::string signed_cp = *note::SignCheckpoint(cp, *note::NewSigner(key.private_key));
  for (auto _ : state) {
    auto opened = note::OpenCheckpoint(signed_cp, "bench.example/log", *verifier);
    if (!opened.ok()) state.SkipWithError("verify failed");
    benchmark::DoNotOptimize(opened);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Sha256(benchmark::State& state, crypto::HashBackend backend) {
  auto h = crypto::NewBatchHasher(backend);
  if (!h.ok()) {
    state.SkipWithError("backend unavailable");
    return;
  }
  Batch b;
  b.Fill(0, 1024);
  std::vector<crypto::Digest> out(1024);
  for (auto _ : state) (*h)->HashMany(b.views, out);
  state.SetItemsProcessed(state.iterations() * 1024);
  state.SetBytesProcessed(state.iterations() * 1024 * kEntrySize);
  state.SetLabel(std::string((*h)->Name()));
}

constexpr int64_t kEntries = 1 << 20;

BENCHMARK_CAPTURE(BM_Sha256, openssl, crypto::HashBackend::kOpenSsl)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Sha256, ipsec_mb, crypto::HashBackend::kIpsecMb)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_AppendMemory, openssl, crypto::HashBackend::kOpenSsl)
    ->Args({1, kEntries / 4})
    ->Args({64, kEntries})
    ->Args({1024, kEntries})
    ->Iterations(2)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_AppendMemory, ipsec_mb, crypto::HashBackend::kIpsecMb)
    ->Args({1, kEntries / 4})
    ->Args({64, kEntries})
    ->Args({1024, kEntries})
    ->Iterations(2)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_AppendFolder, syncfs, store::Durability::kSyncFilesystem)
    ->Args({1, 2048})
    ->Args({64, 65536})
    ->Args({1024, kEntries})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_AppendFolder, fsync_each, store::Durability::kFsyncEachFile)
    ->Args({1, 2048})
    ->Args({64, 65536})
    ->Args({1024, kEntries})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_InclusionProof)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_InclusionVerify)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ConsistencyProof)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ConsistencyVerify)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CheckpointSign)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CheckpointVerify)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace accord::bench
