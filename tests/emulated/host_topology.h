// The emulated NIC's topology for host tests, built with iproute2 in
// namespaces of this process's own (names carry the pid, so parallel test
// processes never meet):
//
//   container i (ns c<i>):  vf<i>  10.77.0.<i+1>/24, MAC 02:00:00:00:00:0<i+1>
//        veth   |
//   NIC (ns nic):           vfport<i>  [eSwitch program]  repport<i>
//                                                              | veth
//   host side (ns host):                                     rep<i>   (no OVS: "unplugged")
//
// IPv6 is off everywhere and every container knows every peer's MAC, so
// the only packets on the wire are the ones a test sends.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "offload/emulated/emulated_backend.h"
#include "offload/emulated/esw_loader.h"
#include "tests/support/policy_rule.h"  // policy_rule(): a policy text as an eSwitch rule

namespace snoc::test {

int sh(const std::string& cmd);

std::string output_of(const std::string& cmd);

class HostTopology {
public:
    explicit HostTopology(int vfs);
    ~HostTopology();

    // Loads the eSwitch (table of `table_size` rules) and makes every
    // vfport / repport its port. Empty string on success, else why not.
    std::string load(uint32_t table_size = 64);
    // Unloads and deletes every namespace; returns the first failure's text.
    std::string teardown();

    // Lets the eSwitch go as a process exit would (EswLoader::release: the
    // data plane keeps running) and forgets table and backend.
    void release();
    // Takes the eSwitch back as the next snoc process would: load_or_adopt,
    // a new table adopted from the maps, a new backend. Empty string on success.
    std::string adopt(bool& adopted);
    offload::emulated::EswLoadOptions options() const;
    // Deletes VF i's veth pair (vfport<i> <-> vf<i>) and makes it again, as
    // `snoc apply` re-makes a pair it finds broken: the same names, address
    // and neighbours, a new ifindex for vfport<i>, which ports() then gives.
    // The eSwitch is not attached to it (attach_vf). Empty string on success.
    std::string remake_vf(int i);
    // Makes vfport<i> and repport<i> ports of the eSwitch held now (load /
    // adopt), as bring-up attaches every port. Empty string on success.
    std::string attach_vf(int i);

    std::string ns(const std::string& role) const { return prefix_ + role; }
    std::string ns_path(const std::string& role) const { return "/run/netns/" + ns(role); }
    std::string container(int i) const { return ns("c" + std::to_string(i)); }
    static std::string ip(int i) { return "10.77.0." + std::to_string(i + 1); }
    static std::string mac(int i) { return "02:00:00:00:00:0" + std::to_string(i + 1); }
    uint32_t ifindex(const std::string& ns_role, const std::string& dev) const;
    // A counter of /sys/class/net/<dev>/statistics in namespace `role`.
    uint64_t link_stat(const std::string& role, const std::string& dev, const std::string& counter) const;

    offload::emulated::EswLoader& loader() { return *loader_; }
    offload::emulated::EswTable& table() { return *table_; }
    offload::emulated::EmulatedBackend& backend() { return *backend_; }
    const offload::emulated::EswPortMap& ports() const { return ports_; }
    const std::string& pin_dir() const { return pin_dir_; }
    const std::string& prefix() const { return prefix_; }
    bool ok() const { return ok_; }
    const std::string& error() const { return error_; }

private:
    void run(const std::string& cmd);

    int vfs_;
    uint32_t table_size_ = 64;
    std::string prefix_;
    std::string pin_dir_;
    bool ok_ = true;
    std::string error_;
    std::unique_ptr<offload::emulated::EswLoader> loader_;
    std::unique_ptr<offload::emulated::EswTable> table_;
    std::unique_ptr<offload::emulated::EmulatedBackend> backend_;
    offload::emulated::EswPortMap ports_;
};

// UDP through the topology, from the test process itself (its thread enters
// the container's namespace), so the packet count is exact.
// A socket bound in namespace `ns_path` to addr:port; -1 on failure.
int udp_listen(const std::string& ns_path, const std::string& addr, uint16_t port);
// Sends `count` datagrams of `payload` bytes; returns how many were sent.
int udp_send(const std::string& ns_path, const std::string& dst, uint16_t port, int count, size_t payload = 64);
// Datagrams waiting on `fd`, after waiting up to `wait_ms` for the first of `expect`.
int udp_drain(int fd, int expect, int wait_ms = 500);

// Raw frames on one interface, for what has no socket API: VLAN tags
// (the host kernel has no 8021q, so no VLAN interfaces either).
struct Frame {
    std::vector<uint8_t> bytes;  // as received, the outer tag not in them
    bool tagged = false;         // the kernel's PACKET_AUXDATA reports a tag
    uint16_t vlan_tci = 0;
};
// A packet socket on `dev` in namespace `ns_path`, with tag reporting; -1 on failure.
int packet_listen(const std::string& ns_path, const std::string& dev);
// Frames waiting on `fd` after `wait_ms`.
std::vector<Frame> packet_drain(int fd, int wait_ms = 300);
// Sends one complete Ethernet frame out of `dev`; true when the kernel took it.
bool packet_send(const std::string& ns_path, const std::string& dev, const std::vector<uint8_t>& frame);
// An Ethernet + 802.1Q + IPv4 + UDP frame (vid 0 = untagged) with `payload` bytes.
std::vector<uint8_t> udp_frame(const std::string& src_mac, const std::string& dst_mac, uint16_t vid,
                               const std::string& src_ip, const std::string& dst_ip, uint16_t dst_port, size_t payload);
// True when `f` is an IPv4 UDP frame to `dst_port`.
bool is_udp_to(const Frame& f, uint16_t dst_port);

}  // namespace snoc::test
