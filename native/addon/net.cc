#include "net.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "args.h"
#include "errors.h"
#include "rtnl.h"

namespace berth {

namespace {

bool ArgAddress(const Napi::CallbackInfo& info, size_t i, const char* name, in_addr* out) {
  std::string text;
  if (!ArgString(info, i, name, &text)) return false;
  if (inet_pton(AF_INET, text.c_str(), out) != 1) {
    Napi::TypeError::New(info.Env(), std::string(name) + " must be an IPv4 address")
        .ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

// Throws for a negative rc; true when the call succeeded.
bool Check(Napi::Env env, int rc, const char* step, const std::string& what) {
  if (rc >= 0) return true;
  ThrowSyscallError(env, -rc, step, what);
  return false;
}

}  // namespace

Napi::Value NetCreateBridge(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name;
  in_addr addr;
  uint32_t prefix;
  if (!ArgString(info, 0, "name", &name) || !ArgAddress(info, 1, "address", &addr) ||
      !ArgUint32(info, 2, "prefix", &prefix)) {
    return env.Undefined();
  }
  Rtnl nl;
  if (!Check(env, nl.Open(), "netlink-socket", name)) return env.Undefined();
  int rc = nl.CreateBridge(name);
  if (rc == -EEXIST) return Napi::Boolean::New(env, false);
  if (!Check(env, rc, "create-bridge", name)) return env.Undefined();
  if (!Check(env, nl.AddAddress(name, addr, static_cast<int>(prefix)), "bridge-address", name) ||
      !Check(env, nl.SetUp(name, 0), "bridge-up", name)) {
    nl.DeleteLink(name);  // Nothing half-made stays behind.
    return env.Undefined();
  }
  return Napi::Boolean::New(env, true);
}

Napi::Value NetDeleteLink(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name;
  if (!ArgString(info, 0, "name", &name)) return env.Undefined();
  Rtnl nl;
  if (!Check(env, nl.Open(), "netlink-socket", name)) return env.Undefined();
  int rc = nl.DeleteLink(name);
  if (rc == -ENODEV) return Napi::Boolean::New(env, false);
  if (!Check(env, rc, "delete-link", name)) return env.Undefined();
  return Napi::Boolean::New(env, true);
}

Napi::Value NetAttach(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t pid, prefix, isolated;
  std::string bridge, host_if, ifname, gateway_text;
  in_addr addr, gateway{};
  if (!ArgUint32(info, 0, "pid", &pid) || !ArgString(info, 1, "bridge", &bridge) ||
      !ArgString(info, 2, "hostIf", &host_if) || !ArgString(info, 3, "ifname", &ifname) ||
      !ArgAddress(info, 4, "address", &addr) || !ArgUint32(info, 5, "prefix", &prefix) ||
      !ArgString(info, 6, "gateway", &gateway_text) || !ArgUint32(info, 7, "isolated", &isolated)) {
    return env.Undefined();
  }
  bool route = !gateway_text.empty();
  if (route && !ArgAddress(info, 6, "gateway", &gateway)) return env.Undefined();
  std::string ns_path = "/proc/" + std::to_string(pid) + "/ns/net";
  int ns = open(ns_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (ns < 0) {
    ThrowSyscallError(env, errno, "open-netns", ns_path);
    return env.Undefined();
  }
  Rtnl host, inside;
  int rc = host.Open();
  if (!Check(env, rc, "netlink-socket", host_if)) {
    close(ns);
    return env.Undefined();
  }
  rc = host.CreateVeth(host_if, ifname, ns);
  close(ns);
  if (!Check(env, rc, "create-veth", host_if)) return env.Undefined();
  int master = host.Index(bridge);
  const char* step = nullptr;
  if (master == 0) {
    rc = -ENODEV, step = "find-bridge";
  } else if ((rc = host.SetUp(host_if, master)) < 0) {
    step = "veth-up";
  } else if (isolated && (rc = host.SetIsolated(host_if)) < 0) {
    step = "isolate-port";
  } else if ((rc = inside.OpenIn(static_cast<int>(pid))) < 0) {
    step = "netns-socket";
  } else if ((rc = inside.SetUp("lo", 0)) < 0) {
    step = "loopback-up";
  } else if ((rc = inside.AddAddress(ifname, addr, static_cast<int>(prefix))) < 0) {
    step = "container-address";
  } else if ((rc = inside.SetUp(ifname, 0)) < 0) {
    step = "container-link-up";
  } else if (route && (rc = inside.AddDefaultRoute(gateway)) < 0) {
    step = "default-route";
  }
  if (step) {
    host.DeleteLink(host_if);  // Takes the peer with it.
    Check(env, rc, step, host_if);
    return env.Undefined();
  }
  return env.Undefined();
}

Napi::Value NetDetach(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t pid;
  std::string ifname;
  if (!ArgUint32(info, 0, "pid", &pid) || !ArgString(info, 1, "ifname", &ifname)) {
    return env.Undefined();
  }
  Rtnl inside;
  int rc = inside.OpenIn(static_cast<int>(pid));
  if (rc == -ENOENT) return Napi::Boolean::New(env, false);  // The container is gone.
  if (!Check(env, rc, "netns-socket", ifname)) return env.Undefined();
  rc = inside.DeleteLink(ifname);
  if (rc == -ENODEV) return Napi::Boolean::New(env, false);
  if (!Check(env, rc, "delete-link", ifname)) return env.Undefined();
  return Napi::Boolean::New(env, true);
}

}  // namespace berth
