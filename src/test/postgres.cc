#include "src/test/postgres.h"

#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"

namespace accord::test {
namespace fs = std::filesystem;
namespace {

// Under root, PostgreSQL's programs run as the postgres user (initdb and postgres
// refuse root), dying with the test (setpriv's --pdeathsig survives the uid change,
// which clears the prctl setting ChildProcess makes).
std::vector<std::string> AsServerUser(std::vector<std::string> argv) {
  if (::geteuid() != 0) return argv;
  std::vector<std::string> out = {"/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres",
                                  "--init-groups", "--pdeathsig=KILL"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

// Runs `argv` to its end, its standard error into `log`; its standard output, or an
// error with its exit status and the log's path.
absl::StatusOr<std::string> RunToEnd(const std::vector<std::string>& argv, const fs::path& log) {
  std::vector<std::string> sh = {"/bin/sh", "-c",
                                 absl::StrCat("exec \"$0\" \"$@\" 2>>'", log.string(), "'")};
  sh.insert(sh.end(), argv.begin(), argv.end());
  auto child = ChildProcess::Start(sh);
  if (!child.ok()) return child.status();
  std::string out;
  while (true) {
    auto line = child->ReadLine(absl::Minutes(2));
    if (!line.ok()) break;
    absl::StrAppend(&out, *line, "\n");
  }
  const int status = child->Kill(0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(absl::StrCat("`", absl::StrJoin(argv, " "), "` failed (status ",
                                            status, "); see ", log.string()));
  }
  return out;
}

}  // namespace

std::string PostgresBinDir() {
  std::string best;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const fs::path bin = e.path() / "bin";
    if (::access((bin / "initdb").c_str(), X_OK) == 0 && bin.string() > best) best = bin.string();
  }
  return best;
}

absl::StatusOr<std::unique_ptr<PostgresServer>> PostgresServer::MakeFolder(Options options) {
  if (PostgresBinDir().empty()) {
    return absl::FailedPreconditionError(
        "PostgreSQL is not installed (Debian's postgresql package; scripts/deps installs it)");
  }
  std::unique_ptr<PostgresServer> server(new PostgresServer());
  server->options_ = std::move(options);
  char tmpl[] = "/tmp/accord-pg-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) return absl::InternalError("mkdtemp failed");
  server->dir_ = tmpl;
  if (::geteuid() == 0) {
    const passwd* pw = ::getpwnam("postgres");
    if (pw == nullptr) return absl::FailedPreconditionError("no postgres user to run the server");
    if (::chown(tmpl, pw->pw_uid, pw->pw_gid) != 0) return absl::InternalError("chown failed");
  }
  return server;
}

absl::StatusOr<std::unique_ptr<PostgresServer>> PostgresServer::Start(Options options) {
  auto server = MakeFolder(std::move(options));
  if (!server.ok()) return server.status();
  if (!(*server)->options_.tmpfs_size.empty()) {
    if (::geteuid() != 0) {
      return absl::FailedPreconditionError("a PostgreSQL on a tmpfs needs root (mount, setpriv)");
    }
    const fs::path disk = (*server)->dir_ / "disk";
    fs::create_directories(disk);
    auto holder = ChildProcess::Start(
        {"/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
         absl::StrCat("mount -t tmpfs -o size=", (*server)->options_.tmpfs_size, " tmpfs '",
                      disk.string(), "' && chown postgres:postgres '", disk.string(),
                      "' && echo ready && exec sleep 3600")});
    if (!holder.ok()) return holder.status();
    auto line = holder->ReadLine(absl::Seconds(10));
    if (!line.ok() || *line != "ready") {
      return absl::FailedPreconditionError("cannot mount a tmpfs in a private mount namespace");
    }
    (*server)->holder_.emplace(*std::move(holder));
  }
  const std::string bin = PostgresBinDir();
  auto made =
      RunToEnd((*server)->Server({bin + "/initdb", "-D", (*server)->DataDir().string(), "-A",
                                  "trust", "-U", "accord", "-E", "UTF8", "--no-sync"}),
               (*server)->dir_ / "initdb.log");
  if (!made.ok()) return made.status();
  if (auto s = (*server)->Launch(); !s.ok()) return s;
  return server;
}

absl::StatusOr<std::unique_ptr<PostgresServer>> PostgresServer::StartStandby(
    PostgresServer& primary, std::string_view name) {
  auto server = MakeFolder({});
  if (!server.ok()) return server.status();
  const std::string bin = PostgresBinDir();
  const fs::path data = (*server)->dir_ / "data";
  auto copied =
      RunToEnd(AsServerUser({bin + "/pg_basebackup", "-h", primary.dir_.string(), "-U", "accord",
                             "-D", data.string(), "-R", "-X", "stream", "-c", "fast", "--no-sync"}),
               (*server)->dir_ / "basebackup.log");
  if (!copied.ok()) return copied.status();
  // Who it follows, under which name (later lines of postgresql.auto.conf win).
  auto appended = RunToEnd(
      AsServerUser({"/bin/sh", "-c",
                    absl::StrCat("echo \"primary_conninfo = 'host=", primary.dir_.string(),
                                 " user=accord application_name=", std::string(name), "'\" >> '",
                                 (data / "postgresql.auto.conf").string(), "'")}),
      (*server)->dir_ / "conf.log");
  if (!appended.ok()) return appended.status();
  if (auto s = (*server)->Launch(); !s.ok()) return s;
  // Streaming: the primary lists it.
  for (const absl::Time until = absl::Now() + absl::Seconds(30); absl::Now() < until;) {
    auto state = primary.Psql(
        absl::StrCat("SELECT state FROM pg_stat_replication WHERE application_name = '",
                     std::string(name), "'"));
    if (state.ok() && state->find("streaming") != std::string::npos) return server;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return absl::DeadlineExceededError("the standby did not start streaming");
}

absl::Status PostgresServer::Promote() {
  auto promoted = Psql("SELECT pg_promote(true, 60)");
  if (!promoted.ok()) return promoted.status();
  if (promoted->find('t') == std::string::npos) {
    return absl::InternalError(absl::StrCat("pg_promote answered ", *promoted));
  }
  return absl::OkStatus();
}

absl::Status PostgresServer::Launch() {
  const std::string bin = PostgresBinDir();
  std::vector<std::string> argv = {bin + "/postgres", "-D", DataDir().string(),  "-k",
                                   dir_.string(),     "-c", "listen_addresses=", "-c",
                                   "fsync=on"};
  for (const auto& s : options_.settings) {
    argv.push_back("-c");
    argv.push_back(s);
  }
  argv = Server(argv);
  std::vector<std::string> sh = {
      "/bin/sh", "-c",
      absl::StrCat("exec \"$0\" \"$@\" 2>>'", (dir_ / "server.log").string(), "'")};
  sh.insert(sh.end(), argv.begin(), argv.end());
  // A server killed a moment ago may still have backends holding its shared memory:
  // the new postmaster then refuses to start, so it is tried again for a while.
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (true) {
    auto child = ChildProcess::Start(sh);
    if (!child.ok()) return child.status();
    server_.emplace(*std::move(child));
    const absl::Time ready_by = std::min(deadline, absl::Now() + absl::Seconds(10));
    while (absl::Now() < ready_by) {
      auto ready = RunToEnd({bin + "/pg_isready", "-q", "-h", dir_.string(), "-U", "accord"},
                            dir_ / "isready.log");
      if (ready.ok()) return absl::OkStatus();
      int status = 0;
      if (::waitpid(server_->pid(), &status, WNOHANG) == server_->pid()) break;  // it exited
      absl::SleepFor(absl::Milliseconds(50));
    }
    server_.reset();
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("PostgreSQL did not start; see ", (dir_ / "server.log").string()));
    }
    absl::SleepFor(absl::Milliseconds(200));
  }
}

PostgresServer::~PostgresServer() {
  server_.reset();  // SIGKILL
  holder_.reset();  // the mount namespace goes with its last process
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

fs::path PostgresServer::DataDir() const {
  return holder_ ? dir_ / "disk" / "data" : dir_ / "data";
}

std::vector<std::string> PostgresServer::Server(std::vector<std::string> argv) const {
  argv = AsServerUser(std::move(argv));
  if (holder_) {
    argv.insert(argv.begin(), {"/usr/bin/nsenter", "-t", absl::StrCat(holder_->pid()), "-m", "--"});
  }
  return argv;
}

fs::path PostgresServer::DiskSeenFromHere() const {
  if (!holder_) return dir_ / "data";
  return fs::path(absl::StrCat("/proc/", holder_->pid(), "/root")) /
         (dir_ / "disk").relative_path();
}

bool PostgresServer::alive() {
  if (!server_) return false;
  // Not reaped here (ChildProcess does that): a process that exited is a zombie.
  std::ifstream stat(absl::StrCat("/proc/", server_->pid(), "/stat"));
  std::string pid, comm, state;
  stat >> pid >> comm >> state;
  return stat && state != "Z";
}

std::string PostgresServer::ConnInfo(std::string_view dbname) const {
  return absl::StrCat("host=", dir_.string(), " user=accord dbname=", std::string(dbname),
                      " connect_timeout=5");
}

absl::StatusOr<std::string> PostgresServer::CreateDatabase() {
  static std::atomic<int> next{0};
  const std::string name = absl::StrCat("t", ::getpid(), "_", next++);
  auto made = Psql(absl::StrCat("CREATE DATABASE ", name));
  if (!made.ok()) return made.status();
  return ConnInfo(name);
}

absl::StatusOr<std::string> PostgresServer::Psql(std::string_view sql, std::string_view dbname) {
  return RunToEnd(
      {PostgresBinDir() + "/psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-h",
       dir_.string(), "-U", "accord", "-d", std::string(dbname), "-c", std::string(sql)},
      dir_ / "psql.log");
}

void PostgresServer::Kill() { server_.reset(); }

absl::Status PostgresServer::Restart() {
  server_.reset();
  return Launch();
}

PostgresServer& SharedPostgres() {
  static PostgresServer* server = [] {
    auto started = PostgresServer::Start();
    if (!started.ok()) {
      std::fprintf(stderr, "cannot start PostgreSQL for the tests: %s\n",
                   std::string(started.status().message()).c_str());
      std::abort();
    }
    PostgresServer* s = started->release();
    std::atexit([] { delete server; });
    return s;
  }();
  return *server;
}

}  // namespace accord::test
