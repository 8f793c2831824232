#include "src/store/body_storage.h"

#include <unistd.h>

#include <algorithm>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "src/crypto/sha256.h"
#include "src/util/encoding.h"

namespace accord::store {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kMagic = "accord-sealed-body/v1\n";

std::string Encode(const BodyCopy& copy) {
  return absl::StrCat(std::string(kMagic), "addressee ", copy.addressee, "\nsha256 ",
                      util::HexEncode(crypto::Sha256(copy.sealed)), "\n\n", copy.sealed);
}

// The sealed bytes of a file named `id`, checked; its addressee into `addressee`.
absl::StatusOr<std::string> Decode(std::string_view file, std::string_view id,
                                   std::string* addressee, const std::string& where) {
  auto corrupt = [&](std::string_view why) {
    return absl::DataLossError(
        absl::StrCat(where, ": damaged sealed body (", std::string(why), ")"));
  };
  if (!file.starts_with(kMagic)) return corrupt("no header");
  file.remove_prefix(kMagic.size());
  const size_t eol = file.find('\n');
  if (eol == std::string_view::npos || !file.starts_with("addressee ")) {
    return corrupt("no addressee");
  }
  const std::string_view origin = file.substr(10, eol - 10);
  if (AddresseeId(origin) != id) return corrupt("wrong addressee");
  file.remove_prefix(eol + 1);
  constexpr std::string_view kSha = "sha256 ";
  const size_t digest_end = kSha.size() + 2 * crypto::kSha256Size;
  if (!file.starts_with(kSha) || file.size() < digest_end + 2 ||
      file.substr(digest_end, 2) != "\n\n") {
    return corrupt("no digest");
  }
  const std::string_view digest = file.substr(kSha.size(), 2 * crypto::kSha256Size);
  const std::string_view sealed = file.substr(digest_end + 2);
  if (util::HexEncode(crypto::Sha256(sealed)) != digest) return corrupt("digest mismatch");
  if (addressee != nullptr) *addressee = std::string(origin);
  return std::string(sealed);
}

absl::Status CheckCommitment(std::string_view commitment) {
  if (!IsHexDigest(commitment)) {
    return absl::InvalidArgumentError("a commitment is 64 lower-case hex digits");
  }
  return absl::OkStatus();
}

}  // namespace

std::string AddresseeId(std::string_view addressee) {
  return util::HexEncode(crypto::Sha256(addressee));
}

