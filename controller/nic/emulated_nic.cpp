#include "controller/nic/emulated_nic.h"

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>

#include "controller/nic/ethtool_features.h"
#include "controller/port_directory.h"
#include "sys/process_runner.h"

#ifdef SNOC_HAVE_EMULATED
#include "offload/emulated/esw_device.h"
#include "sys/netns_scope.h"
#endif

namespace snoc::nic {

using offload::Status;

EmulatedLayout emulated_layout(const spec::NicSpec& nic) {
    EmulatedLayout l;
    l.nic_netns = "snoc-esw-" + nic.name;
    l.wire_netns = "snoc-wire-" + nic.name;
    l.pin_dir = "/run/snoc/esw/" + nic.name;
    l.pf = nic.pf.empty() ? nic.name : nic.pf;
    for (uint16_t i = 0; i < nic.num_vfs; ++i) {
        const std::string n = std::to_string(i);
        l.vfs.push_back({spec::emulated_vf_name(l.pf, i), representor_name(nic, i), "vf" + n, "rep" + n});
    }
    return l;
}

namespace {

[[maybe_unused]] bool netns_exists(const std::string& name) {
    std::error_code ec;
    return std::filesystem::exists("/run/netns/" + name, ec);
}

Status run_ip(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"ip"};
    argv.insert(argv.end(), args.begin(), args.end());
    sys::ProcessResult r;
    if (auto s = sys::run_process(argv, "", r, std::chrono::seconds(10)); !s.ok()) {
        return Status::failure(s.error, sys::describe_argv(argv) + ": " + s.reason);
    }
    if (!r.succeeded()) {
        std::string err = r.err;
        while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
        return Status::failure(EIO, sys::describe_argv(argv) + " " + r.describe() + (err.empty() ? "" : ": " + err));
    }
    return Status::success();
}

[[maybe_unused]] std::string join_argv(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"ip"};
    argv.insert(argv.end(), args.begin(), args.end());
    return sys::describe_argv(argv);
}

}  // namespace

#ifdef SNOC_HAVE_EMULATED

using offload::emulated::EswDevice;
using sys::NetnsScope;

struct EmulatedNic::Parts {
    std::unique_ptr<EswDevice> device;
};

namespace {

using sys::ifindex_in;

bool is_up_in(const std::string& ns, const std::string& dev) {
    NetnsScope scope;
    if (!ns.empty() && !scope.enter("/run/netns/" + ns).ok()) return false;
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, dev.c_str(), IFNAMSIZ - 1);
    const bool up = ::ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP);
    ::close(fd);
    return up;
}

// One veth pair of the layout: `host_dev` in `host_ns` ("" = ours) and
// `nic_dev` in the eSwitch's namespace.
struct PortPair {
    std::string what;  // "VF 0", "representor of VF 0", "uplink", "wire"
    std::string host_ns, host_dev, nic_dev;
    bool ovs_side = false;  // an OVS port: TX checksum offload off (OVS forwards in software)
    bool vf = false;        // the host end moves into a workload's namespace once attached
};

// `ip ARGS...` run in namespace `ns` ("" = ours).
std::vector<std::string> ip_in(const std::string& ns, std::vector<std::string> args) {
    if (!ns.empty()) args.insert(args.begin(), {"-n", ns});
    return args;
}

std::vector<PortPair> port_pairs(const EmulatedLayout& l) {
    std::vector<PortPair> out;
    for (size_t i = 0; i < l.vfs.size(); ++i) {
        const std::string n = std::to_string(i);
        out.push_back({"VF " + n, "", l.vfs[i].vf_netdev, l.vfs[i].vf_port, false, true});
        out.push_back({"representor of VF " + n, "", l.vfs[i].representor, l.vfs[i].rep_port, true, false});
    }
    out.push_back({"uplink representor", "", l.pf, l.uplink_port, true, false});
    out.push_back({"wire", l.wire_netns, l.wire_peer, l.wire_port, false, false});
    return out;
}

