# The witness (C2SP tlog-witness, POST /add-checkpoint) and the witnessing of the node's
# own checkpoints; included by CMakeLists.txt.
target_sources(accord_federation PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/witness.cc ${CMAKE_CURRENT_SOURCE_DIR}/witnessing.cc)
accord_test(witness_test SOURCES witness_test.cc witnessing_test.cc
    ${CMAKE_SOURCE_DIR}/src/http/testing.cc
  DEPS accord_federation accord_util accord_http accord_log accord_store accord_note
    absl::strings absl::str_format)
