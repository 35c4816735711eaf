#include "proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "args.h"
#include "errors.h"

namespace berth {

namespace {

constexpr size_t kChunk = 1 << 20;

struct Listener {
  int fd = -1;
  int wake[2] = {-1, -1};
  std::thread acceptor;
  std::atomic<uint32_t> target_ip{0};  // Network order; 0 = not yet.
  std::atomic<uint16_t> target_port{0};
  std::mutex mu;
  std::condition_variable idle;
  std::set<int> conns;
  int live = 0;
};

std::mutex g_mu;
// Never destroyed: at exit a listener's thread may still run, and destroying
// a joinable std::thread would abort the process.
auto& g_listeners = *new std::map<uint32_t, std::shared_ptr<Listener>>();
uint32_t g_next = 1;

// Moves bytes from `in` to `out` until EOF or an error, then half-closes `out`.
// No SPLICE_F_MORE: on a socket it means MSG_MORE, which corks each small
// reply until more data or the 200 ms cork timer comes; a request/response
// protocol (a PING, a query) then waits that long per round trip. Large
// transfers lose nothing: each splice already moves up to kChunk bytes.
void Pump(int in, int out) {
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) == 0) {
    for (;;) {
      ssize_t n = splice(in, nullptr, pipefd[1], nullptr, kChunk, SPLICE_F_MOVE);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      while (n > 0) {
        ssize_t m = splice(pipefd[0], nullptr, out, nullptr, static_cast<size_t>(n), SPLICE_F_MOVE);
        if (m < 0 && errno == EINTR) continue;
        if (m <= 0) {
          n = -1;
          break;
        }
        n -= m;
      }
      if (n < 0) break;
    }
    close(pipefd[0]);
    close(pipefd[1]);
  }
  shutdown(out, SHUT_WR);
}

void Relay(std::shared_ptr<Listener> l, int client) {
  int upstream = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = l->target_ip.load();
  to.sin_port = htons(l->target_port.load());
  int one = 1;
  bool ok = upstream >= 0 && connect(upstream, reinterpret_cast<sockaddr*>(&to), sizeof(to)) == 0;
  if (ok) {
    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(upstream, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    {
      std::lock_guard<std::mutex> lock(l->mu);
      l->conns.insert(client);
      l->conns.insert(upstream);
    }
    std::thread back(Pump, upstream, client);
    Pump(client, upstream);
    back.join();
    std::lock_guard<std::mutex> lock(l->mu);
    l->conns.erase(client);
    l->conns.erase(upstream);
  }
  if (upstream >= 0) close(upstream);
  close(client);
  std::lock_guard<std::mutex> lock(l->mu);
  l->live--;
  l->idle.notify_all();
}

void Accept(std::shared_ptr<Listener> l) {
  pollfd fds[2] = {{l->fd, POLLIN, 0}, {l->wake[0], POLLIN, 0}};
  for (;;) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    int client = accept4(l->fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    if (l->target_ip.load() == 0) {
      close(client);
      continue;
    }
    {
      std::lock_guard<std::mutex> lock(l->mu);
      l->live++;
    }
    std::thread(Relay, l, client).detach();
  }
}

// A bound, listening socket or -errno.
int Bind(const std::string& host, uint16_t port) {
  sockaddr_storage addr{};
  socklen_t len;
  int family;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    family = v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    len = sizeof(*v4);
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    family = v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    len = sizeof(*v6);
  } else {
    return -EINVAL;
  }
  int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  int one = 1;
  // SO_REUSEADDR only lets a port in TIME_WAIT be bound again; Linux still refuses a port someone listens on.
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
      (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) ||
      bind(fd, reinterpret_cast<sockaddr*>(&addr), len) < 0 || listen(fd, 511) < 0) {
    int err = errno;
    close(fd);
    return -err;
  }
  return fd;
}

std::shared_ptr<Listener> Find(uint32_t id) {
  std::lock_guard<std::mutex> lock(g_mu);
  auto it = g_listeners.find(id);
  return it == g_listeners.end() ? nullptr : it->second;
}

}  // namespace

Napi::Value ProxyListen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string host;
  uint32_t port;
  if (!ArgString(info, 0, "host", &host) || !ArgUint32(info, 1, "port", &port)) return env.Undefined();
  std::string what = host + " port " + std::to_string(port);
  int fd = Bind(host, static_cast<uint16_t>(port));
  if (fd < 0) {
    ThrowSyscallError(env, -fd, "bind", what);
    return env.Undefined();
  }
  auto l = std::make_shared<Listener>();
  l->fd = fd;
  if (pipe2(l->wake, O_CLOEXEC) < 0) {
    ThrowSyscallError(env, errno, "pipe", what);
    close(fd);
    return env.Undefined();
  }
  l->acceptor = std::thread(Accept, l);
  std::lock_guard<std::mutex> lock(g_mu);
  uint32_t id = g_next++;
  g_listeners[id] = l;
  return Napi::Number::New(env, id);
}

Napi::Value ProxyTarget(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t id, port;
  std::string ip;
  if (!ArgUint32(info, 0, "id", &id) || !ArgString(info, 1, "ip", &ip) || !ArgUint32(info, 2, "port", &port)) {
    return env.Undefined();
  }
  in_addr addr;
  auto l = Find(id);
  if (!l || inet_pton(AF_INET, ip.c_str(), &addr) != 1) {
    Napi::TypeError::New(env, "proxyTarget: unknown listener or bad IPv4 address").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  l->target_port = static_cast<uint16_t>(port);
  l->target_ip = addr.s_addr;
  return env.Undefined();
}

Napi::Value ProxyClose(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t id;
  if (!ArgUint32(info, 0, "id", &id)) return env.Undefined();
  std::shared_ptr<Listener> l;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    auto it = g_listeners.find(id);
    if (it == g_listeners.end()) return env.Undefined();
    l = it->second;
    g_listeners.erase(it);
  }
  char byte = 1;
  ssize_t ignored = write(l->wake[1], &byte, 1);
  (void)ignored;
  l->acceptor.join();
  close(l->fd);
  close(l->wake[0]);
  close(l->wake[1]);
  std::unique_lock<std::mutex> lock(l->mu);
  for (int fd : l->conns) shutdown(fd, SHUT_RDWR);  // Wakes the pumps.
  // A relay still connecting to a vanished container may take a while: it
  // owns a reference and finishes on its own, so closing never blocks long.
  l->idle.wait_for(lock, std::chrono::milliseconds(500), [&] { return l->live == 0; });
  return env.Undefined();
}

}  // namespace berth
