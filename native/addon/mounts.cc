#include "mounts.h"

#include <sys/mount.h>

#include <cerrno>
#include <optional>
#include <string>

#include "args.h"
#include "errors.h"

namespace berth {

Napi::Value Mount(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::optional<std::string> source, fstype, data;
  std::string target;
  uint32_t flags;
  if (!ArgOptionalString(info, 0, "source", &source) ||
      !ArgString(info, 1, "target", &target) ||
      !ArgOptionalString(info, 2, "fstype", &fstype) ||
      !ArgUint32(info, 3, "flags", &flags) ||
      !ArgOptionalString(info, 4, "data", &data)) {
    return env.Undefined();
  }
  if (::mount(OrNull(source), target.c_str(), OrNull(fstype), flags,
              OrNull(data)) < 0) {
    ThrowSyscallError(env, errno, "mount", target);
  }
  return env.Undefined();
}

Napi::Value Umount(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string target;
  uint32_t flags;
  if (!ArgString(info, 0, "target", &target) ||
      !ArgUint32(info, 1, "flags", &flags)) {
    return env.Undefined();
  }
  if (::umount2(target.c_str(), static_cast<int>(flags)) < 0) {
    ThrowSyscallError(env, errno, "umount", target);
  }
  return env.Undefined();
}

}  // namespace berth
