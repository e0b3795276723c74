#include "controller/nic/nic_reconcile.h"

#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "controller/nic/devlink.h"
#include "controller/nic/sysfs.h"
#include "controller/nic/vf_link.h"
#include "controller/port_directory.h"

namespace snoc::nic {
namespace {

using offload::EswitchMode;
using offload::ModeChangeRule;
using offload::Status;

Step numvfs_step(const spec::NicSpec& want, const NicState& have, uint32_t n) {
    Step s;
    s.kind = StepKind::SetNumVfs;
    s.nic = want.name;
    s.count = n;
    s.description = n == 0 ? "no VFs exist" : std::to_string(n) + " VFs exist";
    s.command = "echo " + std::to_string(n) + " > " + (have.device_path.empty() ? "<device>" : have.device_path) +
                "/sriov_numvfs";
    return s;
}

Step mode_step(const spec::NicSpec& want, const NicState& have) {
    Step s;
    s.kind = StepKind::SetEswitchMode;
    s.nic = want.name;
    s.mode = want.eswitch_mode;
    s.description = "eswitch mode is " + std::string(to_string(want.eswitch_mode));
    s.command = "devlink dev eswitch set " + have.devlink.str() + " mode " + std::string(to_string(want.eswitch_mode));
    return s;
}

Step bind_step(const spec::NicSpec& want, StepKind k) {
    Step s;
    s.kind = k;
    s.nic = want.name;
    const bool unbind = k == StepKind::UnbindVfs;
    s.description = unbind ? "VFs are unbound from their driver (the mode changes only then)"
                           : "VFs are bound to their driver again";
    s.command = std::string("for vf in <VF PCI addresses>; do echo $vf > /sys/bus/pci/drivers/<vf driver>/") +
                (unbind ? "unbind" : "bind") + "; done";
    return s;
}

// The VF count changes through zero: the kernel refuses N -> M with both non-zero.
void change_vfs(std::vector<Step>& out, const spec::NicSpec& want, const NicState& have) {
    if (have.sriov_numvfs == want.num_vfs) return;
    if (have.sriov_numvfs != 0 && want.num_vfs != 0) out.push_back(numvfs_step(want, have, 0));
    out.push_back(numvfs_step(want, have, want.num_vfs));
}

}  // namespace

std::string_view to_string(StepKind k) {
    switch (k) {
        case StepKind::SetNumVfs: return "set-num-vfs";
        case StepKind::UnbindVfs: return "unbind-vfs";
        case StepKind::SetEswitchMode: return "set-eswitch-mode";
        case StepKind::BindVfs: return "bind-vfs";
        case StepKind::RenameRepresentor: return "rename-representor";
        case StepKind::SetVfMac: return "set-vf-mac";
        case StepKind::SetVfSettings: return "set-vf-settings";
    }
    return "unknown";
}

std::vector<Step> device_steps(const spec::NicSpec& want, const offload::NicProfile& profile, const NicState& have) {
    std::vector<Step> out;
    const bool mode_differs = have.eswitch_mode != want.eswitch_mode;
    if (!mode_differs) {
        change_vfs(out, want, have);
        return out;
    }
    switch (profile.mode_change) {
        case ModeChangeRule::RequiresNoVfs:
            // ice: the mode changes only while no VFs exist.
            if (have.sriov_numvfs != 0) out.push_back(numvfs_step(want, have, 0));
            out.push_back(mode_step(want, have));
            if (want.num_vfs != 0) out.push_back(numvfs_step(want, have, want.num_vfs));
            break;
        case ModeChangeRule::RequiresUnbound: {
            // mlx5: VFs may exist, but unbound from their driver while the mode changes.
            NicState after = have;
            change_vfs(out, want, have);
            after.sriov_numvfs = want.num_vfs;
            if (after.sriov_numvfs != 0) out.push_back(bind_step(want, StepKind::UnbindVfs));
            out.push_back(mode_step(want, have));
            if (after.sriov_numvfs != 0) out.push_back(bind_step(want, StepKind::BindVfs));
            break;
        }
        case ModeChangeRule::Any:
            out.push_back(mode_step(want, have));
            change_vfs(out, want, have);
            break;
    }
    return out;
}

std::vector<Step> port_steps(const spec::NicSpec& want, const NicState& have) {
    std::vector<Step> out;
    // Representors exist only in switchdev mode.
    for (uint16_t vf = 0; want.eswitch_mode == EswitchMode::Switchdev && vf < want.num_vfs; ++vf) {
        const DevlinkPort* port = have.vf_port(vf);
        const std::string name = spec::representor_name(want, vf);
        if (!port || port->netdev != name) {
            Step s;
            s.kind = StepKind::RenameRepresentor;
            s.nic = want.name;
            s.vf = vf;
            s.netdev = port ? port->netdev : "";
            s.new_name = name;
            s.description = "the representor of VF " + std::to_string(vf) + " is named " + name;
            s.command = "ip link set " + (port ? port->netdev : "<representor of vf " + std::to_string(vf) + ">") +
                        " name " + name;
            out.push_back(s);
        }
    }
    for (const spec::VfSpec& vf : want.vfs) {
        const DevlinkPort* port = have.vf_port(vf.index);
        const VfLink* link = have.vf_link(vf.index);
        const std::string ip_vf = "ip link set " + (have.pf_netdev.empty() ? "<pf>" : have.pf_netdev) + " vf " +
                                  std::to_string(vf.index);
        // The VF's MAC: the devlink port function's when the driver has one, else IFLA_VF_MAC.
        const std::optional<net::Mac> current_mac =
            port && port->function_mac ? port->function_mac : link ? std::optional<net::Mac>(link->mac) : std::nullopt;
        if (vf.mac && current_mac != vf.mac) {
            Step s;
            s.kind = StepKind::SetVfMac;
            s.nic = want.name;
            s.vf = vf.index;
            s.mac = *vf.mac;
            s.port_index = port ? port->index : 0;
            s.description = "VF " + std::to_string(vf.index) + " has MAC " + net::format_mac(*vf.mac);
            s.command = port ? "devlink port function set " + have.devlink.str() + "/" + std::to_string(port->index) +
                                   " hw_addr " + net::format_mac(*vf.mac)
                             : ip_vf + " mac " + net::format_mac(*vf.mac);
            out.push_back(s);
        }
        Step s;
        s.kind = StepKind::SetVfSettings;
        s.nic = want.name;
        s.vf = vf.index;
        std::string what, cmd;
        if (vf.vlan && (!link || link->vlan != *vf.vlan || link->qos != vf.qos.value_or(0))) {
            s.vlan_qos = std::pair<uint16_t, uint8_t>{*vf.vlan, vf.qos.value_or(0)};
            what += " VLAN " + std::to_string(*vf.vlan) + " QoS " + std::to_string(vf.qos.value_or(0)) + ",";
            cmd += " vlan " + std::to_string(*vf.vlan) + " qos " + std::to_string(vf.qos.value_or(0));
        }
        if (vf.spoofchk && (!link || link->spoofchk != vf.spoofchk)) {
            s.spoofchk = vf.spoofchk;
            what += std::string(" spoof checking ") + (*vf.spoofchk ? "on" : "off") + ",";
            cmd += std::string(" spoofchk ") + (*vf.spoofchk ? "on" : "off");
        }
        if (vf.trust && (!link || link->trust != vf.trust)) {
            s.trust = vf.trust;
            what += std::string(" trust ") + (*vf.trust ? "on" : "off") + ",";
            cmd += std::string(" trust ") + (*vf.trust ? "on" : "off");
        }
        if (vf.max_tx_rate_mbps && (!link || link->max_tx_rate_mbps != *vf.max_tx_rate_mbps)) {
            s.max_tx_rate_mbps = vf.max_tx_rate_mbps;
            what += " TX rate at most " + std::to_string(*vf.max_tx_rate_mbps) + " Mbit/s,";
            cmd += " max_tx_rate " + std::to_string(*vf.max_tx_rate_mbps);
        }
        if (!what.empty()) {
            what.pop_back();
            s.description = "VF " + std::to_string(vf.index) + " has" + what;
            s.command = ip_vf + cmd;
            out.push_back(s);
        }
    }
    return out;
}

namespace {

// Renames a netdev (it must be down; representors come up later).
Status rename_netdev(offload::tc::NetlinkSocket& rtnl, int ifindex, const std::string& name) {
    offload::tc::NlMsgPtr m(nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK));
    if (!m) return Status::failure(ENOMEM, "cannot allocate a netlink message");
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = ifindex;
    if (nlmsg_append(m.get(), &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0 || nla_put_string(m.get(), IFLA_IFNAME, name.c_str()) < 0) {
        return Status::failure(EMSGSIZE, "message full");
    }
    std::vector<offload::tc::NlMsgPtr> batch;
    batch.push_back(std::move(m));
    return rtnl.transact(batch).front();
}

class SystemOps : public NicOps {
public:
    SystemOps(std::string root, std::unique_ptr<Devlink> devlink, std::unique_ptr<offload::tc::NetlinkSocket> rtnl)
        : sysfs_(std::move(root)), devlink_(std::move(devlink)), rtnl_(std::move(rtnl)) {}

