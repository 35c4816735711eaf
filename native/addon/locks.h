#ifndef BERTH_ADDON_LOCKS_H
#define BERTH_ADDON_LOCKS_H

#include <napi.h>

namespace berth {

// tryLock(fd, exclusive: 0|1): boolean — flock(2) without blocking; false
// when another open file description holds a conflicting lock. Callers poll:
// a blocking flock would stall Node's event loop.
Napi::Value TryLock(const Napi::CallbackInfo& info);
// unlock(fd): void
Napi::Value Unlock(const Napi::CallbackInfo& info);

}  // namespace berth

#endif
