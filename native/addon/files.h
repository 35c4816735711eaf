#ifndef BERTH_ADDON_FILES_H
#define BERTH_ADDON_FILES_H

#include <napi.h>

namespace berth {

// mknod(path, mode, major, minor): void — mode carries S_IFCHR etc.; the
// process umask applies, as with mknod(2).
Napi::Value Mknod(const Napi::CallbackInfo& info);
// lsetxattr(path, name, value: Buffer): void
Napi::Value Lsetxattr(const Napi::CallbackInfo& info);
// lgetxattr(path, name): Buffer | null (null when the attribute is absent)
Napi::Value Lgetxattr(const Napi::CallbackInfo& info);
// llistxattr(path): string[]
Napi::Value Llistxattr(const Napi::CallbackInfo& info);
// addInodeFlags(path, flags): void — ORs FS_*_FL flags into the inode's
// attribute flags (chattr); errors as thrown by the ioctl (ENOTTY or
// EOPNOTSUPP where the filesystem has no such flags).
Napi::Value AddInodeFlags(const Napi::CallbackInfo& info);

}  // namespace berth

#endif
