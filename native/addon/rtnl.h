// A minimal rtnetlink client: just the link, address and route requests
// container networking needs. Every call returns 0 or a negative errno and
// names the failed step in *step, so the binding can report what broke.
#ifndef BERTH_ADDON_RTNL_H
#define BERTH_ADDON_RTNL_H

#include <netinet/in.h>

#include <cstdint>
#include <string>

namespace berth {

class Rtnl {
 public:
  Rtnl() = default;
  ~Rtnl();
  Rtnl(const Rtnl&) = delete;
  Rtnl& operator=(const Rtnl&) = delete;

  // A socket in this thread's network namespace.
  int Open();
  // A socket in the network namespace of `pid`: made by a thread that
  // setns()'d there (a socket stays bound to the namespace it was made in),
  // so the calling thread never leaves its own namespace.
  int OpenIn(int pid);

  int CreateBridge(const std::string& name);
  // A veth pair: `host` here, `peer` created straight inside the namespace
  // `peer_ns_fd` refers to.
  int CreateVeth(const std::string& host, const std::string& peer,
                 int peer_ns_fd);
  // Sets the master (0: none) and brings the link up.
  int SetUp(const std::string& name, int master_index);
  int DeleteLink(const std::string& name);
  // Marks a bridge port isolated: isolated ports never forward to each other.
  int SetIsolated(const std::string& name);
  int AddAddress(const std::string& name, in_addr addr, int prefix);
  int AddDefaultRoute(in_addr gateway);
  // 0 when the link does not exist.
  int Index(const std::string& name);

 private:
  int Request(void* msg, size_t len);
  int fd_ = -1;
  uint32_t seq_ = 0;
};

}  // namespace berth

#endif
