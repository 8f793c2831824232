#include "src/casework/body_store.h"

#include <unistd.h>

#include <algorithm>
#include <set>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "src/crypto/sha256.h"
#include "src/util/encoding.h"

namespace accord::casework {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kMagic = "accord-sealed-body/v1\n";

std::string Encode(const SealedCopy& copy) {
  return absl::StrCat(std::string(kMagic), "addressee ", copy.addressee, "\nsha256 ",
                      util::HexEncode(crypto::Sha256(copy.sealed)), "\n\n", copy.sealed);
}

// The sealed bytes of a file named `id` in `commitment`'s folder, checked.
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
  std::string_view origin = file.substr(10, eol - 10);
  if (!IsOrigin(origin) || AddresseeId(origin) != id) return corrupt("wrong addressee");
  file.remove_prefix(eol + 1);
  constexpr std::string_view kSha = "sha256 ";
  const size_t digest_end = kSha.size() + 2 * crypto::kSha256Size;
  if (!file.starts_with(kSha) || file.size() < digest_end + 2 ||
      file.substr(digest_end, 2) != "\n\n") {
    return corrupt("no digest");
  }
  const std::string_view digest = file.substr(kSha.size(), 2 * crypto::kSha256Size);
  std::string_view sealed = file.substr(digest_end + 2);
  if (util::HexEncode(crypto::Sha256(sealed)) != digest) return corrupt("digest mismatch");
  if (addressee != nullptr) *addressee = std::string(origin);
  return std::string(sealed);
}

absl::Status CheckCommitment(std::string_view commitment) {
  if (!IsCommitment(commitment)) {
    return absl::InvalidArgumentError("a commitment is 64 lower-case hex digits");
  }
  return absl::OkStatus();
}

}  // namespace

std::string AddresseeId(std::string_view addressee) {
  return util::HexEncode(crypto::Sha256(addressee));
}

BodyStore::BodyStore(fs::path dir, BodyStoreOptions options)
    : dir_(std::move(dir)), options_(std::move(options)) {}

absl::Status BodyStore::Put(std::string_view commitment, std::span<const SealedCopy> copies) {
  if (auto s = CheckCommitment(commitment); !s.ok()) return s;
  if (copies.empty() || copies.size() > kMaxCopiesPerPut) {
    return absl::InvalidArgumentError(
        absl::StrCat("a put stores 1 to ", kMaxCopiesPerPut, " copies, not ", copies.size()));
  }
  std::set<std::string_view> seen;
  for (const SealedCopy& c : copies) {
    if (!IsOrigin(c.addressee)) {
      return absl::InvalidArgumentError("addressee is not a log origin");
    }
    if (!seen.insert(c.addressee).second) {
      return absl::InvalidArgumentError(absl::StrCat("addressee ", c.addressee, " given twice"));
    }
    if (c.sealed.size() <= kSealOverheadBytes || c.sealed.size() > kMaxSealedBytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the copy for ", c.addressee, " is ", c.sealed.size(), " bytes; a sealed body is ",
          kSealOverheadBytes + 1, " to ", kMaxSealedBytes));
    }
  }
  // FileWrite borrows its data: the encoded files live until the write returns.
  std::vector<std::string> encoded;
  encoded.reserve(copies.size());
  std::vector<store::FileWrite> files;
  const fs::path folder = dir_ / std::string(commitment);
  for (const SealedCopy& c : copies) {
    encoded.push_back(Encode(c));
    files.push_back({folder / AddresseeId(c.addressee), encoded.back(), 0600});
  }
  std::error_code ec;
  const bool new_folder = !fs::exists(folder, ec);
  absl::Status s = store::WriteFilesDurably(files, options_.durability, options_.fault);
  if (!s.ok()) {
    // A failed write removes its temporary files; the folder it made for them goes too
    // (rmdir: only if empty), so a refused body leaves nothing behind.
    if (new_folder) ::rmdir(folder.c_str());
    return absl::Status(
        s.code(), absl::StrCat("cannot store body ", std::string(commitment), ": ", s.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> BodyStore::Get(std::string_view commitment,
                                                          std::string_view addressee) const {
  if (auto s = CheckCommitment(commitment); !s.ok()) return s;
  if (!IsOrigin(addressee)) return absl::InvalidArgumentError("addressee is not a log origin");
  const std::string id = AddresseeId(addressee);
  const fs::path path = dir_ / std::string(commitment) / id;
  auto file = store::ReadWholeFile(path);
  if (!file.ok()) {
    if (absl::IsNotFound(file.status())) return std::optional<std::string>();
    return file.status();
  }
  if (file->size() > kMaxSealedBytes + 512) {
    return absl::DataLossError(absl::StrCat(path.string(), ": damaged sealed body (too long)"));
  }
  auto sealed = Decode(*file, id, nullptr, path.string());
  if (!sealed.ok()) return sealed.status();
  return std::optional<std::string>(*std::move(sealed));
}

absl::StatusOr<std::vector<std::string>> BodyStore::Addressees(std::string_view commitment) const {
  if (auto s = CheckCommitment(commitment); !s.ok()) return s;
  std::vector<std::string> out;
  const fs::path folder = dir_ / std::string(commitment);
  std::error_code ec;
  fs::directory_iterator it(folder, ec);
  if (ec == std::errc::no_such_file_or_directory) return out;
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    // Temporary files of an interrupted write start with '.'; skip them.
    if (!IsCommitment(name)) continue;
    auto file = store::ReadWholeFile(it->path());
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

absl::StatusOr<std::vector<std::string>> BodyStore::Commitments() const {
  std::vector<std::string> out;
  std::error_code ec;
  fs::directory_iterator it(dir_, ec);
  if (ec == std::errc::no_such_file_or_directory) return out;
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!IsCommitment(name)) continue;
    // A folder counts once it holds a copy (not just an interrupted write's temporary).
    std::error_code ec2;
    for (fs::directory_iterator f(it->path(), ec2); !ec2 && f != fs::directory_iterator();
         f.increment(ec2)) {
      if (IsCommitment(f->path().filename().string())) {
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

}  // namespace accord::casework
