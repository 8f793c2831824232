# Confidential bodies (issue 6, point 3): the body format and its sealing to an
# addressee's X25519 key (libsodium sealed boxes), the node's store of sealed copies, and
# the HTTP routes that release a copy only to its addressee and record every release as
# an access statement. Included from src/casework/CMakeLists.txt; paths are relative to
# this file so that it can be included from any directory.
if(NOT TARGET accord_casework_bodies)
  add_library(accord_casework_bodies
    ${CMAKE_CURRENT_LIST_DIR}/confidential.cc
    ${CMAKE_CURRENT_LIST_DIR}/body_store.cc
    ${CMAKE_CURRENT_LIST_DIR}/bodies_api.cc)
  target_include_directories(accord_casework_bodies PUBLIC ${CMAKE_SOURCE_DIR})
  target_link_libraries(accord_casework_bodies
    PUBLIC accord_http accord_statement accord_store accord_crypto nlohmann_json::nlohmann_json
           absl::status absl::statusor absl::synchronization absl::time
    PRIVATE accord_util PkgConfig::SODIUM absl::strings Threads::Threads)

  accord_test(casework_bodies_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/confidential_test.cc
            ${CMAKE_CURRENT_LIST_DIR}/bodies_test.cc
            ${CMAKE_SOURCE_DIR}/src/http/testing.cc
    DEPS accord_casework_bodies accord_statement accord_note accord_util absl::strings
         Threads::Threads)
endif()
