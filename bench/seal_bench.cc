// Seal benchmark: sealing a ≥ 1 GiB pcapng of mixed packet sizes against sha256sum of
// the same file in the same run, peak memory of the sealing process, disclosure of
// 1,000 packets from it and the verification of that disclosure.
//
//   seal_bench [--gib N] [--dir DIR] [--rounds N] [--keep]
//
// The capture is generated in a temporary folder under DIR (default: the system's
// temporary folder) and deleted afterwards unless --keep. Each sealing runs in a fresh
// child process (this program re-executed), so its peak RSS (wait4's ru_maxrss) is the
// sealing's own. Timings are the best of --rounds runs (default 2), page cache warm for
// both sha256sum and seal. Not a test: it prints figures and ratios and never fails on
// them.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/log/log.h"
#include "src/note/keys.h"
#include "src/seal/pcapng_writer.h"
#include "src/seal/seal.h"
#include "src/store/log_storage.h"
#include "src/util/encoding.h"

namespace {

namespace fs = std::filesystem;
using accord::seal::PcapngEncoder;
using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// A pcapng of `bytes` or a little more: Ethernet (and every 16th packet raw IP) UDP and
// TCP-sized frames of mixed sizes — a third small (60–128 B), a third medium (300–700 B),
// a third full-size (1400–1514 B) — with ns timestamps 10 µs apart.
uint64_t WriteCapture(const std::string& path, uint64_t bytes) {
  PcapngEncoder e(false);
  const accord::seal::PcapngOption ns[] = {accord::seal::U8Option(9, 9)};
  std::string out =
      e.SectionHeader() + e.InterfaceDescription(1, 0, ns) + e.InterfaceDescription(101, 0, ns);
  std::vector<uint8_t> noise(1 << 16);
  std::mt19937_64 rng(42);
  for (auto& b : noise) b = static_cast<uint8_t>(rng());
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  uint64_t written = 0, packets = 0;
  while (written < bytes) {
    const uint64_t r = rng();
    const size_t size = r % 3 == 0 ? 60 + r % 69 : r % 3 == 1 ? 300 + r % 401 : 1400 + r % 115;
    const bool raw = packets % 16 == 15;
    std::vector<uint8_t> frame(
        noise.begin() + static_cast<long>((r >> 20) % (noise.size() - 1514)),
        noise.begin() + static_cast<long>((r >> 20) % (noise.size() - 1514) + size));
    const uint8_t ip_off = raw ? 0 : 14;
    if (!raw) frame[12] = 0x08, frame[13] = 0x00;
    frame[ip_off] = 0x45;
    frame[ip_off + 9] = r & 1 ? 17 : 6;
    out += e.EnhancedPacket(raw ? 1 : 0, 1'700'000'000'000'000'000ull + packets * 10'000,
                            static_cast<uint32_t>(size), frame);
    ++packets;
    if (out.size() >= (8 << 20)) {
      f.write(out.data(), static_cast<std::streamsize>(out.size()));
      written += out.size();
      out.clear();
    }
  }
  f.write(out.data(), static_cast<std::streamsize>(out.size()));
  return packets;
}

// Reads the file once so that every measurement starts from a warm page cache.
void Warm(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::vector<char> buf(8 << 20);
  while (f.read(buf.data(), static_cast<std::streamsize>(buf.size())) || f.gcount() > 0) {
  }
}

struct Child {
  double seconds = 0;
  long max_rss_kib = 0;
  std::string out;
};

// Runs `argv` as a child process; its wall time, peak RSS and standard output.
Child RunChild(const std::vector<std::string>& argv) {
  int pipefd[2];
  if (pipe(pipefd) != 0) std::abort();
  const auto start = Clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(pipefd[1], STDOUT_FILENO);
    close(pipefd[0]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(pipefd[1]);
  Child c;
  char buf[4096];
  for (ssize_t n; (n = read(pipefd[0], buf, sizeof buf)) > 0;)
    c.out.append(buf, static_cast<size_t>(n));
  close(pipefd[0]);
  int status = 0;
  struct rusage usage {};
  wait4(pid, &status, 0, &usage);
  c.seconds = Since(start);
  c.max_rss_kib = usage.ru_maxrss;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "seal_bench: %s failed: %s\n", argv[0].c_str(), c.out.c_str());
    std::exit(1);
  }
  return c;
}

