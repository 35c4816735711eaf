#ifndef BERTH_ADDON_INROOT_H
#define BERTH_ADDON_INROOT_H

#include <napi.h>

namespace berth {

// openInRoot(rootFd, path, flags, mode): fd — openat2(2) with
// RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS: `path` and every symlink met on
// the way resolve as if rootFd were "/", so nothing outside it is reached.
Napi::Value OpenInRoot(const Napi::CallbackInfo& info);

}  // namespace berth

#endif
