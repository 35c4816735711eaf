// Container networking through rtnetlink, one synchronous call per engine
// step (no `ip` process per step).
#ifndef BERTH_ADDON_NET_H
#define BERTH_ADDON_NET_H

#include <napi.h>

namespace berth {

// netCreateBridge(name, address, prefix): boolean — false when a link of
// that name already exists (then it is left untouched).
Napi::Value NetCreateBridge(const Napi::CallbackInfo& info);
// netDeleteLink(name): boolean — false when there is no such link.
Napi::Value NetDeleteLink(const Napi::CallbackInfo& info);
// netAttach(pid, bridge, hostIf, ifname, address, prefix, gateway, isolated):
// a veth from `bridge` into pid's network namespace, named `ifname` there,
// with the address, loopback up, a default route when `gateway` is not "",
// and the bridge port isolated when `isolated` is 1 (no inter-container
// traffic on that bridge).
Napi::Value NetAttach(const Napi::CallbackInfo& info);
// netDetach(pid, ifname): boolean — removes the link inside pid's namespace
// (its host end goes with it); false when it is not there.
Napi::Value NetDetach(const Napi::CallbackInfo& info);

}  // namespace berth

#endif