// --child-seal CAPTURE KEYFILE STATEMENT_OUT [one-thread]: seals, prints the seconds.
int ChildSeal(char** argv, bool two_threads) {
  std::ifstream kf(argv[3]);
  std::string skey;
  std::getline(kf, skey);
  auto signer = accord::note::NewSigner(skey);
  if (!signer.ok()) return 2;
  accord::seal::SealRequest req;
  req.capture_path = argv[2];
  req.build.two_threads = two_threads;
  const auto start = Clock::now();
  auto r = accord::seal::Seal(req, *signer);
  const double seconds = Since(start);
  if (!r.ok()) {
    std::printf("%s\n", r.status().ToString().c_str());
    return 1;
  }
  std::ofstream(argv[4], std::ios::binary) << r->statement;
  std::printf("%.6f %s\n", seconds, accord::util::HexEncode(r->built.tree.capture_sha256).c_str());
  return 0;
}

template <typename F>
double Best(int rounds, F f) {
  double best = 1e30;
  for (int i = 0; i < rounds; ++i) best = std::min(best, f());
  return best;
}

struct Options {
  double gib = 1.0;
  int rounds = 2;
  bool keep = false;
  std::string base = fs::temp_directory_path().string();
};

bool ParseOptions(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--gib" && i + 1 < argc) {
      o.gib = std::atof(argv[++i]);
    } else if (a == "--dir" && i + 1 < argc) {
      o.base = argv[++i];
    } else if (a == "--rounds" && i + 1 < argc) {
      o.rounds = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--keep") {
      o.keep = true;
    } else {
      return false;
    }
  }
  return true;
}

// The files of one run, in its temporary folder.
struct Run {
  fs::path dir;
  std::string capture, key_file, statement, disclosure;
  accord::note::KeyPair key;
  uint64_t packets = 0, bytes = 0;
};

struct Figures {
  double sha256sum = 0, openssl = 0, seal_two = 0, seal_one = 0, disclose = 0, verify = 0;
  long rss_two = 0, rss_one = 0;
  std::string sha256sum_out, seal_out;
  accord::seal::DiscloseResult disclosed;
};

void MeasureHashesAndSeal(const Run& run, int rounds, Figures& f) {
  f.sha256sum = Best(rounds, [&] {
    Child c = RunChild({"sha256sum", run.capture});
    f.sha256sum_out = c.out;
    return c.seconds;
  });
  f.openssl = Best(rounds, [&] {
    return RunChild({"openssl", "dgst", "-sha256", run.capture}).seconds;
  });
  f.seal_two = Best(rounds, [&] {
    Child c =
        RunChild({"/proc/self/exe", "--child-seal", run.capture, run.key_file, run.statement});
    f.rss_two = std::max(f.rss_two, c.max_rss_kib);
    f.seal_out = c.out;
    return std::atof(c.out.c_str());
  });
  f.seal_one = Best(1, [&] {
    Child c = RunChild(
        {"/proc/self/exe", "--child-seal", run.capture, run.key_file, run.statement, "one-thread"});
    f.rss_one = std::max(f.rss_one, c.max_rss_kib);
    return std::atof(c.out.c_str());
  });
}

// Logs the statement, then discloses 1,000 packets spread over the whole capture and
// verifies the disclosure against the log.
void MeasureDiscloseAndVerify(const Run& run, int rounds, Figures& f) {
  const std::string log_dir = (run.dir / "log").string();
  {
    auto signer = *accord::note::NewSigner(run.key.private_key);
    auto log = *accord::log::Log::Create(std::make_unique<accord::store::PosixLogStorage>(log_dir),
                                         signer);
    std::ifstream sf(run.statement, std::ios::binary);
    const std::string envelope((std::istreambuf_iterator<char>(sf)), {});
    const std::span<const uint8_t> entry[] = {accord::util::AsBytes(envelope)};
    if (!log->Append(entry).ok()) std::exit(1);
  }
  std::mt19937_64 rng(7);
  std::vector<uint64_t> numbers;
  while (numbers.size() < 1000) numbers.push_back(rng() % run.packets);
  std::sort(numbers.begin(), numbers.end());
  numbers.erase(std::unique(numbers.begin(), numbers.end()), numbers.end());
  accord::seal::PacketRanges chosen;
  for (uint64_t n : numbers) chosen.emplace_back(n, n);
  f.disclose = Best(rounds, [&] {
    const auto start = Clock::now();
    auto folder = *accord::seal::OpenLogFolder(log_dir, nullptr);
    accord::seal::EvidenceQuery q;
    q.index = 0;
    accord::seal::DiscloseRequest req;
    req.capture_path = run.capture;
    req.evidence = *accord::seal::ResolveEvidence(*folder, q);
    req.out_path = run.disclosure;
    accord::seal::Selector sel;
    sel.packets = chosen;
    auto r = accord::seal::Disclose(req, sel);
    if (!r.ok()) {
      std::fprintf(stderr, "disclose: %s\n", r.status().ToString().c_str());
      std::exit(1);
    }
    f.disclosed = *r;
    return Since(start);
  });
  auto verifier = *accord::note::NewVerifier(run.key.verifier_key);
  f.verify = Best(rounds, [&] {
    const auto start = Clock::now();
    auto folder = *accord::seal::OpenLogFolder(log_dir, verifier.get());
    auto r = accord::seal::VerifyDisclosure(run.disclosure, *verifier, folder.get());
    if (!r.ok()) {
      std::fprintf(stderr, "verify: %s\n", r.status().ToString().c_str());
      std::exit(1);
    }
    return Since(start);
  });
}

