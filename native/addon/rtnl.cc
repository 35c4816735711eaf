#include "rtnl.h"

#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

namespace berth {

namespace {

// Builds one request: header, fixed part, then attributes (nestable).
class Message {
 public:
  Message(uint16_t type, uint16_t flags) {
    Grow(NLMSG_HDRLEN);
    Header()->nlmsg_type = type;
    Header()->nlmsg_flags = static_cast<uint16_t>(NLM_F_REQUEST | NLM_F_ACK | flags);
  }
  template <typename T>
  T* Fixed() {
    size_t at = Grow(NLMSG_ALIGN(sizeof(T)));
    return reinterpret_cast<T*>(buf_.data() + at);
  }
  void Attr(uint16_t type, const void* data, size_t len) {
    size_t at = Grow(RTA_ALIGN(RTA_LENGTH(len)));
    auto* rta = reinterpret_cast<rtattr*>(buf_.data() + at);
    rta->rta_type = type;
    rta->rta_len = static_cast<uint16_t>(RTA_LENGTH(len));
    if (len) std::memcpy(RTA_DATA(rta), data, len);
  }
  void Str(uint16_t type, const std::string& s) { Attr(type, s.c_str(), s.size() + 1); }
  void U32(uint16_t type, uint32_t v) { Attr(type, &v, sizeof(v)); }
  size_t Open(uint16_t type) {
    size_t at = buf_.size();
    Attr(type, nullptr, 0);
    return at;
  }
  void Close(size_t at) {
    reinterpret_cast<rtattr*>(buf_.data() + at)->rta_len =
        static_cast<uint16_t>(buf_.size() - at);
  }
  nlmsghdr* Header() { return reinterpret_cast<nlmsghdr*>(buf_.data()); }
  void* Data() { return buf_.data(); }
  size_t Size() { return buf_.size(); }