    Status read(const spec::NicSpec& nic, NicState& out) override {
        std::string pf = nic.pf;
        if (pf.empty()) {
            if (auto s = sysfs_.pf_of_pci(nic.pci, pf); !s.ok()) return s;
        }
        out = NicState{};
        if (auto s = sysfs_.read_pf(pf, out); !s.ok()) return s;
        if (auto s = devlink_->eswitch_mode(out.devlink, out.eswitch_mode); !s.ok() && s.error != EOPNOTSUPP) return s;
        if (auto s = devlink_->ports(out.devlink, out.ports); !s.ok()) return s;
        // Drivers without devlink ports: find representors by switch id and phys_port_name.
        if (out.ports.empty()) out.ports = sysfs_.representors(out.phys_switch_id);
        if (out.sriov_numvfs > 0 && out.pf_ifindex > 0) {
            if (auto s = read_vf_links(*rtnl_, out.pf_ifindex, out.vf_links); !s.ok()) return s;
        }
        return Status::success();
    }

    Status apply(const NicState& state, const Step& step) override {
        switch (step.kind) {
            case StepKind::SetNumVfs: return sysfs_.write_numvfs(state, step.count);
            case StepKind::SetEswitchMode: return devlink_->set_eswitch_mode(state.devlink, step.mode);
            case StepKind::UnbindVfs:
            case StepKind::BindVfs: return bind_vfs(state, step.kind == StepKind::BindVfs);
            case StepKind::RenameRepresentor: {
                const DevlinkPort* port = step.vf ? state.vf_port(*step.vf) : nullptr;
                if (!port || port->ifindex == 0) {
                    return Status::failure(ENODEV, "no representor netdev for VF " + std::to_string(step.vf.value_or(0)));
                }
                return rename_netdev(*rtnl_, port->ifindex, step.new_name);
            }
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
        }
        return Status::failure(EINVAL, "unknown step");
    }

private:
    // VFs appear as virtfnN links under the PF's device.
    Status bind_vfs(const NicState& state, bool bind) {
        (void)state;
        (void)bind;
        return Status::failure(EOPNOTSUPP, "VF unbind / bind is not implemented yet");
    }

