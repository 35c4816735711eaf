// berth_native: the few syscalls Node has no API for. Everything here is
// synchronous and runs on the calling thread, except writeFiles, which runs
// in libuv's thread pool and returns a promise.
#include <napi.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "files.h"
#include "inroot.h"
#include "locks.h"
#include "mounts.h"
#include "net.h"
#include "proxy.h"
#include "spawn.h"
#include "write-file.h"

namespace berth {

namespace {

Napi::Object Constants(Napi::Env env) {
  Napi::Object c = Napi::Object::New(env);
  c.Set("MS_RDONLY", Napi::Number::New(env, MS_RDONLY));
  c.Set("MS_NOSUID", Napi::Number::New(env, MS_NOSUID));
  c.Set("MS_NODEV", Napi::Number::New(env, MS_NODEV));
  c.Set("MS_NOEXEC", Napi::Number::New(env, MS_NOEXEC));
  c.Set("MS_BIND", Napi::Number::New(env, MS_BIND));
  c.Set("MS_REC", Napi::Number::New(env, MS_REC));
  c.Set("MS_PRIVATE", Napi::Number::New(env, MS_PRIVATE));
  c.Set("MS_SLAVE", Napi::Number::New(env, MS_SLAVE));
  c.Set("MS_SHARED", Napi::Number::New(env, MS_SHARED));
  c.Set("MS_REMOUNT", Napi::Number::New(env, MS_REMOUNT));
  c.Set("MNT_DETACH", Napi::Number::New(env, MNT_DETACH));
  c.Set("MNT_FORCE", Napi::Number::New(env, MNT_FORCE));
  c.Set("S_IFCHR", Napi::Number::New(env, S_IFCHR));
  c.Set("S_IFBLK", Napi::Number::New(env, S_IFBLK));
  c.Set("S_IFIFO", Napi::Number::New(env, S_IFIFO));
  c.Set("O_PATH", Napi::Number::New(env, O_PATH));
  c.Set("FS_TOPDIR_FL", Napi::Number::New(env, FS_TOPDIR_FL));
  c.Freeze();
  return c;
}

}  // namespace

}  // namespace berth

// NODE_API_MODULE pastes the name into an identifier, so it must be
// unqualified.
static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  using namespace berth;
  exports.Set("mount", Napi::Function::New(env, Mount, "mount"));
  exports.Set("umount", Napi::Function::New(env, Umount, "umount"));
  exports.Set("mknod", Napi::Function::New(env, Mknod, "mknod"));
  exports.Set("lsetxattr", Napi::Function::New(env, Lsetxattr, "lsetxattr"));
  exports.Set("lgetxattr", Napi::Function::New(env, Lgetxattr, "lgetxattr"));
  exports.Set("llistxattr",
              Napi::Function::New(env, Llistxattr, "llistxattr"));
  exports.Set("addInodeFlags",
              Napi::Function::New(env, AddInodeFlags, "addInodeFlags"));
  exports.Set("writeFiles", Napi::Function::New(env, WriteFiles, "writeFiles"));
  exports.Set("openInRoot",
              Napi::Function::New(env, OpenInRoot, "openInRoot"));
  exports.Set("tryLock", Napi::Function::New(env, TryLock, "tryLock"));
  exports.Set("unlock", Napi::Function::New(env, Unlock, "unlock"));
  exports.Set("netCreateBridge",
              Napi::Function::New(env, NetCreateBridge, "netCreateBridge"));
  exports.Set("netDeleteLink",
              Napi::Function::New(env, NetDeleteLink, "netDeleteLink"));
  exports.Set("netAttach", Napi::Function::New(env, NetAttach, "netAttach"));
  exports.Set("netDetach", Napi::Function::New(env, NetDetach, "netDetach"));
  exports.Set("proxyListen", Napi::Function::New(env, ProxyListen, "proxyListen"));
  exports.Set("proxyTarget", Napi::Function::New(env, ProxyTarget, "proxyTarget"));
  exports.Set("proxyClose", Napi::Function::New(env, ProxyClose, "proxyClose"));
  exports.Set("spawnProcess", Napi::Function::New(env, SpawnProcess, "spawnProcess"));
  exports.Set("constants", Constants(env));
  return exports;
}

NODE_API_MODULE(berth_native, Init)