bool IsHexDigest(std::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

FolderBodyStorage::FolderBodyStorage(fs::path dir, FaultInjector fault, Durability durability)
    : dir_(std::move(dir)), fault_(std::move(fault)), durability_(durability) {}

absl::Status FolderBodyStorage::Put(std::string_view commitment, std::span<const BodyCopy> copies) {
  if (auto s = CheckCommitment(commitment); !s.ok()) return s;
  // FileWrite borrows its data: the encoded files live until the write returns.
  std::vector<std::string> encoded;
  encoded.reserve(copies.size());
  std::vector<FileWrite> files;
  const fs::path folder = dir_ / std::string(commitment);
  for (const BodyCopy& c : copies) {
    encoded.push_back(Encode(c));
    files.push_back({folder / AddresseeId(c.addressee), encoded.back(), 0600});
  }
  std::error_code ec;
  const bool new_folder = !fs::exists(folder, ec);
  absl::Status s = WriteFilesDurably(files, durability_, fault_);
  if (!s.ok()) {
    // A failed write removes its temporary files; the folder it made for them goes too
    // (rmdir: only if empty), so a refused body leaves nothing behind.
    if (new_folder) ::rmdir(folder.c_str());
    return absl::Status(
        s.code(), absl::StrCat("cannot store body ", std::string(commitment), ": ", s.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> FolderBodyStorage::Get(std::string_view commitment,
                                                                  std::string_view addressee) {
  if (auto s = CheckCommitment(commitment); !s.ok()) return s;
  const std::string id = AddresseeId(addressee);
  const fs::path path = dir_ / std::string(commitment) / id;
  auto file = ReadWholeFile(path);
  if (!file.ok()) {
    if (absl::IsNotFound(file.status())) return std::optional<std::string>();
    return file.status();
  }
  auto sealed = Decode(*file, id, nullptr, path.string());
  if (!sealed.ok()) return sealed.status();
  return std::optional<std::string>(*std::move(sealed));
}

absl::StatusOr<std::vector<std::string>> FolderBodyStorage::Addressees(
    std::string_view commitment) {
  if (auto s = CheckCommitment(commitment); !s.ok()) return s;
  std::vector<std::string> out;
  const fs::path folder = dir_ / std::string(commitment);
  std::error_code ec;
  fs::directory_iterator it(folder, ec);
  if (ec == std::errc::no_such_file_or_directory) return out;
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    // Temporary files of an interrupted write start with '.'; skip them.
    if (!IsHexDigest(name)) continue;
    auto file = ReadWholeFile(it->path());
    if (!file.ok()) return file.status();
    std::string origin;
    auto sealed = Decode(*file, name, &origin, it->path().string());
    if (!sealed.ok()) return sealed.status();
    out.push_back(std::move(origin));
  }
  if (ec)
    return absl::InternalError(absl::StrCat("cannot list ", folder.string(), ": ", ec.message()));
  std::sort(out.begin(), out.end());
  return out;
}

absl::StatusOr<std::vector<std::string>> FolderBodyStorage::Commitments() {
  std::vector<std::string> out;
  std::error_code ec;
  fs::directory_iterator it(dir_, ec);
  if (ec == std::errc::no_such_file_or_directory) return out;
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!IsHexDigest(name)) continue;
    // A folder counts once it holds a copy (not just an interrupted write's temporary).
    std::error_code ec2;
    for (fs::directory_iterator f(it->path(), ec2); !ec2 && f != fs::directory_iterator();
         f.increment(ec2)) {
      if (IsHexDigest(f->path().filename().string())) {
        out.push_back(name);
        break;
      }
    }
    if (ec2) {
      return absl::InternalError(
          absl::StrCat("cannot list ", it->path().string(), ": ", ec2.message()));
    }
  }
  if (ec)
    return absl::InternalError(absl::StrCat("cannot list ", dir_.string(), ": ", ec.message()));
  std::sort(out.begin(), out.end());
  return out;
}

absl::Status MemoryBodyStorage::Put(std::string_view commitment, std::span<const BodyCopy> copies) {
  if (auto s = CheckCommitment(commitment); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  for (const BodyCopy& c : copies) {
    const bool fail = writes_ == fail_at_;
    if (!fail || fail_mode_ == FailMode::kFailAndPersist) {
      copies_[{std::string(commitment), c.addressee}] = c.sealed;
      ++writes_;
    }
    if (fail) {
      fail_at_ = -1;
      return absl::InternalError(
          absl::StrCat("memory: injected failure storing a copy for ", c.addressee));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> MemoryBodyStorage::Get(std::string_view commitment,
                                                                  std::string_view addressee) {
  if (auto s = CheckCommitment(commitment); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  auto it = copies_.find({std::string(commitment), std::string(addressee)});
  if (it == copies_.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

absl::StatusOr<std::vector<std::string>> MemoryBodyStorage::Addressees(
    std::string_view commitment) {
  if (auto s = CheckCommitment(commitment); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  std::vector<std::string> out;
  for (auto it = copies_.lower_bound({std::string(commitment), ""});
       it != copies_.end() && it->first.first == commitment; ++it) {
    out.push_back(it->first.second);
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> MemoryBodyStorage::Commitments() {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> out;
  for (const auto& [key, _] : copies_) {
    if (out.empty() || out.back() != key.first) out.push_back(key.first);
  }
  return out;
}

void MemoryBodyStorage::FailAfter(int n, FailMode mode) {
  absl::MutexLock lock(&mu_);
  fail_at_ = writes_ + n;
  fail_mode_ = mode;
}

}  // namespace accord::store
