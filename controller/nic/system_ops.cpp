// The real NicOps: reads a NIC from sysfs, devlink, rtnetlink, ethtool netlink
// and procfs, and applies steps through them.
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>

#include <cerrno>

#include "controller/nic/devlink.h"
#include "controller/nic/ethtool_features.h"
#include "controller/nic/irq_affinity.h"
#include "controller/nic/nic_reconcile.h"
#include "controller/nic/sysfs.h"
#include "controller/nic/vf_link.h"

namespace snoc::nic {
namespace {

using offload::Status;
using netlink::NlMsgPtr;

constexpr const char* kHwTcOffload = "hw-tc-offload";

// One RTM_NEWLINK on an existing link: a new name, or flags.
Status change_link(netlink::NetlinkSocket& rtnl, int ifindex, const std::string* name, unsigned up_flags) {
    NlMsgPtr m(nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK));
    if (!m) return Status::failure(ENOMEM, "cannot allocate a netlink message");
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = ifindex;
    ifi.ifi_flags = up_flags;
    ifi.ifi_change = up_flags;
    if (nlmsg_append(m.get(), &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0 ||
        (name && nla_put_string(m.get(), IFLA_IFNAME, name->c_str()) < 0)) {
        return Status::failure(EMSGSIZE, "message full");
    }
    std::vector<NlMsgPtr> batch;
    batch.push_back(std::move(m));
    return rtnl.transact(batch).front();
}

Status set_link_down(netlink::NetlinkSocket& rtnl, int ifindex) {
    NlMsgPtr m(nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK));
    if (!m) return Status::failure(ENOMEM, "cannot allocate a netlink message");
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = ifindex;
    ifi.ifi_change = IFF_UP;  // flags 0: down
    if (nlmsg_append(m.get(), &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0) return Status::failure(EMSGSIZE, "message full");
    std::vector<NlMsgPtr> batch;
    batch.push_back(std::move(m));
    return rtnl.transact(batch).front();
}

class SystemOps : public NicOps {
public:
    SystemOps(std::string sys, std::string proc, std::unique_ptr<Devlink> devlink,
              std::unique_ptr<netlink::NetlinkSocket> rtnl, std::unique_ptr<Ethtool> ethtool, Status ethtool_status)
        : sysfs_(sys),
          irq_(std::move(sys), std::move(proc)),
          devlink_(std::move(devlink)),
          rtnl_(std::move(rtnl)),
          ethtool_(std::move(ethtool)),
          ethtool_status_(std::move(ethtool_status)) {}

    Status read(const spec::NicSpec& nic, NicState& out) override {
        std::string pf = nic.pf;
        if (pf.empty()) {
            if (auto s = sysfs_.pf_of_pci(nic.pci, pf); !s.ok()) return s;
        }
        out = NicState{};
        if (auto s = sysfs_.read_pf(pf, out); !s.ok()) return s;
        if (auto s = devlink_->eswitch(out.devlink, out); !s.ok() && s.error != EOPNOTSUPP) return s;
        if (auto s = devlink_->ports(out.devlink, out.ports); !s.ok()) return s;
        // Drivers without devlink ports: find representors by switch id and phys_port_name.
        if (out.ports.empty()) out.ports = sysfs_.representors(out.phys_switch_id);
        if (out.sriov_numvfs > 0 && out.pf_ifindex > 0) {
            if (auto s = read_vf_links(*rtnl_, out.pf_ifindex, out.vf_links); !s.ok()) return s;
        }
        if (auto s = read_netdevs(nic, out); !s.ok()) return s;
        if (nic.irq_affinity) {
            if (auto s = irq_.irqs(out, out.irqs); !s.ok()) return s;
            // A node whose CPU list cannot be read leaves numa_cpus empty: a note, not a failure.
            if (out.numa_node) (void)irq_.node_cpus(*out.numa_node, out.numa_cpus);
        }
        return Status::success();
    }

