// JS errors for failed syscalls, shaped like Node's own fs errors.
#ifndef BERTH_ADDON_ERRORS_H
#define BERTH_ADDON_ERRORS_H

#include <napi.h>

#include <string>

namespace berth {

// Throws `Error("<syscall> <path>: <strerror>")` carrying code, errno,
// syscall and path properties. errno is the positive OS value.
void ThrowSyscallError(Napi::Env env, int err, const char* syscall,
                       const std::string& path);

// The same error as a value, for asynchronous work that rejects a promise.
Napi::Error SyscallError(Napi::Env env, int err, const char* syscall,
                         const std::string& path);

// "ENOENT" etc.; "E<number>" for values outside the table.
std::string ErrnoName(int err);

}  // namespace berth

#endif
