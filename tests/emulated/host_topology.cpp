#include "host_topology.h"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>

#include "sys/netns_scope.h"
#include "flow/policy_syntax.h"

namespace snoc::test {

using offload::emulated::EswLoader;
using sys::NetnsScope;

int sh(const std::string& cmd) {
    const int rc = std::system((cmd + " >/dev/null 2>&1").c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string output_of(const std::string& cmd) {
    std::unique_ptr<FILE, int (*)(FILE*)> p(popen((cmd + " 2>/dev/null").c_str(), "r"), pclose);
    std::string out;
    if (!p) return out;
    char buf[256];
    while (size_t n = std::fread(buf, 1, sizeof buf, p.get())) out.append(buf, n);
    return out;
}

void HostTopology::run(const std::string& cmd) {
    if (!ok_) return;
    if (sh(cmd) != 0) {
        ok_ = false;
        error_ = "set-up command failed: " + cmd;
    }
}

HostTopology::HostTopology(int vfs) : vfs_(vfs) {
    const std::string pid = std::to_string(::getpid());
    prefix_ = "snoc-esw-" + pid + "-";
    pin_dir_ = "/run/snoc-esw-test-" + pid;
    std::vector<std::string> roles = {"nic", "host"};
    for (int i = 0; i < vfs; ++i) roles.push_back("c" + std::to_string(i));
    for (const auto& r : roles) {
        run("ip netns add " + ns(r));
        // Before any link exists, so no interface ever sends IPv6 (DAD, MLD) noise.
        run("ip netns exec " + ns(r) + " sysctl -qw net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.all.disable_ipv6=1");
        run("ip -n " + ns(r) + " link set lo up");
    }
    for (int i = 0; i < vfs; ++i) {
        const std::string n = std::to_string(i);
        const std::string c = container(i);
        run("ip -n " + ns("nic") + " link add vfport" + n + " type veth peer name vf" + n + " netns " + c);
        run("ip -n " + ns("nic") + " link add repport" + n + " type veth peer name rep" + n + " netns " + ns("host"));
        run("ip -n " + c + " link set vf" + n + " address " + mac(i));
        run("ip -n " + c + " addr add " + ip(i) + "/24 dev vf" + n);
        for (const auto& [role, dev] : {std::pair{std::string("nic"), "vfport" + n}, {std::string("nic"), "repport" + n},
                                        {c, "vf" + n}, {std::string("host"), "rep" + n}}) {
            run("ip -n " + (role == c ? c : ns(role)) + " link set " + dev + " up");
        }
    }
    // Static neighbours: no ARP on the wire, so counters see only test traffic.
    for (int i = 0; i < vfs; ++i) {
        for (int j = 0; j < vfs; ++j) {
            if (i == j) continue;
            run("ip -n " + container(i) + " neigh replace " + ip(j) + " lladdr " + mac(j) + " dev vf" + std::to_string(i) +
                " nud permanent");
        }
    }
}

HostTopology::~HostTopology() { (void)teardown(); }

uint32_t HostTopology::ifindex(const std::string& role, const std::string& dev) const {
    const std::string text = output_of("ip netns exec " + ns(role) + " cat /sys/class/net/" + dev + "/ifindex");
    return static_cast<uint32_t>(std::strtoul(text.c_str(), nullptr, 10));
}

uint64_t HostTopology::link_stat(const std::string& role, const std::string& dev, const std::string& counter) const {
    const std::string text =
        output_of("ip netns exec " + ns(role) + " cat /sys/class/net/" + dev + "/statistics/" + counter);
    return std::strtoull(text.c_str(), nullptr, 10);
}

offload::emulated::EswLoadOptions HostTopology::options() const {
    offload::emulated::EswLoadOptions opts;
    opts.table_size = table_size_;
    opts.pin_dir = pin_dir_;
    opts.netns = ns_path("nic");
    return opts;
}

std::string HostTopology::remake_vf(int i) {
    const std::string n = std::to_string(i);
    const std::string c = container(i);
    const uint32_t before = ifindex("nic", "vfport" + n);
    std::vector<std::string> cmds = {
        // Deleting one end of a veth pair deletes the other.
        "ip -n " + ns("nic") + " link del vfport" + n,
        "ip -n " + ns("nic") + " link add vfport" + n + " type veth peer name vf" + n + " netns " + c,
        "ip -n " + c + " link set vf" + n + " address " + mac(i),
        "ip -n " + c + " addr add " + ip(i) + "/24 dev vf" + n,
        "ip -n " + ns("nic") + " link set vfport" + n + " up",
        "ip -n " + c + " link set vf" + n + " up",
    };
    for (int j = 0; j < vfs_; ++j) {
        if (j == i) continue;
        cmds.push_back("ip -n " + c + " neigh replace " + ip(j) + " lladdr " + mac(j) + " dev vf" + n + " nud permanent");
    }
    for (const auto& cmd : cmds) {
        if (sh(cmd) != 0) return "re-making VF " + n + "'s pair: command failed: " + cmd;
    }
    const uint32_t after = ifindex("nic", "vfport" + n);
    if (after == 0 || after == before) {
        return "re-making VF " + n + "'s pair: vfport" + n + " has ifindex " + std::to_string(after) + " (was " +
               std::to_string(before) + ")";
    }
    ports_["rep" + n] = after;
    return "";
}

std::string HostTopology::attach_vf(int i) {
    const std::string n = std::to_string(i);
    if (!loader_) return "attaching VF " + n + ": no eSwitch is held (load or adopt first)";
    const uint32_t vfport = ifindex("nic", "vfport" + n);
    const uint32_t repport = ifindex("nic", "repport" + n);
    if (vfport == 0 || repport == 0) return "attaching VF " + n + ": no ifindex for vfport" + n + " / repport" + n;
    if (auto s = loader_->add_port(vfport, esw_port{ESW_PORT_LOOKUP, repport}); !s.ok()) {
        return "adding vfport" + n + ": " + offload::to_string(s);
    }
    // What OVS sends through the representor leaves by the VF port: its record must name the new ifindex.
    if (auto s = loader_->add_port(repport, esw_port{0, vfport}); !s.ok()) {
        return "adding repport" + n + ": " + offload::to_string(s);
    }
    return "";
}

void HostTopology::release() {
    backend_.reset();
    table_.reset();
    if (loader_) loader_->release();
    loader_.reset();
}

std::string HostTopology::adopt(bool& adopted) {
    if (auto s = EswLoader::load_or_adopt(options(), loader_, adopted); !s.ok()) return "adopting the eSwitch: " + offload::to_string(s);
    table_ = std::make_unique<offload::emulated::EswTable>(loader_->maps(), table_size_);
    if (auto s = table_->adopt(); !s.ok()) return "adopting the rule table: " + offload::to_string(s);
    backend_ = std::make_unique<offload::emulated::EmulatedBackend>(*table_, ports_);
    return "";
}

std::string HostTopology::load(uint32_t table_size) {
    if (!ok_) return error_;
    table_size_ = table_size;
    if (auto s = EswLoader::load(options(), loader_); !s.ok()) return "loading the eSwitch: " + offload::to_string(s);
    for (int i = 0; i < vfs_; ++i) {
        const std::string n = std::to_string(i);
        const uint32_t vfport = ifindex("nic", "vfport" + n);
        const uint32_t repport = ifindex("nic", "repport" + n);
        if (vfport == 0 || repport == 0) return "no ifindex for vfport" + n + " / repport" + n;
        if (auto s = loader_->add_port(vfport, esw_port{ESW_PORT_LOOKUP, repport}); !s.ok()) {
            return "adding vfport" + n + ": " + offload::to_string(s);
        }
        if (auto s = loader_->add_port(repport, esw_port{0, vfport}); !s.ok()) {
            return "adding repport" + n + ": " + offload::to_string(s);
        }
        ports_["rep" + n] = vfport;
    }
    table_ = std::make_unique<offload::emulated::EswTable>(loader_->maps(), table_size);
    backend_ = std::make_unique<offload::emulated::EmulatedBackend>(*table_, ports_);
    return "";
}

std::string HostTopology::teardown() {
    std::string first;
    backend_.reset();
    table_.reset();
    if (loader_) {
        if (auto s = loader_->teardown(); !s.ok()) first = "unloading: " + offload::to_string(s);
        loader_.reset();
    } else if (std::filesystem::exists(pin_dir_)) {
        // Released and not adopted again (a test stopped half-way): clear the pins.
        if (auto s = EswLoader::destroy_pinned(options()); !s.ok()) first = "destroying the pinned eSwitch: " + offload::to_string(s);
    }
    std::vector<std::string> roles = {"nic", "host"};
    for (int i = 0; i < vfs_; ++i) roles.push_back("c" + std::to_string(i));
    for (const auto& r : roles) {
        // Deleting a namespace deletes its veth ends and so their peers.
        if (std::filesystem::exists(ns_path(r)) && sh("ip netns del " + ns(r)) != 0 && first.empty()) {
            first = "deleting namespace " + ns(r);
        }
    }
    return first;
}

int udp_listen(const std::string& ns_path, const std::string& addr, uint16_t port) {
    NetnsScope scope;
    if (!scope.enter(ns_path).ok()) return -1;
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return -1;
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    ::inet_pton(AF_INET, addr.c_str(), &sa.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

int udp_send(const std::string& ns_path, const std::string& dst, uint16_t port, int count, size_t payload) {
    NetnsScope scope;
    if (!scope.enter(ns_path).ok()) return 0;
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return 0;
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    ::inet_pton(AF_INET, dst.c_str(), &sa.sin_addr);
    const std::string data(payload, 'x');
    int sent = 0;
    for (int i = 0; i < count; ++i) {
        if (::sendto(fd, data.data(), data.size(), 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa) ==
            static_cast<ssize_t>(data.size())) {
            ++sent;
        }
    }
    ::close(fd);
    return sent;
}

int udp_drain(int fd, int expect, int wait_ms) {
    int got = 0;
    char buf[2048];
    for (int waited = 0; waited <= wait_ms;) {
        while (::recv(fd, buf, sizeof buf, 0) >= 0) ++got;
        if (got >= expect) break;
        pollfd p{fd, POLLIN, 0};
        ::poll(&p, 1, 20);
        waited += 20;
    }
    // Anything beyond `expect` that was already in flight.
    while (::recv(fd, buf, sizeof buf, 0) >= 0) ++got;
    return got;
}

int packet_listen(const std::string& ns_path, const std::string& dev) {
    NetnsScope scope;
    if (!scope.enter(ns_path).ok()) return -1;
    const int fd = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ALL));
    if (fd < 0) return -1;
    const int on = 1;
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = static_cast<int>(::if_nametoindex(dev.c_str()));
    if (sll.sll_ifindex == 0 || ::setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &on, sizeof on) != 0 ||
        ::bind(fd, reinterpret_cast<sockaddr*>(&sll), sizeof sll) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

std::vector<Frame> packet_drain(int fd, int wait_ms) {
    ::usleep(static_cast<useconds_t>(wait_ms) * 1000);
    std::vector<Frame> out;
    for (;;) {
        uint8_t buf[2048];
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(tpacket_auxdata))];
        iovec iov{buf, sizeof buf};
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        const ssize_t n = ::recvmsg(fd, &msg, 0);
        if (n < 0) break;
        Frame f;
        f.bytes.assign(buf, buf + n);
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA) continue;
            tpacket_auxdata aux;
            std::memcpy(&aux, CMSG_DATA(c), sizeof aux);
            f.tagged = (aux.tp_status & TP_STATUS_VLAN_VALID) != 0;
            f.vlan_tci = aux.tp_vlan_tci;
        }
        out.push_back(std::move(f));
    }
    return out;
}

