#include "errors.h"

#include <cerrno>
#include <cstring>

namespace berth {

namespace {

struct ErrnoEntry {
  int value;
  const char* name;
};

// The errors mount, mknod and the xattr calls can realistically return,
// plus the usual suspects; anything else falls back to E<number>.
constexpr ErrnoEntry kErrnoNames[] = {
    {EPERM, "EPERM"},         {ENOENT, "ENOENT"},
    {ESRCH, "ESRCH"},         {EINTR, "EINTR"},
    {EIO, "EIO"},             {ENXIO, "ENXIO"},
    {E2BIG, "E2BIG"},         {EBADF, "EBADF"},
    {EAGAIN, "EAGAIN"},       {ENOMEM, "ENOMEM"},
    {EACCES, "EACCES"},       {EFAULT, "EFAULT"},
    {ENOTBLK, "ENOTBLK"},     {EBUSY, "EBUSY"},
    {EEXIST, "EEXIST"},       {EXDEV, "EXDEV"},
    {ENODEV, "ENODEV"},       {ENOTDIR, "ENOTDIR"},
    {EISDIR, "EISDIR"},       {EINVAL, "EINVAL"},
    {ENFILE, "ENFILE"},       {EMFILE, "EMFILE"},
    {ENOTTY, "ENOTTY"},       {ETXTBSY, "ETXTBSY"},
    {EFBIG, "EFBIG"},         {ENOSPC, "ENOSPC"},
    {EROFS, "EROFS"},         {EMLINK, "EMLINK"},
    {EPIPE, "EPIPE"},         {ERANGE, "ERANGE"},
    {ENAMETOOLONG, "ENAMETOOLONG"}, {ENOSYS, "ENOSYS"},
    {ENOTEMPTY, "ENOTEMPTY"}, {ELOOP, "ELOOP"},
    {ENODATA, "ENODATA"},     {EOVERFLOW, "EOVERFLOW"},
    {ENOTSUP, "ENOTSUP"},     {EDQUOT, "EDQUOT"},
    {ESTALE, "ESTALE"},       {ETIMEDOUT, "ETIMEDOUT"},
    {EPROTO, "EPROTO"},       {EADDRINUSE, "EADDRINUSE"},
    {EADDRNOTAVAIL, "EADDRNOTAVAIL"}, {EAFNOSUPPORT, "EAFNOSUPPORT"},
    {ENETUNREACH, "ENETUNREACH"}, {EHOSTUNREACH, "EHOSTUNREACH"},
};

}  // namespace

std::string ErrnoName(int err) {
  for (const auto& entry : kErrnoNames) {
    if (entry.value == err) return entry.name;
  }
  return "E" + std::to_string(err);
}

Napi::Error SyscallError(Napi::Env env, int err, const char* syscall,
                         const std::string& path) {
  std::string message =
      std::string(syscall) + " " + path + ": " + std::strerror(err);
  Napi::Error error = Napi::Error::New(env, message);
  Napi::Object obj = error.Value();
  obj.Set("code", Napi::String::New(env, ErrnoName(err)));
  obj.Set("errno", Napi::Number::New(env, err));
  obj.Set("syscall", Napi::String::New(env, syscall));
  obj.Set("path", Napi::String::New(env, path));
  return error;
}

void ThrowSyscallError(Napi::Env env, int err, const char* syscall,
                       const std::string& path) {
  SyscallError(env, err, syscall, path).ThrowAsJavaScriptException();
}

}  // namespace berth