    Sysfs sysfs_;
    std::unique_ptr<Devlink> devlink_;
    std::unique_ptr<offload::tc::NetlinkSocket> rtnl_;
};

}  // namespace

bool representors_ready(const spec::NicSpec& want, const NicState& have) {
    if (want.eswitch_mode != EswitchMode::Switchdev) return true;
    for (uint16_t vf = 0; vf < want.num_vfs; ++vf) {
        const DevlinkPort* p = have.vf_port(vf);
        if (!p || p->ifindex == 0 || p->netdev.empty()) return false;
    }
    return true;
}

std::unique_ptr<NicOps> system_ops(Status& status, std::string sysfs_root) {
    std::unique_ptr<Devlink> devlink;
    status = Devlink::open(devlink);
    if (!status.ok()) return nullptr;
    std::unique_ptr<offload::tc::NetlinkSocket> rtnl;
    status = offload::tc::NetlinkSocket::open(rtnl);
    if (!status.ok()) return nullptr;
    return std::make_unique<SystemOps>(std::move(sysfs_root), std::move(devlink), std::move(rtnl));
}

NicReport reconcile_nic(const spec::NicSpec& want, const offload::NicProfile& profile, NicOps& ops, bool dry_run) {
    NicReport report;
    report.nic = want.name;
    NicState have;
    if (report.status = ops.read(want, have); !report.status.ok()) {
        report.status.reason = "NIC " + want.name + ": " + report.status.reason;
        return report;
    }
    auto run = [&](const std::vector<Step>& steps, const NicState& state) {
        for (const Step& step : steps) {
            if (!dry_run) {
                Status s = ops.apply(state, step);
                if (!s.ok()) {
                    report.failed = step;
                    report.status = s;
                    report.status.reason = "NIC " + want.name +
                                           (step.vf ? " VF " + std::to_string(*step.vf) : std::string()) + ", step " +
                                           std::string(to_string(step.kind)) + ": " + s.reason;
                    return false;
                }
            }
            report.done.push_back(step);
        }
        return true;
    };
    if (dry_run) {
        if (!run(device_steps(want, profile, have), have)) return report;
        // Predict the port phase: after the device phase the representors exist, with names unknown.
        NicState predicted = have;
        predicted.eswitch_mode = want.eswitch_mode;
        predicted.sriov_numvfs = want.num_vfs;
        if (have.sriov_numvfs != want.num_vfs || have.eswitch_mode != want.eswitch_mode) predicted.ports.clear();
        run(port_steps(want, predicted), predicted);
        return report;
    }
    // The device phase repeats until the NIC reads back as wanted: one change
    // can undo another (netdevsim returns to legacy mode when its VFs go to 0).
    for (int pass = 0;; ++pass) {
        const auto steps = device_steps(want, profile, have);
        if (steps.empty()) break;
        if (pass == 3) {
            report.status = Status::failure(EAGAIN, "NIC " + want.name + " does not settle: after 3 passes it still needs " +
                                                        steps.front().description);
            return report;
        }
        if (!run(steps, have)) return report;
        if (report.status = ops.read(want, have); !report.status.ok()) return report;
    }
    // Drivers create representors asynchronously after the VF count or mode
    // changes: wait (up to 10 s) until every VF has its representor.
    NicState after;
    for (int attempt = 0; attempt < 100; ++attempt) {
        if (report.status = ops.read(want, after); !report.status.ok()) return report;
        if (representors_ready(want, after)) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    run(port_steps(want, after), after);
    return report;
}

}  // namespace snoc::nic
