#include "src/crypto/sha256.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/status/status.h"

#ifdef ACCORD_HAVE_IPSEC_MB
#include <intel-ipsec-mb.h>
#endif

namespace accord::crypto {
namespace {

// Aborts on a failure that cannot happen unless OpenSSL itself is broken (allocation
// of a digest context, or SHA-256 missing from the default provider).
[[noreturn]] void Fatal(const char* what) {
  std::fprintf(stderr, "accord: fatal: OpenSSL SHA-256: %s\n", what);
  std::abort();
}

// The EVP_MD is fetched once: EVP_sha256() per call pays a provider lookup each time.
const EVP_MD* FetchedSha256() {
  static EVP_MD* md = [] {
    EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (m == nullptr) Fatal("EVP_MD_fetch(SHA256) failed");
    return m;
  }();
  return md;
}

struct EvpMdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, EvpMdCtxDeleter>;

EvpMdCtxPtr NewCtx() {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) Fatal("EVP_MD_CTX_new failed");
  return ctx;
}

void OneShot(EVP_MD_CTX* ctx, std::span<const uint8_t> data, uint8_t* out) {
  unsigned int len = 0;
  if (EVP_DigestInit_ex2(ctx, FetchedSha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, out, &len) != 1 || len != kSha256Size) {
    Fatal("digest failed");
  }
}

EVP_MD_CTX* ThreadCtx() {
  thread_local EvpMdCtxPtr ctx = NewCtx();
  return ctx.get();
}

class OpenSslBatchHasher final : public BatchHasher {
 public:
  void HashMany(std::span<const std::span<const uint8_t>> messages,
                std::span<Digest> out) override {
    for (size_t i = 0; i < messages.size(); ++i) OneShot(ctx_.get(), messages[i], out[i].data());
  }
  std::string_view Name() const override { return "openssl"; }

 private:
  EvpMdCtxPtr ctx_ = NewCtx();
};

#ifdef ACCORD_HAVE_IPSEC_MB
struct MbMgrDeleter {
  void operator()(IMB_MGR* m) const { free_mb_mgr(m); }
};

class IpsecMbBatchHasher final : public BatchHasher {
 public:
  static absl::StatusOr<std::unique_ptr<BatchHasher>> Create() {
    std::unique_ptr<IMB_MGR, MbMgrDeleter> mgr(alloc_mb_mgr(0));
    if (!mgr) return absl::ResourceExhaustedError("libipsec-mb: alloc_mb_mgr failed");
    IMB_ARCH arch = IMB_ARCH_NONE;
    init_mb_mgr_auto(mgr.get(), &arch);
    if (int err = imb_get_errno(mgr.get()); err != 0) {
      return absl::UnavailableError(std::string("libipsec-mb: ") + imb_get_strerror(err));
    }
    // The SSE and AVX managers hash one or two lanes at a time; multi-buffer only pays
    // from AVX2's 8 lanes up.
    const char* name = nullptr;
    switch (arch) {
      case IMB_ARCH_AVX512:
        name = "ipsec-mb/avx512";
        break;
      case IMB_ARCH_AVX2:
        name = "ipsec-mb/avx2";
        break;
      default:
        return absl::UnavailableError("libipsec-mb: CPU lacks AVX2; multi-buffer SHA-256 unused");
    }
    return std::unique_ptr<BatchHasher>(new IpsecMbBatchHasher(std::move(mgr), name));
  }

