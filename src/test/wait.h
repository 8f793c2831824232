// Waiting in tests without sleeping for a fixed time: poll a condition until it holds
// or a deadline passes (STYLE.md: no sleeps to synchronise).
#ifndef ACCORD_TEST_WAIT_H_
#define ACCORD_TEST_WAIT_H_

#include <functional>

#include "absl/time/time.h"

namespace accord::test {

// True as soon as `condition()` is true; false if it is still false after `timeout`.
// Polls every millisecond.
bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout = absl::Seconds(10));

}  // namespace accord::test

#endif  // ACCORD_TEST_WAIT_H_