class BringUp {
public:
    BringUp(const spec::NicSpec& nic, const EmulatedLayout& l, bool dry_run, NicReport& r)
        : nic_(nic), l_(l), dry_run_(dry_run), r_(r) {}

    bool step(StepKind kind, std::string description, const std::string& command, const std::function<Status()>& act) {
        Step s;
        s.kind = kind;
        s.nic = nic_.name;
        s.description = std::move(description);
        s.command = command;
        if (!dry_run_) {
            if (Status st = act(); !st.ok()) {
                r_.status = Status::failure(st.error, "NIC " + nic_.name + ", step " + std::string(to_string(kind)) +
                                                          " (" + s.description + "): " + st.reason);
                r_.failed = s;
                return false;
            }
        }
        r_.done.push_back(std::move(s));
        return true;
    }

    bool namespaces() {
        for (const std::string& ns : {l_.nic_netns, l_.wire_netns}) {
            if (netns_exists(ns)) continue;
            const std::vector<std::string> add{"netns", "add", ns};
            // Before any link exists, so no port ever sends IPv6 noise (DAD,
            // MLD) that would land in the rule table or in OVS.
            const std::vector<std::string> v6{"netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                                              "net.ipv6.conf.default.disable_ipv6=1"};
            const std::vector<std::string> lo = ip_in(ns, {"link", "set", "lo", "up"});
            if (!step(StepKind::CreateNetns, "namespace " + ns + " exists", join_argv(add), [&] {
                    Status s = run_ip(add);
                    if (s.ok()) s = run_ip(v6);
                    if (s.ok()) s = run_ip(lo);
                    return s;
                })) {
                return false;
            }
        }
        return true;
    }

    bool pair(const PortPair& p) {
        const bool host = ifindex_in(p.host_ns, p.host_dev) != 0;
        const bool nic = ifindex_in(l_.nic_netns, p.nic_dev) != 0;
        if (host && nic) return true;
        // VF netdevs live in their workload's namespace once attached: only
        // the NIC side tells whether the pair exists then.
        if (nic && p.vf) return true;
        const std::vector<std::string> argv =
            ip_in(p.host_ns, {"link", "add", p.host_dev, "type", "veth", "peer", "name", p.nic_dev, "netns", l_.nic_netns});
        return step(StepKind::CreatePortPair, p.what + ": " + p.host_dev + " <-> " + p.nic_dev + " in " + l_.nic_netns,
                    join_argv(argv), [&] {
                        // Half a pair (an interrupted run): remove it and start over.
                        if (nic) (void)run_ip(ip_in(l_.nic_netns, {"link", "del", p.nic_dev}));
                        if (host) (void)run_ip(ip_in(p.host_ns, {"link", "del", p.host_dev}));
                        return run_ip(argv);
                    });
    }

    // IPv6 off and TX checksum offload off on the host side of OVS ports,
    // links up on both sides. Checked, so a second run changes nothing.
    bool configure(const PortPair& p, Ethtool* ethtool) {
        const uint32_t host_index = ifindex_in(p.host_ns, p.host_dev);
        if (host_index == 0) return true;  // a VF netdev already in its workload's namespace
        const bool host_up = is_up_in(p.host_ns, p.host_dev);
        const bool nic_up = is_up_in(l_.nic_netns, p.nic_dev);
        bool csum_on = false;
        if (p.ovs_side && ethtool) {
            FeatureState f;
            csum_on = ethtool->feature(static_cast<int>(host_index), "tx-checksum-ip-generic", f).ok() && f.active;
        }
        if (host_up && nic_up && !csum_on) return true;
        const std::vector<std::string> nic_up_argv = ip_in(l_.nic_netns, {"link", "set", p.nic_dev, "up"});
        const std::vector<std::string> host_up_argv = ip_in(p.host_ns, {"link", "set", p.host_dev, "up"});
        std::string cmd = join_argv(nic_up_argv) + "; ";
        if (p.ovs_side) cmd += "sysctl -w net.ipv6.conf." + p.host_dev + ".disable_ipv6=1; ethtool -K " + p.host_dev + " tx off; ";
        cmd += join_argv(host_up_argv);
        return step(StepKind::ConfigurePort, p.what + " " + p.host_dev + " configured and up", cmd, [&]() -> Status {
            if (p.ovs_side) {
                std::ofstream(std::string("/proc/sys/net/ipv6/conf/") + p.host_dev + "/disable_ipv6") << "1\n";
                if (!ethtool) return Status::failure(ENOTSUP, "ethtool netlink is not available");
                // OVS forwards these packets in software and cannot finish a
                // checksum the sender left to "hardware".
                if (Status s = ethtool->set_feature(static_cast<int>(host_index), p.host_dev, "tx-checksum-ip-generic", false);
                    !s.ok()) {
                    return s;
                }
            }
            if (Status s = run_ip(nic_up_argv); !s.ok()) return s;
            return run_ip(host_up_argv);
        });
    }

private:
    const spec::NicSpec& nic_;
    const EmulatedLayout& l_;
    bool dry_run_;
    NicReport& r_;
};

// The eSwitch's view of the layout: each VF's and the uplink's NIC-side
// pair, rules naming them by their host-side OVS port.
offload::emulated::EswDeviceOptions device_options(const EmulatedLayout& l, uint32_t table_size) {
    offload::emulated::EswDeviceOptions o;
    o.table_size = table_size;
    o.pin_dir = l.pin_dir;
    o.netns = l.nic_netns;
    for (const auto& vf : l.vfs) o.ports.push_back({vf.vf_port, vf.rep_port, vf.representor});
    o.ports.push_back({l.wire_port, l.uplink_port, l.pf});
    return o;
}

}  // namespace

