// Published TCP ports: a listener bound in native code whose connections are
// relayed to the container with splice(2) on native threads, so the bytes
// never pass through JavaScript. The listener is the port's reservation; the
// threads die with the engine process, as the container does (its lifeline).
#ifndef BERTH_ADDON_PROXY_H
#define BERTH_ADDON_PROXY_H

#include <napi.h>

namespace berth {

// proxyListen(host, port): number — binds and listens (IPv6 hosts
// v6-only); throws with code EADDRINUSE when the port is taken.
Napi::Value ProxyListen(const Napi::CallbackInfo& info);
// proxyTarget(id, ipv4, port): connections accepted from now on go there
// (until then they are closed at once).
Napi::Value ProxyTarget(const Napi::CallbackInfo& info);
// proxyClose(id): stops listening and ends every relayed connection.
Napi::Value ProxyClose(const Napi::CallbackInfo& info);

}  // namespace berth

#endif
