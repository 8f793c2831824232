// ThreadSanitizer build only (ACCORD_TSAN): makes Debian's abseil Mutex visible to TSan.
//
// Debian ships abseil as shared libraries built without TSan, so absl::Mutex's lock and
// unlock are futex calls and uninstrumented atomics that TSan never sees. Every access
// guarded by an absl::Mutex would then look like a data race. This file, linked into each
// executable of the TSan build (never elsewhere), interposes the public Mutex and CondVar
// entry points accord uses: each forwards to abseil's own definition (found with
// dlsym(RTLD_NEXT)) and tells TSan about the happens-before edge the call makes —
// "acquire" on the mutex's address after anything that can take the lock, "release" before
// anything that can give it up. A definition in the executable takes precedence over the
// shared library's for every caller, abseil's inline MutexLock included.
//
// What this does not give: TSan's lock-order (deadlock) reports for absl::Mutex, and
// annotations for entry points accord does not call (a call to one would still work, only
// unannotated). The alternative — an abseil rebuilt with TSan — is not a Debian package.
#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/base/options.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace {

// abseil's own definition of absl::<inline namespace>::<member>, where `member` is the
// rest of its Itanium mangled name ("5Mutex4LockEv"; NS0_ there abbreviates the inline
// namespace, so the rest does not depend on it). The namespace comes from options.h.
template <typename Fn>
Fn Real(const char* member) {
#define ACCORD_STR2(x) #x
#define ACCORD_STR(x) ACCORD_STR2(x)
  const std::string ns = ACCORD_STR(ABSL_OPTION_INLINE_NAMESPACE_NAME);
#undef ACCORD_STR
#undef ACCORD_STR2
  const std::string name = "_ZN4absl" + std::to_string(ns.size()) + ns + member;
  void* fn = dlsym(RTLD_NEXT, name.c_str());
  if (fn == nullptr) {
    std::fprintf(stderr, "tsan_absl: abseil defines no %s\n", name.c_str());
    std::abort();
  }
  return reinterpret_cast<Fn>(fn);
}

// abseil's own deadlock detector keeps a lock-order graph behind an internal spinlock that
// TSan cannot see either, so its bookkeeping would be reported as racing. TSan has a
// detector of its own for what it can see; abseil's is switched off in this build only.
const bool kAbseilDeadlockDetectionOff = [] {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  return true;
}();

void Acquired(const void* mu) { __tsan_acquire(const_cast<void*>(mu)); }
void Releasing(const void* mu) { __tsan_release(const_cast<void*>(mu)); }

// A condition abseil evaluates with the lock held: in the waiting thread (between waits,
// which TSan sees as outside the lock) or in whichever thread releases the lock next.
// Either way the evaluation is bracketed as a critical section of its own. The wrapper
// is handed to abseil through Condition(bool (*)(void*), void*), whose constructor and
// caller live in the (uninstrumented) library, and is published to the evaluating
// thread by a release on its own address; so the caller's Condition, written without
// the lock (before LockWhen), is read only after that edge.
struct Guarded {
  const absl::Condition* cond;
  const absl::Mutex* mu;

  static bool Eval(void* arg) {
    __tsan_acquire(arg);
    const auto* g = static_cast<const Guarded*>(arg);
    Acquired(g->mu);
    const bool met = g->cond->Eval();
    Releasing(g->mu);
    return met;
  }
  absl::Condition Wrapped() {
    __tsan_release(this);
    return absl::Condition(&Guarded::Eval, static_cast<void*>(this));
  }
};

}  // namespace

namespace absl {
ABSL_NAMESPACE_BEGIN

void Mutex::Lock() {
  static const auto real = Real<void (*)(Mutex*)>("5Mutex4LockEv");
  real(this);
  Acquired(this);
}

void Mutex::Unlock() {
  static const auto real = Real<void (*)(Mutex*)>("5Mutex6UnlockEv");
  Releasing(this);
  real(this);
}

bool Mutex::TryLock() {
  static const auto real = Real<bool (*)(Mutex*)>("5Mutex7TryLockEv");
  const bool locked = real(this);
  if (locked) Acquired(this);
  return locked;
}

void Mutex::ReaderLock() {
  static const auto real = Real<void (*)(Mutex*)>("5Mutex10ReaderLockEv");
  real(this);
  Acquired(this);
}

void Mutex::ReaderUnlock() {
  static const auto real = Real<void (*)(Mutex*)>("5Mutex12ReaderUnlockEv");
  Releasing(this);
  real(this);
}

// Await and the timed waits release the lock while they wait and hold it again on return.
void Mutex::Await(const Condition& cond) {
  static const auto real =
      Real<void (*)(Mutex*, const Condition&)>("5Mutex5AwaitERKNS0_9ConditionE");
  Releasing(this);
  Guarded guarded{&cond, this};
  real(this, guarded.Wrapped());
  Acquired(this);
}

bool Mutex::AwaitWithTimeout(const Condition& cond, Duration timeout) {
  static const auto real = Real<bool (*)(Mutex*, const Condition&, Duration)>(
      "5Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  Releasing(this);
  Guarded guarded{&cond, this};
  const bool met = real(this, guarded.Wrapped(), timeout);
  Acquired(this);
  return met;
}

bool Mutex::AwaitWithDeadline(const Condition& cond, Time deadline) {
  static const auto real = Real<bool (*)(Mutex*, const Condition&, Time)>(
      "5Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  Releasing(this);
  Guarded guarded{&cond, this};
  const bool met = real(this, guarded.Wrapped(), deadline);
  Acquired(this);
  return met;
}

void Mutex::LockWhen(const Condition& cond) {
  static const auto real =
      Real<void (*)(Mutex*, const Condition&)>("5Mutex8LockWhenERKNS0_9ConditionE");
  Guarded guarded{&cond, this};
  real(this, guarded.Wrapped());
  Acquired(this);
}

void CondVar::Wait(Mutex* mu) {
  static const auto real = Real<void (*)(CondVar*, Mutex*)>("7CondVar4WaitEPNS0_5MutexE");
  Releasing(mu);
  real(this, mu);
  Acquired(mu);
}

bool CondVar::WaitWithTimeout(Mutex* mu, Duration timeout) {
  static const auto real = Real<bool (*)(CondVar*, Mutex*, Duration)>(
      "7CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE");
  Releasing(mu);
  const bool timed_out = real(this, mu, timeout);
  Acquired(mu);
  return timed_out;
}

bool CondVar::WaitWithDeadline(Mutex* mu, Time deadline) {
  static const auto real =
      Real<bool (*)(CondVar*, Mutex*, Time)>("7CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE");
  Releasing(mu);
  const bool timed_out = real(this, mu, deadline);
  Acquired(mu);
  return timed_out;
}

ABSL_NAMESPACE_END
}  // namespace absl
