#include "locks.h"

#include <sys/file.h>

#include <cerrno>
#include <string>

#include "args.h"
#include "errors.h"

namespace berth {

Napi::Value TryLock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t fd, exclusive;
  if (!ArgUint32(info, 0, "fd", &fd) ||
      !ArgUint32(info, 1, "exclusive", &exclusive)) {
    return env.Undefined();
  }
  int op = (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB;
  int rc;
  do {
    rc = ::flock(static_cast<int>(fd), op);
  } while (rc < 0 && errno == EINTR);
  if (rc == 0) return Napi::Boolean::New(env, true);
  if (errno == EWOULDBLOCK) return Napi::Boolean::New(env, false);
  ThrowSyscallError(env, errno, "flock", "fd " + std::to_string(fd));
  return env.Undefined();
}

Napi::Value Unlock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t fd;
  if (!ArgUint32(info, 0, "fd", &fd)) return env.Undefined();
  if (::flock(static_cast<int>(fd), LOCK_UN) < 0) {
    ThrowSyscallError(env, errno, "flock", "fd " + std::to_string(fd));
  }
  return env.Undefined();
}

}  // namespace berth
