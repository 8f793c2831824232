#include "src/store/backends.h"

#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "src/store/durable_file.h"
#include "src/store/postgres.h"

namespace accord::store {
namespace fs = std::filesystem;

absl::StatusOr<Backends> OpenEmbeddedBackends(const fs::path& data_dir, bool federated) {
  if (absl::Status s = MakeDirsDurably(data_dir); !s.ok()) return s;
  const fs::path log_dir = data_dir / "log";
  std::error_code ec;
  if (fs::is_directory(log_dir, ec)) {
    if (absl::Status s = CheckWritableFolder(log_dir); !s.ok()) {
      return absl::Status(s.code(),
                          absl::StrCat("the data folder cannot be written: ", s.message()));
    }
  }
  Backends b;
  b.log = std::make_unique<PosixLogStorage>(log_dir);
  auto index = OpenSqliteIndex(data_dir / "index.sqlite");
  if (!index.ok()) return index.status();
  b.index = *std::move(index);
  if (!federated) return b;
  b.witness = std::make_unique<FolderCheckpointStore>(data_dir / "witness");
  b.published =
      std::make_unique<FolderCheckpointStore>(data_dir, FolderCheckpointStore::Naming::kPlain);
  const fs::path monitor_path = data_dir / "federation.sqlite";
  auto monitor = OpenSqliteMonitorState(monitor_path);
  if (!monitor.ok()) return monitor.status();
  b.monitor = *std::move(monitor);
  b.monitor_where = monitor_path.string();
  b.bodies = std::make_unique<FolderBodyStorage>(data_dir / "bodies");
  return b;
}

absl::StatusOr<Backends> OpenPostgresBackends(std::string conninfo, const fs::path& data_dir,
                                              bool federated) {
  if (absl::Status s = MakeDirsDurably(data_dir); !s.ok()) return s;
  auto db = PostgresDatabase::Connect(std::move(conninfo));
  if (!db.ok()) return db.status();
  Backends b;
  b.shared = true;
  b.log = (*db)->Log();
  b.index = (*db)->Index();
  if (!federated) return b;
  b.witness = (*db)->Checkpoints("witness");
  b.published = (*db)->Checkpoints("published");
  const fs::path monitor_path = data_dir / "federation.sqlite";
  auto monitor = OpenSqliteMonitorState(monitor_path);
  if (!monitor.ok()) return monitor.status();
  b.monitor = *std::move(monitor);
  b.monitor_where = monitor_path.string();
  b.bodies = (*db)->Bodies();
  return b;
}

absl::StatusOr<Backends> OpenBackends(std::string_view store, const fs::path& data_dir,
                                      bool federated) {
  if (store.empty() || store == "embedded") return OpenEmbeddedBackends(data_dir, federated);
  return OpenPostgresBackends(std::string(store), data_dir, federated);
}

}  // namespace accord::store