 private:
  size_t Grow(size_t n) {
    size_t at = buf_.size();
    buf_.resize(at + n, 0);
    Header()->nlmsg_len = static_cast<uint32_t>(buf_.size());
    return at;
  }
  std::vector<char> buf_;
};

int NetlinkSocket() {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  return fd < 0 ? -errno : fd;
}

}  // namespace

Rtnl::~Rtnl() {
  if (fd_ >= 0) close(fd_);
}

int Rtnl::Open() {
  fd_ = NetlinkSocket();
  return fd_ < 0 ? fd_ : 0;
}

int Rtnl::OpenIn(int pid) {
  std::string path = "/proc/" + std::to_string(pid) + "/ns/net";
  int ns = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (ns < 0) return -errno;
  int result = 0;
  // setns() changes only the calling thread; this one ends right after.
  std::thread worker([&] {
    if (setns(ns, CLONE_NEWNET) < 0) {
      result = -errno;
      return;
    }
    result = NetlinkSocket();
  });
  worker.join();
  close(ns);
  if (result < 0) return result;
  fd_ = result;
  return 0;
}

int Rtnl::Request(void* msg, size_t len) {
  auto* hdr = static_cast<nlmsghdr*>(msg);
  hdr->nlmsg_seq = ++seq_;
  ssize_t sent;
  do {
    sent = send(fd_, msg, len, 0);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) return -errno;
  char reply[8192];
  for (;;) {
    ssize_t n = recv(fd_, reply, sizeof(reply), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    for (auto* h = reinterpret_cast<nlmsghdr*>(reply); NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_seq != seq_) continue;
      if (h->nlmsg_type == NLMSG_ERROR) {
        return static_cast<nlmsgerr*>(NLMSG_DATA(h))->error;  // 0 is the ack.
      }
      if (h->nlmsg_type == NLMSG_DONE) return 0;
    }
  }
}

int Rtnl::CreateBridge(const std::string& name) {
  Message m(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  m.Fixed<ifinfomsg>()->ifi_family = AF_UNSPEC;
  m.Str(IFLA_IFNAME, name);
  size_t info = m.Open(IFLA_LINKINFO);
  m.Str(IFLA_INFO_KIND, "bridge");
  m.Close(info);
  return Request(m.Data(), m.Size());
}

int Rtnl::CreateVeth(const std::string& host, const std::string& peer, int peer_ns_fd) {
  Message m(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  m.Fixed<ifinfomsg>()->ifi_family = AF_UNSPEC;
  m.Str(IFLA_IFNAME, host);
  size_t info = m.Open(IFLA_LINKINFO);
  m.Str(IFLA_INFO_KIND, "veth");
  size_t data = m.Open(IFLA_INFO_DATA);
  size_t peer_info = m.Open(VETH_INFO_PEER);
  m.Fixed<ifinfomsg>()->ifi_family = AF_UNSPEC;
  m.Str(IFLA_IFNAME, peer);
  m.U32(IFLA_NET_NS_FD, static_cast<uint32_t>(peer_ns_fd));
  m.Close(peer_info);
  m.Close(data);
  m.Close(info);
  return Request(m.Data(), m.Size());
}

int Rtnl::Index(const std::string& name) {
  unsigned index = if_nametoindex(name.c_str());
  return static_cast<int>(index);
}

int Rtnl::SetUp(const std::string& name, int master_index) {
  Message m(RTM_NEWLINK, 0);
  auto* ifi = m.Fixed<ifinfomsg>();
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_flags = IFF_UP;
  ifi->ifi_change = IFF_UP;
  m.Str(IFLA_IFNAME, name);
  if (master_index > 0) m.U32(IFLA_MASTER, static_cast<uint32_t>(master_index));
  return Request(m.Data(), m.Size());
}

int Rtnl::SetIsolated(const std::string& name) {
  int index = Index(name);
  if (index == 0) return -ENODEV;
  Message m(RTM_SETLINK, 0);
  auto* ifi = m.Fixed<ifinfomsg>();
  ifi->ifi_family = AF_BRIDGE;
  ifi->ifi_index = index;
  size_t port = m.Open(IFLA_PROTINFO | NLA_F_NESTED);
  uint8_t on = 1;
  m.Attr(IFLA_BRPORT_ISOLATED, &on, sizeof(on));
  m.Close(port);
  return Request(m.Data(), m.Size());
}

int Rtnl::DeleteLink(const std::string& name) {
  Message m(RTM_DELLINK, 0);
  m.Fixed<ifinfomsg>()->ifi_family = AF_UNSPEC;
  m.Str(IFLA_IFNAME, name);
  return Request(m.Data(), m.Size());
}

int Rtnl::AddAddress(const std::string& name, in_addr addr, int prefix) {
  // The index must come from this socket's namespace: if_nametoindex would
  // look in the calling thread's. Names are resolved by a link request.
  Message probe(RTM_GETLINK, 0);
  probe.Fixed<ifinfomsg>()->ifi_family = AF_UNSPEC;
  probe.Str(IFLA_IFNAME, name);
  probe.Header()->nlmsg_flags = NLM_F_REQUEST;
  probe.Header()->nlmsg_seq = ++seq_;
  if (send(fd_, probe.Data(), probe.Size(), 0) < 0) return -errno;
  char reply[8192];
  ssize_t n = recv(fd_, reply, sizeof(reply), 0);
  if (n < 0) return -errno;
  auto* h = reinterpret_cast<nlmsghdr*>(reply);
  if (!NLMSG_OK(h, n)) return -EPROTO;
  if (h->nlmsg_type == NLMSG_ERROR) return static_cast<nlmsgerr*>(NLMSG_DATA(h))->error;
  int index = static_cast<ifinfomsg*>(NLMSG_DATA(h))->ifi_index;

  Message m(RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE);
  auto* ifa = m.Fixed<ifaddrmsg>();
  ifa->ifa_family = AF_INET;
  ifa->ifa_prefixlen = static_cast<unsigned char>(prefix);
  ifa->ifa_index = static_cast<unsigned>(index);
  m.Attr(IFA_LOCAL, &addr, sizeof(addr));
  m.Attr(IFA_ADDRESS, &addr, sizeof(addr));
  in_addr brd = addr;
  if (prefix < 32) brd.s_addr |= htonl(0xffffffffu >> prefix);
  m.Attr(IFA_BROADCAST, &brd, sizeof(brd));
  return Request(m.Data(), m.Size());
}

int Rtnl::AddDefaultRoute(in_addr gateway) {
  Message m(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
  auto* rt = m.Fixed<rtmsg>();
  rt->rtm_family = AF_INET;
  rt->rtm_table = RT_TABLE_MAIN;
  rt->rtm_protocol = RTPROT_BOOT;
  rt->rtm_scope = RT_SCOPE_UNIVERSE;
  rt->rtm_type = RTN_UNICAST;
  m.Attr(RTA_GATEWAY, &gateway, sizeof(gateway));
  return Request(m.Data(), m.Size());
}

}  // namespace berth
