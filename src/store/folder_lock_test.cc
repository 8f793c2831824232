// One writer per folder: FolderLock refuses a second holder — in this process or
// another — naming the first, and a holder that dies (kill -9) leaves no stale lock.
#include "src/store/folder_lock.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "src/test/temp_dir.h"
#include "src/test/wait.h"

namespace accord::store {
namespace {

using ::testing::HasSubstr;

TEST(FolderLockTest, OneHolderAtATimeInOneProcess) {
  test::TempDir dir;
  auto first = FolderLock::Acquire(dir.path());
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = FolderLock::Acquire(dir.path());
  ASSERT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(second.status().message(), HasSubstr(dir.path().string()));
  EXPECT_THAT(second.status().message(), HasSubstr(absl::StrCat("pid ", ::getpid())));
  first->reset();
  EXPECT_TRUE(FolderLock::Acquire(dir.path()).ok());
}

TEST(FolderLockTest, AnotherProcessIsRefusedAndAKilledHolderLeavesNoLock) {
  test::TempDir dir;
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto held = FolderLock::Acquire(dir.path());
    const char c = held.ok() ? 'y' : 'n';
    [[maybe_unused]] auto n = ::write(ready[1], &c, 1);
    ::pause();  // holds the lock until killed
    ::_exit(0);
  }
  ::close(ready[1]);
  char c = 0;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ::close(ready[0]);
  ASSERT_EQ(c, 'y');

  auto refused = FolderLock::Acquire(dir.path());
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr(absl::StrCat("pid ", child)));
  EXPECT_THAT(refused.status().message(), HasSubstr("since "));

  ::kill(child, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(FolderLock::Acquire(dir.path()).ok());  // the kernel released it
}

TEST(FolderLockTest, AFolderThatIsNotThere) {
  test::TempDir dir;
  EXPECT_EQ(FolderLock::Acquire(dir.path() / "missing").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(FolderLockTest, AnUnreadableHolderDescriptionStillRefuses) {
  test::TempDir dir;
  auto first = FolderLock::Acquire(dir.path());
  ASSERT_TRUE(first.ok());
  {
    std::ofstream emptied(dir.path() / kLockFileName, std::ios::trunc);  // by someone else
  }
  auto second = FolderLock::Acquire(dir.path());
  ASSERT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(second.status().message(), HasSubstr("another process"));
}

}  // namespace
}  // namespace accord::store
