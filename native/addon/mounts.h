#ifndef BERTH_ADDON_MOUNTS_H
#define BERTH_ADDON_MOUNTS_H

#include <napi.h>

namespace berth {

// mount(source|null, target, fstype|null, flags, data|null): void
Napi::Value Mount(const Napi::CallbackInfo& info);
// umount(target, flags): void
Napi::Value Umount(const Napi::CallbackInfo& info);

}  // namespace berth

#endif