void Print(const Run& run, const Figures& f) {
  const double mb = run.bytes / 1e6;
  const double packets = static_cast<double>(run.packets);
  std::printf("\n%-44s %10s %12s %8s\n", "", "MB/s", "packets/s", "ratio");
  std::printf("%-44s %10.0f %12s %8s\n", "sha256sum (coreutils)", mb / f.sha256sum, "-", "1.00");
  std::printf("%-44s %10.0f %12s %8.2f\n", "openssl dgst -sha256", mb / f.openssl, "-",
              f.sha256sum / f.openssl);
  std::printf("%-44s %10.0f %12.0f %8.2f\n", "seal, two threads (tree + file hash)",
              mb / f.seal_two, packets / f.seal_two, f.sha256sum / f.seal_two);
  std::printf("%-44s %10.0f %12.0f %8.2f\n", "seal, one thread", mb / f.seal_one,
              packets / f.seal_one, f.sha256sum / f.seal_one);
  std::printf("\npeak RSS of the sealing process: %.1f MiB (two threads), %.1f MiB (one)\n",
              f.rss_two / 1024.0, f.rss_one / 1024.0);
  std::printf("disclose 1,000 packets: %.3f s (%llu proof hashes, %llu tiles re-hashed, %s)\n",
              f.disclose, static_cast<unsigned long long>(f.disclosed.proof_hashes),
              static_cast<unsigned long long>(f.disclosed.tiles_rehashed),
              f.disclosed.used_sidecar ? "sidecar" : "no sidecar");
  std::printf("verify that disclosure: %.4f s — %.0f× faster than sealing\n", f.verify,
              f.seal_two / f.verify);
  std::printf("disclosure file: %.1f KiB; sidecar: %.1f KiB\n",
              fs::file_size(run.disclosure) / 1024.0,
              fs::file_size(run.capture + ".accord-tree") / 1024.0);
  const std::string sealed_hash = f.seal_out.substr(f.seal_out.find(' ') + 1, 64);
  std::printf("file SHA-256 from seal %s sha256sum's\n",
              f.sha256sum_out.compare(0, 64, sealed_hash) == 0 ? "equals" : "DIFFERS FROM");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 5 && std::strcmp(argv[1], "--child-seal") == 0) {
    return ChildSeal(argv, !(argc >= 6 && std::strcmp(argv[5], "one-thread") == 0));
  }
  Options o;
  if (!ParseOptions(argc, argv, o)) {
    std::fprintf(stderr, "usage: seal_bench [--gib N] [--dir DIR] [--rounds N] [--keep]\n");
    return 2;
  }
  Run run;
  run.dir = fs::path(o.base) / absl::StrCat("accord-seal-bench-", std::random_device()());
  fs::create_directories(run.dir);
  run.capture = (run.dir / "big.pcapng").string();
  run.key_file = (run.dir / "k.key").string();
  run.statement = (run.dir / "ev.json").string();
  run.disclosure = (run.dir / "d.pcapng").string();
  run.key = *accord::note::GenerateKey("bench.example/log");
  std::ofstream(run.key_file) << run.key.private_key << "\n";

  const auto t = Clock::now();
  run.packets = WriteCapture(run.capture, static_cast<uint64_t>(o.gib * (1ull << 30)));
  run.bytes = fs::file_size(run.capture);
  std::printf("generated %s: %.2f GiB, %llu packets (mean %.0f B) in %.1f s\n", run.capture.c_str(),
              run.bytes / double(1ull << 30), static_cast<unsigned long long>(run.packets),
              double(run.bytes) / run.packets, Since(t));
  Warm(run.capture);
  Figures f;
  MeasureHashesAndSeal(run, o.rounds, f);
  MeasureDiscloseAndVerify(run, o.rounds, f);
  Print(run, f);
  if (!o.keep) fs::remove_all(run.dir);
  return 0;
}
