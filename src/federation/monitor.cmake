# The monitor of the peers' logs and split-view proofs (monitor.h, equivocation.h).
find_package(SQLite3 REQUIRED)
target_sources(accord_federation PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/compact_range.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/equivocation.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/monitor.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/monitor_poll.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/monitor_store.cc)
target_link_libraries(accord_federation PRIVATE SQLite::SQLite3 absl::cleanup)

accord_test(monitor_test
  SOURCES monitor_test.cc equivocation_test.cc compact_range_test.cc
  DEPS accord_federation accord_node accord_util accord_tlog accord_note accord_statement)
