// Split views: two signed checkpoints of one log that cannot both be true, in the form
// an `equivocation` statement carries (docs/schemas/equivocation.v1.json).
#ifndef ACCORD_FEDERATION_EQUIVOCATION_H_
#define ACCORD_FEDERATION_EQUIVOCATION_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/note/keys.h"
#include "src/statement/statement.h"
#include "src/tlog/hash.h"

namespace accord::federation {

struct SplitView {
  std::string origin;
  // Two signed checkpoints (note bytes). Same size: different roots. Different sizes:
  // `old_root` is the root the larger one's history gives the smaller size (≠ the
  // smaller checkpoint's root) and `proof` the RFC 9162 consistency proof from it.
  std::string first, second;
  std::optional<tlog::Hash> old_root;
  std::vector<tlog::Hash> proof;
};

// OK iff the split view is proven: both checkpoints are of `origin`, signed by
// `log_key`, and either have the same size and different roots, or the consistency
// proof verifies from old_root at the smaller size to the larger root while old_root
// differs from the smaller checkpoint's root. InvalidArgument saying what fails.
absl::Status VerifySplitView(const SplitView& view, const note::Verifier& log_key);

// The split view an equivocation statement asserts (not verified).
absl::StatusOr<SplitView> SplitViewOf(const statement::Statement& equivocation);

// The payload of an equivocation statement by `issuer` about `view`, as JSON text.
std::string EquivocationPayload(const SplitView& view, std::string_view issuer,
                                const std::vector<std::string>& to, absl::Time issued,
                                std::string_view note);

}  // namespace accord::federation

#endif  // ACCORD_FEDERATION_EQUIVOCATION_H_
