# The monitor of the peers' logs and split-view proofs (monitor.h, equivocation.h).
# Its state is src/store/monitor_state.h.
target_sources(accord_federation PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/equivocation.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/monitor.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/monitor_poll.cc)

accord_test(monitor_test
  SOURCES monitor_test.cc equivocation_test.cc
  DEPS accord_federation accord_node accord_party_keys accord_util accord_tlog accord_note
       accord_statement)