NicReport EmulatedNic::bring_up(const spec::NicSpec& nic, const offload::NicProfile& profile, bool dry_run,
                                std::unique_ptr<EmulatedNic>& out) {
    NicReport r;
    r.nic = nic.name;
    const EmulatedLayout l = emulated_layout(nic);
    const offload::BackendCaps* caps = profile.caps(offload::Backend::Emulated);
    if (!caps || !caps->max_rules || *caps->max_rules == 0) {
        r.status = Status::failure(EINVAL, "NIC " + nic.name + ": profile " + profile.name +
                                               " gives the emulated backend no max_rules (the eSwitch table size)");
        return r;
    }
    BringUp b(nic, l, dry_run, r);
    if (!b.namespaces()) return r;
    const auto pairs = port_pairs(l);
    for (const auto& p : pairs) {
        if (!b.pair(p)) return r;
    }
    std::unique_ptr<Ethtool> ethtool;
    (void)Ethtool::open(ethtool);
    for (const auto& p : pairs) {
        if (!b.configure(p, ethtool.get())) return r;
    }
    if (dry_run) {
        std::error_code ec;
        if (!std::filesystem::exists(l.pin_dir + "/esw_rules", ec)) {
            b.step(StepKind::LoadEswitch, "eSwitch loaded, " + std::to_string(*caps->max_rules) + "-rule table",
                   "(snoc loads it: pinned under " + l.pin_dir + ")", [] { return Status::success(); });
        }
        return r;
    }
    auto self = std::unique_ptr<EmulatedNic>(new EmulatedNic());
    self->layout_ = l;
    self->parts_ = std::make_unique<Parts>();
    offload::emulated::EswOpenReport opened;
    const Status st = EswDevice::open(device_options(l, *caps->max_rules), self->parts_->device, opened);
    if (!opened.reloaded.empty()) {
        r.notes.push_back("the eSwitch left under " + l.pin_dir + " could not be adopted (" + opened.reloaded +
                          "): reloaded");
    }
    if (!st.ok()) {
        r.status = Status::failure(st.error, "NIC " + nic.name + ", step load-eswitch: " + st.reason);
        return r;
    }
    if (opened.forgotten) {
        // Their rules go at the next sync (EmulatedBackend: entries on no port's ifindex).
        r.notes.push_back("eSwitch of NIC " + nic.name + ": forgot " + std::to_string(opened.forgotten) +
                          " port record(s) of veth pairs re-made since it was loaded");
    }
    if (!opened.adopted) {
        Step s;
        s.kind = StepKind::LoadEswitch;
        s.nic = nic.name;
        s.description = "eSwitch loaded, " + std::to_string(*caps->max_rules) + "-rule table, attached to " +
                        std::to_string(2 * l.vfs.size() + 2) + " ports";
        s.command = "(pinned under " + l.pin_dir + "; bpftool map dump pinned " + l.pin_dir + "/esw_rules)";
        r.done.push_back(std::move(s));
    }
    out = std::move(self);
    return r;
}

