# seal_bench: sealing a generated ≥ 1 GiB capture against sha256sum, peak memory,
# disclosure of 1,000 packets and its verification (bench/seal_bench.cc). A standalone
# program, not a Google Benchmark: each sealing runs in a fresh process to measure its
# peak RSS. Included from bench/CMakeLists.txt; guarded so that including it twice is
# harmless.
if(TARGET seal_bench OR NOT TARGET accord_seal)
  return()
endif()
add_executable(seal_bench EXCLUDE_FROM_ALL ${CMAKE_SOURCE_DIR}/bench/seal_bench.cc)
target_link_libraries(seal_bench PRIVATE accord_seal accord_log accord_note accord_store
  accord_util absl::strings)