    Status apply(const NicState& state, const Step& step) override {
        switch (step.kind) {
            case StepKind::SetNumVfs: return sysfs_.write_numvfs(state, step.count);
            case StepKind::SetEswitchMode: return devlink_->set_eswitch_mode(state.devlink, step.mode);
            case StepKind::SetInlineMode: return devlink_->set_inline_mode(state.devlink, step.inline_mode);
            case StepKind::SetEncapMode: return devlink_->set_encap_mode(state.devlink, step.encap_mode);
            case StepKind::UnbindVfs: return sysfs_.unbind_vfs(state);
            case StepKind::BindVfs: return sysfs_.probe_vfs(state);
            case StepKind::RenameRepresentor: {
                const DevlinkPort* port = step.vf ? state.vf_port(*step.vf) : nullptr;
                if (!port || port->ifindex == 0) {
                    return Status::failure(ENODEV, "no representor netdev for VF " + std::to_string(step.vf.value_or(0)));
                }
                // Only a netdev that is down can be renamed; representors come up later in the port phase.
                Status s = change_link(*rtnl_, port->ifindex, &step.new_name, 0);
                if (s.error != EBUSY) return s;
                // It is up (an earlier run, the driver, another tool): down, rename, up again.
                if (Status d = set_link_down(*rtnl_, port->ifindex); !d.ok()) return d;
                s = change_link(*rtnl_, port->ifindex, &step.new_name, 0);
                if (Status u = change_link(*rtnl_, port->ifindex, nullptr, IFF_UP); s.ok() && !u.ok()) return u;
                return s;
            }
            case StepKind::SetHwTcOffload:
                if (!ethtool_) return ethtool_status_;
                if (step.ifindex == 0) return Status::failure(ENODEV, "no netdev " + step.netdev);
                return ethtool_->set_feature(step.ifindex, step.netdev, kHwTcOffload, true);
            case StepKind::SetLinkUp: {
                if (step.ifindex == 0) return Status::failure(ENODEV, "no netdev " + step.netdev);
                Status s = change_link(*rtnl_, step.ifindex, nullptr, IFF_UP);
                if (!s.ok()) s.reason = "ip link set " + step.netdev + " up: " + s.reason;
                return s;
            }
            case StepKind::SetIrqAffinity: return irq_.set(step.irq, step.cpus);
            case StepKind::SetVfMac: {
                const DevlinkPort* port = step.vf ? state.vf_port(*step.vf) : nullptr;
                if (port) {
                    Status s = devlink_->set_port_function_mac(state.devlink, port->index, step.mac);
                    if (s.ok() || s.error != EOPNOTSUPP) return s;
                    // The driver has no port function MAC: fall back to IFLA_VF_MAC on the PF.
                }
                VfSettings v;
                v.vf = step.vf.value_or(0);
                v.mac = step.mac;
                return set_vf(*rtnl_, state.pf_ifindex, v);
            }
            case StepKind::SetVfSettings: {
                VfSettings v;
                v.vf = step.vf.value_or(0);
                v.vlan_qos = step.vlan_qos;
                v.spoofchk = step.spoofchk;
                v.trust = step.trust;
                v.max_tx_rate_mbps = step.max_tx_rate_mbps;
                return set_vf(*rtnl_, state.pf_ifindex, v);
            }
            case StepKind::CreateNetns:
            case StepKind::CreatePortPair:
            case StepKind::ConfigurePort:
            case StepKind::LoadEswitch:
                return Status::failure(EINVAL, "step " + std::string(to_string(step.kind)) +
                                                   " belongs to an emulated NIC (emulated_nic.h), not to a real one");
        }
        return Status::failure(EINVAL, "unknown step");
    }

private:
    // The PF and every VF representor: up or down, and hw-tc-offload when the spec manages it.
    Status read_netdevs(const spec::NicSpec& nic, NicState& out) {
        std::vector<std::pair<std::string, int>> names{{out.pf_netdev, out.pf_ifindex}};
        for (const DevlinkPort& p : out.ports) {
            if (p.flavour == PortFlavour::PciVf && p.ifindex != 0 && !p.netdev.empty()) names.emplace_back(p.netdev, p.ifindex);
        }
        for (const auto& [name, ifindex] : names) {
            NetdevState n;
            n.name = name;
            n.ifindex = ifindex;
            n.up = (sysfs_.netdev_flags(name).value_or(0) & IFF_UP) != 0;
            if (nic.hw_tc_offload) {
                if (!ethtool_) return ethtool_status_;
                FeatureState f;
                if (auto s = ethtool_->feature(ifindex, kHwTcOffload, f); !s.ok()) {
                    s.reason = "netdev " + name + ": " + s.reason;
                    return s;
                }
                n.hw_tc_offload = f.active;
                n.hw_tc_offload_changeable = f.changeable;
            }
            out.netdevs.push_back(std::move(n));
        }
        return Status::success();
    }

    Sysfs sysfs_;
    IrqAffinity irq_;
    std::unique_ptr<Devlink> devlink_;
    std::unique_ptr<netlink::NetlinkSocket> rtnl_;
    std::unique_ptr<Ethtool> ethtool_;  // null when the kernel has no ethtool netlink
    Status ethtool_status_;             // why
};

}  // namespace

std::unique_ptr<NicOps> system_ops(Status& status, std::string sysfs_root, std::string procfs_root) {
    std::unique_ptr<Devlink> devlink;
    status = Devlink::open(devlink);
    if (!status.ok()) return nullptr;
    std::unique_ptr<netlink::NetlinkSocket> rtnl;
    status = netlink::NetlinkSocket::open(rtnl);
    if (!status.ok()) return nullptr;
    // Without ethtool netlink (kernels before 5.6) only hw-tc-offload is out of reach: fail that step, not all.
    std::unique_ptr<Ethtool> ethtool;
    Status ethtool_status = Ethtool::open(ethtool);
    return std::make_unique<SystemOps>(std::move(sysfs_root), std::move(procfs_root), std::move(devlink), std::move(rtnl),
                                       std::move(ethtool), std::move(ethtool_status));
}

}  // namespace snoc::nic