Status EmulatedNic::tear_down(const spec::NicSpec& nic, std::vector<std::string>& done) {
    const EmulatedLayout l = emulated_layout(nic);
    Status first;
    std::error_code ec;
    if (std::filesystem::exists(l.pin_dir, ec) && netns_exists(l.nic_netns)) {
        if (Status s = EswDevice::destroy(l.pin_dir, l.nic_netns); !s.ok()) {
            first = s;
        } else {
            done.push_back("eSwitch of NIC " + nic.name + " detached and unpinned (" + l.pin_dir + ")");
        }
    }
    // Deleting a namespace deletes the veth ends in it and so their peers:
    // VF netdevs in workload namespaces, representors and the uplink here.
    for (const std::string& ns : {l.nic_netns, l.wire_netns}) {
        if (!netns_exists(ns)) continue;
        if (Status s = run_ip({"netns", "del", ns}); !s.ok()) {
            if (first.ok()) first = s;
        } else {
            done.push_back("namespace " + ns + " deleted");
        }
    }
    // The kernel destroys a deleted namespace's devices (and so the veth
    // peers here) asynchronously: wait, so that "down" means gone.
    std::vector<std::string> host_ends{l.pf};
    for (const auto& vf : l.vfs) host_ends.insert(host_ends.end(), {vf.representor, vf.vf_netdev});
    for (int i = 0; i < 100; ++i) {
        if (std::none_of(host_ends.begin(), host_ends.end(),
                         [](const std::string& d) { return ::if_nametoindex(d.c_str()) != 0; })) {
            break;
        }
        ::usleep(50 * 1000);
    }
    // Pins without a namespace (it was deleted by hand): unpin what is left.
    if (first.ok() && std::filesystem::exists(l.pin_dir, ec)) {
        if (Status s = EswDevice::destroy(l.pin_dir, l.nic_netns); !s.ok()) first = s;
    }
    return first;
}

EmulatedNic::~EmulatedNic() = default;

offload::OffloadBackend& EmulatedNic::backend() { return parts_->device->backend(); }

#else  // no emulated eSwitch in this build

struct EmulatedNic::Parts {};

NicReport EmulatedNic::bring_up(const spec::NicSpec& nic, const offload::NicProfile&, bool, std::unique_ptr<EmulatedNic>&) {
    NicReport r;
    r.nic = nic.name;
    r.status = Status::failure(ENOTSUP, "NIC " + nic.name +
                                            ": this build of snoc has no emulated eSwitch (it needs libbpf and clang; "
                                            "scripts/install-deps.sh installs them)");
    return r;
}

Status EmulatedNic::tear_down(const spec::NicSpec& nic, std::vector<std::string>& done) {
    const EmulatedLayout l = emulated_layout(nic);
    for (const std::string& ns : {l.nic_netns, l.wire_netns}) {
        if (!netns_exists(ns)) continue;
        if (Status s = run_ip({"netns", "del", ns}); !s.ok()) return s;
        done.push_back("namespace " + ns + " deleted");
    }
    return Status::success();
}

EmulatedNic::~EmulatedNic() = default;

offload::OffloadBackend& EmulatedNic::backend() { std::abort(); }

#endif

std::string emulated_vf_netdev(const spec::NicSpec& nic, uint16_t vf) {
    const EmulatedLayout l = emulated_layout(nic);
    if (vf >= l.vfs.size()) return "";
    return ::if_nametoindex(l.vfs[vf].vf_netdev.c_str()) != 0 ? l.vfs[vf].vf_netdev : "";
}

}  // namespace snoc::nic