bool packet_send(const std::string& ns_path, const std::string& dev, const std::vector<uint8_t>& frame) {
    NetnsScope scope;
    if (!scope.enter(ns_path).ok()) return false;
    const int fd = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_ifindex = static_cast<int>(::if_nametoindex(dev.c_str()));
    sll.sll_halen = 6;
    const bool ok = ::sendto(fd, frame.data(), frame.size(), 0, reinterpret_cast<sockaddr*>(&sll), sizeof sll) ==
                    static_cast<ssize_t>(frame.size());
    ::close(fd);
    return ok;
}

namespace {

void put16(std::vector<uint8_t>& v, uint16_t x) {
    v.push_back(static_cast<uint8_t>(x >> 8));
    v.push_back(static_cast<uint8_t>(x));
}

void put_mac(std::vector<uint8_t>& v, const std::string& mac) {
    unsigned b[6] = {};
    std::sscanf(mac.c_str(), "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]);
    for (unsigned x : b) v.push_back(static_cast<uint8_t>(x));
}

}  // namespace

std::vector<uint8_t> udp_frame(const std::string& src_mac, const std::string& dst_mac, uint16_t vid,
                               const std::string& src_ip, const std::string& dst_ip, uint16_t dst_port, size_t payload) {
    std::vector<uint8_t> f;
    put_mac(f, dst_mac);
    put_mac(f, src_mac);
    if (vid != 0) {
        put16(f, ETH_P_8021Q);
        put16(f, vid);
    }
    put16(f, ETH_P_IP);
    const size_t ip_at = f.size();
    const uint16_t total = static_cast<uint16_t>(20 + 8 + payload);
    const uint8_t ip[20] = {0x45, 0, static_cast<uint8_t>(total >> 8), static_cast<uint8_t>(total), 0, 0, 0x40, 0, 64, 17};
    f.insert(f.end(), ip, ip + 20);
    ::inet_pton(AF_INET, src_ip.c_str(), &f[ip_at + 12]);
    ::inet_pton(AF_INET, dst_ip.c_str(), &f[ip_at + 16]);
    uint32_t sum = 0;
    for (size_t i = 0; i < 20; i += 2) sum += static_cast<uint32_t>(f[ip_at + i] << 8 | f[ip_at + i + 1]);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    const uint16_t csum = static_cast<uint16_t>(~sum);
    f[ip_at + 10] = static_cast<uint8_t>(csum >> 8);
    f[ip_at + 11] = static_cast<uint8_t>(csum);
    put16(f, 40000);
    put16(f, dst_port);
    put16(f, static_cast<uint16_t>(8 + payload));
    put16(f, 0);  // no UDP checksum (allowed over IPv4)
    f.insert(f.end(), payload, 'x');
    return f;
}

bool is_udp_to(const Frame& f, uint16_t dst_port) {
    // Untagged as delivered: Ethernet (14) + IPv4 (20) + UDP.
    if (f.bytes.size() < 14 + 20 + 8 || f.bytes[12] != 0x08 || f.bytes[13] != 0x00 || f.bytes[14 + 9] != 17) return false;
    const size_t l4 = 14 + (f.bytes[14] & 0xf) * 4u;
    return f.bytes.size() >= l4 + 4 && (f.bytes[l4 + 2] << 8 | f.bytes[l4 + 3]) == dst_port;
}

}  // namespace snoc::test
