#include "files.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "args.h"
#include "errors.h"

namespace berth {

namespace {

// Attributes can change size between the size query and the read; a few
// retries cover that without looping forever on a hostile writer.
constexpr int kSizeRetries = 8;

// Runs `call(buf, size)` the getxattr way: query the size, then read.
// Returns false with errno set on failure.
template <typename Call>
bool ReadSized(Call call, std::vector<char>* out) {
  for (int attempt = 0; attempt < kSizeRetries; attempt++) {
    ssize_t size = call(nullptr, 0);
    if (size < 0) return false;
    out->resize(static_cast<size_t>(size));
    if (size == 0) return true;
    ssize_t got = call(out->data(), out->size());
    if (got >= 0) {
      out->resize(static_cast<size_t>(got));
      return true;
    }
    if (errno != ERANGE) return false;
  }
  errno = ERANGE;
  return false;
}

}  // namespace

Napi::Value Mknod(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path;
  uint32_t mode, major, minor;
  if (!ArgString(info, 0, "path", &path) ||
      !ArgUint32(info, 1, "mode", &mode) ||
      !ArgUint32(info, 2, "major", &major) ||
      !ArgUint32(info, 3, "minor", &minor)) {
    return env.Undefined();
  }
  if (::mknod(path.c_str(), mode, makedev(major, minor)) < 0) {
    ThrowSyscallError(env, errno, "mknod", path);
  }
  return env.Undefined();
}

Napi::Value Lsetxattr(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path, name;
  Napi::Buffer<uint8_t> value;
  if (!ArgString(info, 0, "path", &path) ||
      !ArgString(info, 1, "name", &name) ||
      !ArgBuffer(info, 2, "value", &value)) {
    return env.Undefined();
  }
  if (::lsetxattr(path.c_str(), name.c_str(), value.Data(), value.Length(),
                  0) < 0) {
    ThrowSyscallError(env, errno, "lsetxattr", path);
  }
  return env.Undefined();
}

Napi::Value Lgetxattr(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path, name;
  if (!ArgString(info, 0, "path", &path) ||
      !ArgString(info, 1, "name", &name)) {
    return env.Undefined();
  }
  std::vector<char> data;
  bool ok = ReadSized(
      [&](char* buf, size_t size) {
        return ::lgetxattr(path.c_str(), name.c_str(), buf, size);
      },
      &data);
  if (!ok && errno == ENODATA) return env.Null();
  if (!ok) {
    ThrowSyscallError(env, errno, "lgetxattr", path);
    return env.Undefined();
  }
  return Napi::Buffer<uint8_t>::Copy(
      env, reinterpret_cast<const uint8_t*>(data.data()), data.size());
}

Napi::Value Llistxattr(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path;
  if (!ArgString(info, 0, "path", &path)) return env.Undefined();
  std::vector<char> list;
  bool ok = ReadSized(
      [&](char* buf, size_t size) {
        return ::llistxattr(path.c_str(), buf, size);
      },
      &list);
  if (!ok) {
    ThrowSyscallError(env, errno, "llistxattr", path);
    return env.Undefined();
  }
  // The kernel returns the names back to back, each NUL-terminated.
  Napi::Array names = Napi::Array::New(env);
  uint32_t index = 0;
  for (size_t pos = 0; pos < list.size();) {
    std::string entry(list.data() + pos);
    pos += entry.size() + 1;
    names.Set(index++, Napi::String::New(env, entry));
  }
  return names;
}

Napi::Value AddInodeFlags(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path;
  uint32_t flags;
  if (!ArgString(info, 0, "path", &path) ||
      !ArgUint32(info, 1, "flags", &flags)) {
    return env.Undefined();
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    ThrowSyscallError(env, errno, "open", path);
    return env.Undefined();
  }
  // The kernel reads and writes an int here, whatever the ioctl's nominal type.
  int current = 0;
  const char* failed = nullptr;
  if (::ioctl(fd, FS_IOC_GETFLAGS, &current) < 0) {
    failed = "ioctl(FS_IOC_GETFLAGS)";
  } else if ((current & static_cast<int>(flags)) != static_cast<int>(flags)) {
    current |= static_cast<int>(flags);
    if (::ioctl(fd, FS_IOC_SETFLAGS, &current) < 0) {
      failed = "ioctl(FS_IOC_SETFLAGS)";
    }
  }
  int err = errno;
  ::close(fd);
  if (failed) ThrowSyscallError(env, err, failed, path);
  return env.Undefined();
}

}  // namespace berth