  void HashMany(std::span<const std::span<const uint8_t>> messages,
                std::span<Digest> out) override {
    if (messages.size() < kMinMultiBuffer) {
      // Too few to fill lanes: the flush would cost as much as a full set of lanes.
      for (size_t i = 0; i < messages.size(); ++i) {
        OneShot(fallback_.get(), messages[i], out[i].data());
      }
      return;
    }
    IMB_MGR* mgr = mgr_.get();
    size_t completed = 0;
    for (size_t i = 0; i < messages.size(); ++i) {
      if (messages[i].size() > kMaxJobBytes) {
        OneShot(fallback_.get(), messages[i], out[i].data());
        ++completed;
        continue;
      }
      IMB_JOB* job = IMB_GET_NEXT_JOB(mgr);
      job->cipher_mode = IMB_CIPHER_NULL;
      job->cipher_direction = IMB_DIR_ENCRYPT;
      job->chain_order = IMB_ORDER_HASH_CIPHER;
      job->hash_alg = IMB_AUTH_SHA_256;
      // The library rejects a null source even for an empty message.
      static constexpr uint8_t kEmpty = 0;
      job->src = messages[i].empty() ? &kEmpty : messages[i].data();
      job->hash_start_src_offset_in_bytes = 0;
      job->msg_len_to_hash_in_bytes = messages[i].size();
      job->auth_tag_output = out[i].data();
      job->auth_tag_output_len_in_bytes = kSha256Size;
      job->user_data = nullptr;
      job = IMB_SUBMIT_JOB(mgr);
      // Jobs come back in submission order, possibly none yet while lanes fill up.
      while (job != nullptr) {
        Check(job);
        ++completed;
        job = IMB_GET_COMPLETED_JOB(mgr);
      }
    }
    for (IMB_JOB* job = IMB_FLUSH_JOB(mgr); job != nullptr; job = IMB_FLUSH_JOB(mgr)) {
      Check(job);
      ++completed;
    }
    if (completed != messages.size()) Fatal("libipsec-mb lost a job");
  }
  std::string_view Name() const override { return name_; }

 private:
  IpsecMbBatchHasher(std::unique_ptr<IMB_MGR, MbMgrDeleter> mgr, const char* name)
      : mgr_(std::move(mgr)), name_(name) {}

  static void Check(const IMB_JOB* job) {
    if (job->status != IMB_STATUS_COMPLETED) {
      std::fprintf(stderr, "accord: fatal: libipsec-mb SHA-256 job status %d\n",
                   static_cast<int>(job->status));
      std::abort();
    }
  }

  // libipsec-mb 1.3 rejects SHA-256 jobs of 65,535 bytes or more (IMB_STATUS_INVALID_ARGS;
  // measured): such messages, e.g. the leaf hash of a maximal 65,535-byte entry, go
  // through OpenSSL instead.
  static constexpr size_t kMaxJobBytes = 65534;
  // Below this many messages OpenSSL (SHA-NI where the CPU has it) is faster than a
  // flushed multi-buffer run (measured with bench/tlog_bench, batch-1 appends).
  static constexpr size_t kMinMultiBuffer = 8;

  std::unique_ptr<IMB_MGR, MbMgrDeleter> mgr_;
  const char* name_;
  EvpMdCtxPtr fallback_ = NewCtx();
};
#endif  // ACCORD_HAVE_IPSEC_MB

}  // namespace

Digest Sha256(std::span<const uint8_t> data) {
  Digest d;
  OneShot(ThreadCtx(), data, d.data());
  return d;
}

Digest Sha256(std::string_view data) {
  return Sha256(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
}

struct Sha256Stream::Ctx {
  EvpMdCtxPtr ctx = NewCtx();
};

Sha256Stream::Sha256Stream() : ctx_(std::make_unique<Ctx>()) { Reset(); }
Sha256Stream::~Sha256Stream() = default;

void Sha256Stream::Reset() {
  if (EVP_DigestInit_ex2(ctx_->ctx.get(), FetchedSha256(), nullptr) != 1) Fatal("init failed");
}

void Sha256Stream::Update(std::span<const uint8_t> data) {
  if (EVP_DigestUpdate(ctx_->ctx.get(), data.data(), data.size()) != 1) Fatal("update failed");
}

void Sha256Stream::Update(std::string_view data) {
  Update(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
}

Digest Sha256Stream::Final() {
  Digest d;
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_->ctx.get(), d.data(), &len) != 1 || len != kSha256Size) {
    Fatal("final failed");
  }
  Reset();
  return d;
}

absl::StatusOr<std::unique_ptr<BatchHasher>> NewBatchHasher(HashBackend backend) {
  switch (backend) {
    case HashBackend::kOpenSsl:
      return std::unique_ptr<BatchHasher>(new OpenSslBatchHasher());
    case HashBackend::kIpsecMb:
#ifdef ACCORD_HAVE_IPSEC_MB
      return IpsecMbBatchHasher::Create();
#else
      return absl::UnavailableError("accord was built without libipsec-mb");
#endif
    case HashBackend::kAuto:
#ifdef ACCORD_HAVE_IPSEC_MB
      if (auto h = IpsecMbBatchHasher::Create(); h.ok()) return h;
#endif
      return std::unique_ptr<BatchHasher>(new OpenSslBatchHasher());
  }
  return absl::InvalidArgumentError("unknown hash backend");
}

}  // namespace accord::crypto
