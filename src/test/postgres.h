// A real PostgreSQL server for tests: Debian's postgresql package, a fresh cluster made
// by initdb in a temporary folder, listening on a unix socket in that folder only (no
// TCP), run in the foreground as the test's child so that it dies with the test. Under
// root (CI) the server runs as the `postgres` user, as PostgreSQL requires.
#ifndef ACCORD_TEST_POSTGRES_H_
#define ACCORD_TEST_POSTGRES_H_

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "src/test/process.h"

namespace accord::test {

class PostgresServer {
 public:
  struct Options {
    // Extra server settings, each "name=value" (passed as -c name=value).
    std::vector<std::string> settings;
    // Set ("64m"): the cluster's files live on a tmpfs of this size, mounted in a private
    // mount namespace that only the server's programs enter (nothing on the host is
    // mounted or filled), so that a test can fill PostgreSQL's disk. Needs root (the
    // server runs as the postgres user, which a user namespace could not map):
    // FailedPrecondition otherwise. The socket stays on the host, in dir().
    std::string tmpfs_size;
  };
  // initdb + start; waits until it accepts connections. FailedPrecondition naming the
  // package if PostgreSQL is not installed (scripts/deps installs it).
  static absl::StatusOr<std::unique_ptr<PostgresServer>> Start(Options options = {});
  ~PostgresServer();  // kills the server and removes its folder

  // A libpq connection string for `dbname` on this server.
  std::string ConnInfo(std::string_view dbname = "postgres") const;
  // A streaming replica of `primary` (pg_basebackup, then a standby following it),
  // reporting itself as `name` (its application_name: list it in the primary's
  // synchronous_standby_names to make it synchronous). Waits until it is streaming.
  static absl::StatusOr<std::unique_ptr<PostgresServer>> StartStandby(PostgresServer& primary,
                                                                      std::string_view name);
  // Promotes a standby to a primary (pg_promote), waiting until it accepts writes.
  absl::Status Promote();

  // A new, empty database with a fresh name; its connection string.
  absl::StatusOr<std::string> CreateDatabase();
  // Runs SQL through psql against `dbname`; its standard output.
  absl::StatusOr<std::string> Psql(std::string_view sql, std::string_view dbname = "postgres");

  // SIGKILL of the postmaster (its backends follow), as a crash would.
  void Kill();
  // Starts it again on the same folder (after Kill or Stop), waiting until it is ready.
  absl::Status Restart();
  bool running() const { return server_.has_value(); }
  // Whether the postmaster still runs (it exits by itself after some failures).
  bool alive();
  const std::filesystem::path& dir() const { return dir_; }
  // With tmpfs_size: the tmpfs holding the cluster, as this process sees it (through
  // /proc/<holder>/root), to fill it or free it.
  std::filesystem::path DiskSeenFromHere() const;

 private:
  PostgresServer() = default;
  static absl::StatusOr<std::unique_ptr<PostgresServer>> MakeFolder(Options options);
  absl::Status Launch();
  // Where the cluster's data folder is, as the server's programs see it.
  std::filesystem::path DataDir() const;
  // `argv` as the server's programs run: inside the mount namespace, as postgres.
  std::vector<std::string> Server(std::vector<std::string> argv) const;
  std::filesystem::path dir_;
  Options options_;
  std::optional<ChildProcess> holder_;  // keeps the private mount namespace alive
  std::optional<ChildProcess> server_;
};

// One server for the whole test process, started on first use and killed at exit. Tests
// take a fresh database from it (CreateDatabase), so they do not see each other.
PostgresServer& SharedPostgres();

// The directory of PostgreSQL's server programs (initdb, postgres, psql), or empty.
std::string PostgresBinDir();

}  // namespace accord::test

#endif  // ACCORD_TEST_POSTGRES_H_
