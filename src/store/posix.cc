#include "src/store/posix.h"

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"

namespace accord::store::internal {

absl::Status PosixError(int err, std::string_view step, const std::filesystem::path& path) {
  std::string msg =
      absl::StrCat("cannot ", std::string(step), " ", path.string(), ": ", std::strerror(err));
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(msg);
    case EACCES:
    case EPERM:
    case EROFS:
      return absl::PermissionDeniedError(msg);
    case ENOSPC:
    case EDQUOT:
      return absl::ResourceExhaustedError(msg);
    default:
      return absl::InternalError(msg);
  }
}

}  // namespace accord::store::internal
