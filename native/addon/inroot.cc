#include "inroot.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "args.h"
#include "errors.h"

namespace berth {

Napi::Value OpenInRoot(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t root_fd, flags, mode;
  std::string path;
  if (!ArgUint32(info, 0, "rootFd", &root_fd) ||
      !ArgString(info, 1, "path", &path) ||
      !ArgUint32(info, 2, "flags", &flags) ||
      !ArgUint32(info, 3, "mode", &mode)) {
    return env.Undefined();
  }
  struct open_how how = {};
  how.flags = flags | O_CLOEXEC;
  // The kernel rejects a mode without O_CREAT/O_TMPFILE.
  how.mode = (flags & (O_CREAT | __O_TMPFILE)) ? mode : 0;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  // An empty relative path would be ENOENT; "." is the root itself.
  size_t skip = path.find_first_not_of('/');
  std::string rel = skip == std::string::npos ? "." : path.substr(skip);
  long fd;
  do {
    fd = syscall(SYS_openat2, static_cast<int>(root_fd), rel.c_str(), &how,
                 sizeof(how));
    // EAGAIN: a concurrent rename raced the lookup; the kernel asks us to retry.
  } while (fd < 0 && (errno == EINTR || errno == EAGAIN));
  if (fd < 0) {
    ThrowSyscallError(env, errno, "openat2", path);
    return env.Undefined();
  }
  return Napi::Number::New(env, static_cast<double>(fd));
}

}  // namespace berth
