# The synthetic packet captures of the drill's scenarios (synthetic.h), included by
# src/drill/CMakeLists.txt.
add_library(accord_drill_capture
  ${CMAKE_CURRENT_LIST_DIR}/synthetic.cc
  ${CMAKE_CURRENT_LIST_DIR}/synthetic_attack.cc
  ${CMAKE_CURRENT_LIST_DIR}/synthetic_benign.cc
  ${CMAKE_CURRENT_LIST_DIR}/synthetic_payloads.cc
  ${CMAKE_CURRENT_LIST_DIR}/synthetic_wire.cc)
target_include_directories(accord_drill_capture PUBLIC ${CMAKE_SOURCE_DIR})
target_link_libraries(accord_drill_capture
  PUBLIC absl::status absl::statusor absl::time
  PRIVATE accord_seal accord_store absl::strings)

accord_test(synthetic_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/synthetic_test.cc
  DEPS accord_drill_capture accord_crypto accord_seal accord_util absl::strings absl::time)
