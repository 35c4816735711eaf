// Starting Berth's helper processes. Node's child_process forks, and a fork
// copies the page tables of the whole heap: 3 ms at 80 MB, 40 ms at 1 GB,
// on every container start and exec. posix_spawn shares the address space
// until the exec (vfork), so it costs the same whatever Node's size.
#ifndef BERTH_ADDON_SPAWN_H
#define BERTH_ADDON_SPAWN_H

#include <napi.h>

namespace berth {

// spawnProcess(file, args, stdio, onExit): { pid, fds, watch }.
// stdio[i] says what the child's fd i is: "null" (/dev/null), "in" (a pipe
// the child reads; fds[i] is our write end) or "out" (a pipe the child
// writes; fds[i] is our read end); fds[i] is -1 for "null". The child runs
// in a new session with default signal handling and an empty mask.
// onExit(code, signal) runs once the child ended: code is -1 when a signal
// killed it. The child is reaped just before, so its pid stays this
// process's child (and safe to signal) until JavaScript has heard.
// watch.ref() / watch.unref(): whether the wait keeps Node alive (it does
// at first).
Napi::Value SpawnProcess(const Napi::CallbackInfo& info);

}  // namespace berth

#endif
