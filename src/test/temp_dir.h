// A temporary folder for one test, removed with everything in it when the test ends.
// Tests run in parallel (ctest -j), so every folder has a random name.
#ifndef ACCORD_TEST_TEMP_DIR_H_
#define ACCORD_TEST_TEMP_DIR_H_

#include <filesystem>
#include <random>
#include <string>
#include <string_view>

namespace accord::test {

class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "accord-test") {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            (std::string(prefix) + "-" + std::to_string(rd()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;  // a test that made a file unremovable must not abort the run
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // The path of `name` inside the folder, as a string (for command lines).
  std::string File(std::string_view name) const { return (path_ / std::string(name)).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace accord::test

#endif  // ACCORD_TEST_TEMP_DIR_H_
