#include "controller/nic/workload_attach.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "netlink/attr_policy.h"
#include "netlink/netlink_socket.h"

namespace snoc::nic {
namespace {

using offload::Status;
using netlink::NetlinkSocket;
using netlink::NlMsgPtr;

std::string netns_path(const std::string& name) { return "/run/netns/" + name; }

bool netns_exists(const std::string& name) {
    struct stat st {};
    return stat(netns_path(name).c_str(), &st) == 0;
}

// `ip netns add NAME`, run directly (argv, no shell).
Status create_netns(const std::string& name) {
    const pid_t pid = fork();
    if (pid < 0) return Status::failure(errno, "fork failed");
    if (pid == 0) {
        execlp("ip", "ip", "netns", "add", name.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        return Status::failure(EIO, "ip netns add " + name + " failed (exit " + std::to_string(WEXITSTATUS(status)) + ")");
    }
    return Status::success();
}

// A netlink socket that lives in namespace `name`, opened from a short-lived
// thread so that no thread of ours stays in another namespace.
Status socket_in(const std::string& name, std::unique_ptr<NetlinkSocket>& out, int& ns_fd) {
    ns_fd = open(netns_path(name).c_str(), O_RDONLY | O_CLOEXEC);
    if (ns_fd < 0) return Status::failure(errno, "cannot open " + netns_path(name) + ": " + std::strerror(errno));
    Status s;
    std::thread t([&] {
        if (setns(ns_fd, CLONE_NEWNET) != 0) {
            s = Status::failure(errno, std::string("setns failed: ") + std::strerror(errno));
            return;
        }
        s = NetlinkSocket::open(out);
    });
    t.join();
    return s;
}

struct Link {
    int ifindex = 0;
    unsigned flags = 0;
    uint32_t mtu = 0;
    net::Mac mac{};
};

NlMsgPtr link_msg(int type, int flags, int ifindex) {
    NlMsgPtr m(nlmsg_alloc_simple(type, flags));
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = ifindex;
    if (m && nlmsg_append(m.get(), &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0) m.reset();
    return m;
}

const netlink::AttrPolicy kLinkPolicy{"RTM_NEWLINK",
                                      {
                                          netlink::u32_attr(SNOC_NLA(IFLA_MTU)),
                                          netlink::bytes_attr(SNOC_NLA(IFLA_ADDRESS), 0),
                                      }};

// `found` stays empty when the kernel knows no such link; a reply that breaks
// kLinkPolicy fails.
Status get_link(NetlinkSocket& sock, const std::string& name, std::optional<Link>& found) {
    found.reset();
    NlMsgPtr m = link_msg(RTM_GETLINK, NLM_F_REQUEST, 0);
    if (!m || nla_put_string(m.get(), IFLA_IFNAME, name.c_str()) < 0) return Status::failure(EMSGSIZE, "message full");
    Status parsed = Status::success();
    sock.dump(std::move(m), [&](nlmsghdr* h) {
        if (h->nlmsg_type != RTM_NEWLINK) return;
        const auto* ifi = static_cast<const ifinfomsg*>(nlmsg_data(h));
        nlattr* tb[IFLA_MAX + 1] = {};
        parsed = netlink::parse_message(tb, kLinkPolicy, h, sizeof(ifinfomsg));
        if (!parsed.ok()) return;
        Link l;
        l.ifindex = ifi->ifi_index;
        l.flags = ifi->ifi_flags;
        if (tb[IFLA_MTU]) l.mtu = nla_get_u32(tb[IFLA_MTU]);
        if (tb[IFLA_ADDRESS] && nla_len(tb[IFLA_ADDRESS]) == 6) std::memcpy(l.mac.data(), nla_data(tb[IFLA_ADDRESS]), 6);
        found = l;
    });
    if (!parsed.ok()) parsed.reason = "reading link " + name + ": " + parsed.reason;
    return parsed;
}

Status send_one(NetlinkSocket& sock, NlMsgPtr m) {
    if (!m) return Status::failure(ENOMEM, "cannot build a netlink message");
    std::vector<NlMsgPtr> batch;
    batch.push_back(std::move(m));
    return sock.transact(batch).front();
}

Status move_into(NetlinkSocket& host, const std::string& netdev, int ns_fd, const std::string& ifname) {
    std::optional<Link> l;
    if (auto s = get_link(host, netdev, l); !s.ok()) return s;
    if (!l) return Status::failure(ENODEV, "netdev " + netdev + " does not exist");
    NlMsgPtr m = link_msg(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, l->ifindex);
    if (!m || nla_put_u32(m.get(), IFLA_NET_NS_FD, static_cast<uint32_t>(ns_fd)) < 0 ||
        nla_put_string(m.get(), IFLA_IFNAME, ifname.c_str()) < 0) {
        return Status::failure(EMSGSIZE, "message full");
    }
    return send_one(host, std::move(m));
}

Status create_veth(NetlinkSocket& host, const std::string& host_name, int ns_fd, const std::string& peer_name) {
    NlMsgPtr m = link_msg(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, 0);
    if (!m || nla_put_string(m.get(), IFLA_IFNAME, host_name.c_str()) < 0) return Status::failure(EMSGSIZE, "message full");
    nlattr* info = nla_nest_start(m.get(), IFLA_LINKINFO);
    if (!info || nla_put_string(m.get(), IFLA_INFO_KIND, "veth") < 0) return Status::failure(EMSGSIZE, "message full");
    nlattr* data = nla_nest_start(m.get(), IFLA_INFO_DATA);
    nlattr* peer = data ? nla_nest_start(m.get(), VETH_INFO_PEER) : nullptr;
    ifinfomsg peer_ifi{};
    peer_ifi.ifi_family = AF_UNSPEC;
    // VETH_INFO_PEER carries an ifinfomsg followed by the peer's attributes.
    if (!peer || nlmsg_append(m.get(), &peer_ifi, sizeof peer_ifi, NLMSG_ALIGNTO) < 0 ||
        nla_put_string(m.get(), IFLA_IFNAME, peer_name.c_str()) < 0 ||
        nla_put_u32(m.get(), IFLA_NET_NS_FD, static_cast<uint32_t>(ns_fd)) < 0) {
        return Status::failure(EMSGSIZE, "message full");
    }
    nla_nest_end(m.get(), peer);
    nla_nest_end(m.get(), data);
    nla_nest_end(m.get(), info);
    return send_one(host, std::move(m));
}

Status set_link(NetlinkSocket& sock, const Link& l, const std::optional<net::Mac>& mac, std::optional<uint32_t> mtu,
                bool up) {
    NlMsgPtr m(nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK));
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = l.ifindex;
    if (up) {
        ifi.ifi_flags = IFF_UP;
        ifi.ifi_change = IFF_UP;
    }
    if (!m || nlmsg_append(m.get(), &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0) return Status::failure(ENOMEM, "message");
    if (mac && nla_put(m.get(), IFLA_ADDRESS, 6, mac->data()) < 0) return Status::failure(EMSGSIZE, "message full");
    if (mtu && nla_put_u32(m.get(), IFLA_MTU, *mtu) < 0) return Status::failure(EMSGSIZE, "message full");
    return send_one(sock, std::move(m));
}

// Adds an address; EEXIST means it is already there (returns success, `added` false).
Status add_address(NetlinkSocket& sock, int ifindex, const net::IpPrefix& p, bool& added) {
    NlMsgPtr m(nlmsg_alloc_simple(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL));
    ifaddrmsg ifa{};
    ifa.ifa_family = p.address.v6 ? AF_INET6 : AF_INET;
    ifa.ifa_prefixlen = static_cast<unsigned char>(p.length);
    ifa.ifa_index = static_cast<unsigned>(ifindex);
    const int n = p.address.v6 ? 16 : 4;
    if (!m || nlmsg_append(m.get(), &ifa, sizeof ifa, NLMSG_ALIGNTO) < 0 ||
        nla_put(m.get(), IFA_LOCAL, n, p.address.bytes.data()) < 0 ||
        nla_put(m.get(), IFA_ADDRESS, n, p.address.bytes.data()) < 0) {
        return Status::failure(EMSGSIZE, "message full");
    }
    Status s = send_one(sock, std::move(m));
    added = s.ok();
    return s.error == EEXIST ? Status::success() : s;
}

Status add_default_route(NetlinkSocket& sock, const net::IpAddress& gw, bool& added) {
    NlMsgPtr m(nlmsg_alloc_simple(RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL));
    rtmsg rt{};
    rt.rtm_family = gw.v6 ? AF_INET6 : AF_INET;
    rt.rtm_table = RT_TABLE_MAIN;
    rt.rtm_protocol = RTPROT_STATIC;
    rt.rtm_scope = RT_SCOPE_UNIVERSE;
    rt.rtm_type = RTN_UNICAST;
    if (!m || nlmsg_append(m.get(), &rt, sizeof rt, NLMSG_ALIGNTO) < 0 ||
        nla_put(m.get(), RTA_GATEWAY, gw.v6 ? 16 : 4, gw.bytes.data()) < 0) {
        return Status::failure(EMSGSIZE, "message full");
    }
    Status s = send_one(sock, std::move(m));
    added = s.ok();
    return s.error == EEXIST ? Status::success() : s;
}

}  // namespace

AttachReport attach(const Attachment& a, bool dry_run) {
    AttachReport r;
    auto fail = [&](const std::string& step, Status s) {
        r.status = s;
        r.status.reason = "workload " + a.workload + ", " + step + ": " + s.reason;
        return r;
    };
    const bool ns_there = netns_exists(a.netns);
    if (dry_run) {
        if (!ns_there) r.done.push_back("network namespace " + a.netns + " exists");
        r.done.push_back((a.vf ? "the VF netdev as " : "veth " + a.veth_host + " <-> ") + a.ifname +
                         " in namespace " + a.netns + " (if not already), with its addresses, MTU and route");
        return r;
    }
    if (!ns_there) {
        if (auto s = create_netns(a.netns); !s.ok()) return fail("creating namespace " + a.netns, s);
        r.done.push_back("network namespace " + a.netns + " created");
    }
    std::unique_ptr<NetlinkSocket> host, ns;
    int ns_fd = -1;
    if (auto s = NetlinkSocket::open(host); !s.ok()) return fail("netlink", s);
    Status s = socket_in(a.netns, ns, ns_fd);
    struct FdCloser {
        int fd;
        ~FdCloser() {
            if (fd >= 0) close(fd);
        }
    } closer{ns_fd};
    if (!s.ok()) return fail("entering namespace " + a.netns, s);

    std::optional<Link> link;
    if (auto st = get_link(*ns, a.ifname, link); !st.ok()) return fail("finding " + a.ifname, st);
    if (!link) {
        if (a.vf && a.move_netdev.empty()) {
            return fail("finding its VF", Status::failure(ENODEV, "the VF has no netdev here and " + a.ifname +
                                                                       " is not in " + a.netns + " (is the VF driver bound?)"));
        }
        if (a.vf) {
            if (auto st = move_into(*host, a.move_netdev, ns_fd, a.ifname); !st.ok()) {
                return fail("moving " + a.move_netdev + " into " + a.netns, st);
            }
            r.done.push_back(a.move_netdev + " moved into " + a.netns + " as " + a.ifname);
        } else {
            if (auto st = create_veth(*host, a.veth_host, ns_fd, a.ifname); !st.ok()) {
                return fail("creating veth " + a.veth_host, st);
            }
            r.done.push_back("veth " + a.veth_host + " <-> " + a.ifname + " in " + a.netns + " created");
        }
    }
    if (!a.veth_host.empty()) {
        std::optional<Link> h;
        if (auto st = get_link(*host, a.veth_host, h); !st.ok()) return fail("host side", st);
        if (!h) return fail("host side", Status::failure(ENODEV, a.veth_host + " is missing"));
        if (!(h->flags & IFF_UP)) {
            if (auto st = set_link(*host, *h, std::nullopt, std::nullopt, true); !st.ok()) return fail("host side up", st);
            r.done.push_back(a.veth_host + " is up");
        }
    }
    if (auto st = get_link(*ns, a.ifname, link); !st.ok()) return fail("finding " + a.ifname, st);
    if (!link) return fail("finding " + a.ifname, Status::failure(ENODEV, a.ifname + " is not in " + a.netns));
    const bool mac_differs = a.mac && link->mac != *a.mac;
    const bool mtu_differs = link->mtu != a.mtu;
    const bool down = !(link->flags & IFF_UP);
    if (mac_differs || mtu_differs || down) {
        if (auto st = set_link(*ns, *link, mac_differs ? a.mac : std::nullopt,
                               mtu_differs ? std::optional<uint32_t>(a.mtu) : std::nullopt, true);
            !st.ok()) {
            return fail("setting up " + a.ifname, st);
        }
        r.done.push_back(a.ifname + " is up" + (mac_differs ? ", MAC " + net::format_mac(*a.mac) : "") +
                         (mtu_differs ? ", MTU " + std::to_string(a.mtu) : ""));
    }
    // Loopback up is a courtesy: a namespace works without it, so its failures are not the workload's.
    if (std::optional<Link> lo; get_link(*ns, "lo", lo).ok() && lo && !(lo->flags & IFF_UP)) {
        set_link(*ns, *lo, std::nullopt, std::nullopt, true);
    }
    for (const auto& p : a.addresses) {
        bool added = false;
        if (auto st = add_address(*ns, link->ifindex, p, added); !st.ok()) {
            return fail("adding " + net::format_prefix(p), st);
        }
        if (added) r.done.push_back(a.ifname + " has " + net::format_prefix(p));
    }
    if (a.gateway) {
        bool added = false;
        if (auto st = add_default_route(*ns, *a.gateway, added); !st.ok()) {
            return fail("default route via " + net::format_ip(*a.gateway), st);
        }
        if (added) r.done.push_back("default route via " + net::format_ip(*a.gateway));
    }
    return r;
}

}  // namespace snoc::nic
