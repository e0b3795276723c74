#include "controller/nic/nic_reconcile.h"
#include "flow/enum_names.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <thread>

#include "controller/nic/tuning_steps.h"
#include "controller/port_directory.h"
#include "sys/shell_word.h"

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
    s.command = "echo " + std::to_string(n) + " > " +
                (have.device_path.empty() ? "<device>/sriov_numvfs" : sys::shell_word(have.device_path + "/sriov_numvfs"));
    return s;
}

Step mode_step(const spec::NicSpec& want, const NicState& have) {
    Step s;
    s.kind = StepKind::SetEswitchMode;
    s.nic = want.name;
    s.mode = want.eswitch_mode;
    s.description = "eswitch mode is " + std::string(to_string(want.eswitch_mode));
    s.command = "devlink dev eswitch set " + sys::shell_word(have.devlink.str()) + " mode " +
                std::string(to_string(want.eswitch_mode));
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
    static constexpr std::array<std::string_view, 16> kNames{
        "set-num-vfs", "unbind-vfs", "set-eswitch-mode", "bind-vfs", "rename-representor", "set-vf-mac", "set-vf-settings", "set-inline-mode", "set-encap-mode", "set-hw-tc-offload", "set-link-up", "set-irq-affinity", "create-netns", "create-port-pair", "configure-port", "load-eswitch"};
    static_assert(names_cover(kNames, StepKind::LoadEswitch));
    return name_of(k, kNames);
}

std::vector<Step> device_steps(const spec::NicSpec& want, const offload::NicProfile& profile, const NicState& have,
                               std::vector<std::string>* notes) {
    std::vector<Step> out;
    const bool mode_differs = have.eswitch_mode != want.eswitch_mode;
    if (!mode_differs) {
        change_vfs(out, want, have);
        eswitch_setting_steps(out, want, profile, have, false, notes);
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
    // Inline and encap mode once the mode is switchdev (drivers such as mlx5
    // keep them per mode); before the VFs are bound again would also do.
    eswitch_setting_steps(out, want, profile, have, true, notes);
    return out;
}

std::vector<Step> port_steps(const spec::NicSpec& want, const NicState& have, std::vector<std::string>* notes) {
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
            s.command = "ip link set " +
                        (port ? sys::shell_word(port->netdev) : "<representor of vf " + std::to_string(vf) + ">") +
                        " name " + sys::shell_word(name);
            out.push_back(s);
        }
    }
    // Renamed first: a netdev must be down to be renamed.
    netdev_steps(out, want, have);
    for (const spec::VfSpec& vf : want.vfs) {
        const DevlinkPort* port = have.vf_port(vf.index);
        const VfLink* link = have.vf_link(vf.index);
        const std::string ip_vf = "ip link set " + (have.pf_netdev.empty() ? "<pf>" : sys::shell_word(have.pf_netdev)) +
                                  " vf " + std::to_string(vf.index);
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
            s.command = port ? "devlink port function set " +
                                   sys::shell_word(have.devlink.str() + "/" + std::to_string(port->index)) +
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
    irq_steps(out, want, have, notes);
    return out;
}

bool representors_ready(const spec::NicSpec& want, const NicState& have) {
    if (want.eswitch_mode != EswitchMode::Switchdev) return true;
    for (uint16_t vf = 0; vf < want.num_vfs; ++vf) {
        const DevlinkPort* p = have.vf_port(vf);
        if (!p || p->ifindex == 0 || p->netdev.empty()) return false;
    }
    return true;
}

NicReport reconcile_nic(const spec::NicSpec& want, const offload::NicProfile& profile, NicOps& ops, bool dry_run) {
    NicReport report;
    report.nic = want.name;
    NicState have;
    if (report.status = ops.read(want, have); !report.status.ok()) {
        report.status.reason = "NIC " + want.name + ": " + report.status.reason;
        return report;
    }
    // Optional steps the driver refused in this run: asked once, not again in later passes.
    std::vector<StepKind> refused;
    auto not_refused = [&](std::vector<Step> steps) {
        std::erase_if(steps, [&](const Step& st) {
            return st.optional && std::find(refused.begin(), refused.end(), st.kind) != refused.end();
        });
        return steps;
    };
    auto run = [&](const std::vector<Step>& steps, const NicState& state) {
        for (const Step& step : steps) {
            if (!dry_run) {
                Status s = ops.apply(state, step);
                if (!s.ok() && step.optional && s.error == EOPNOTSUPP) {
                    refused.push_back(step.kind);
                    add_note(&report.notes, step.description + ": not done, the driver does not support it (optional): " +
                                                s.reason);
                    continue;
                }
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
        if (!run(device_steps(want, profile, have, &report.notes), have)) return report;
        // Predict the port phase: after the device phase the representors exist, with names unknown.
        NicState predicted = have;
        predicted.eswitch_mode = want.eswitch_mode;
        predicted.sriov_numvfs = want.num_vfs;
        if (have.sriov_numvfs != want.num_vfs || have.eswitch_mode != want.eswitch_mode) predicted.ports.clear();
        run(port_steps(want, predicted, &report.notes), predicted);
        return report;
    }
    // The device phase repeats until the NIC reads back as wanted: one change
    // can undo another (netdevsim returns to legacy mode when its VFs go to 0).
    for (int pass = 0;; ++pass) {
        // After a refusal the driver's answer is already a note; the "does not report" notes would repeat it.
        const auto steps = not_refused(device_steps(want, profile, have, refused.empty() ? &report.notes : nullptr));
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
    run(port_steps(want, after, &report.notes), after);
    return report;
}

}  // namespace snoc::nic
