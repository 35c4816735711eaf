#ifndef BERTH_ADDON_WRITE_FILE_H
#define BERTH_ADDON_WRITE_FILE_H

#include <napi.h>

namespace berth {

// writeFiles(jobs: { fd, path, chunks: Buffer[], position, finish: null | { uid,
// gid, mode, mtime, xattrs: [name, Buffer][] }, close: boolean }[]):
// Promise<void> — in libuv's thread pool, one job after the other: writes
// each job's chunks into its fd from `position` on, then, given `finish`,
// sets owner, mode (after the owner: chown clears setuid), xattrs and times
// through the fd, and closes the fd when `close` is set. After a failure the
// remaining jobs only close their fds; the promise rejects with the first
// failure, shaped like Node's fs errors (`path` only names the file in it).
// The chunks must stay unchanged
// until the promise settles.
Napi::Value WriteFiles(const Napi::CallbackInfo& info);

}  // namespace berth

#endif
