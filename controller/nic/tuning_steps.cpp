#include "controller/nic/tuning_steps.h"

#include <algorithm>

#include "controller/nic/irq_affinity.h"
#include "controller/port_directory.h"
#include "sys/shell_word.h"

namespace snoc::nic {
namespace {

using offload::EswitchMode;

Step base(const spec::NicSpec& want, StepKind k) {
    Step s;
    s.kind = k;
    s.nic = want.name;
    return s;
}

// One netdev the port phase tunes, under the name it will have.
struct Target {
    std::string name;
    int ifindex = 0;
    std::optional<uint16_t> vf;
};

std::vector<Target> targets(const spec::NicSpec& want, const NicState& have) {
    std::vector<Target> out;
    out.push_back({have.pf_netdev.empty() ? "<pf>" : have.pf_netdev, have.pf_ifindex, std::nullopt});
    for (uint16_t vf = 0; want.eswitch_mode == EswitchMode::Switchdev && vf < want.num_vfs; ++vf) {
        const DevlinkPort* port = have.vf_port(vf);
        out.push_back({spec::representor_name(want, vf), port ? port->ifindex : 0, vf});
    }
    return out;
}

}  // namespace

void add_note(std::vector<std::string>* notes, const std::string& note) {
    if (notes && std::find(notes->begin(), notes->end(), note) == notes->end()) notes->push_back(note);
}

void eswitch_setting_steps(std::vector<Step>& out, const spec::NicSpec& want, const offload::NicProfile& profile,
                           const NicState& have, bool mode_changes, std::vector<std::string>* notes) {
    const offload::EswitchSettings& e = profile.eswitch;
    if (want.eswitch_mode != EswitchMode::Switchdev) return;
    const std::string dev = "devlink dev eswitch set " + sys::shell_word(have.devlink.str());
    const std::string why = " (profile " + profile.name + " marks it optional)";
    if (e.inline_mode) {
        const std::string mode(to_string(*e.inline_mode));
        if (!mode_changes && !have.inline_mode && e.optional) {
            add_note(notes, "inline-mode " + mode + " not set: the driver does not report an inline mode" + why);
        } else if (mode_changes || have.inline_mode != e.inline_mode) {
            Step s = base(want, StepKind::SetInlineMode);
            s.inline_mode = *e.inline_mode;
            s.optional = e.optional;
            s.description = "eswitch inline mode is " + mode;
            s.command = dev + " inline-mode " + mode;
            out.push_back(s);
        }
    }
    if (e.encap_mode) {
        const std::string mode(to_string(*e.encap_mode));
        if (!mode_changes && !have.encap_mode && e.optional) {
            add_note(notes, "encap-mode " + mode + " not set: the driver does not report an encap mode" + why);
        } else if (mode_changes || have.encap_mode != e.encap_mode) {
            Step s = base(want, StepKind::SetEncapMode);
            s.encap_mode = *e.encap_mode;
            s.optional = e.optional;
            s.description = "eswitch encap mode is " + mode;
            s.command = dev + " encap-mode " + mode;
            out.push_back(s);
        }
    }
}

void netdev_steps(std::vector<Step>& out, const spec::NicSpec& want, const NicState& have) {
    const std::vector<Target> all = targets(want, have);
    // hw-tc-offload first: some drivers refuse feature changes on a running port.
    for (const Target& t : all) {
        const NetdevState* st = have.netdev(t.ifindex);
        if (!want.hw_tc_offload || (st && st->hw_tc_offload == true)) continue;
        Step s = base(want, StepKind::SetHwTcOffload);
        s.vf = t.vf;
        s.netdev = t.name;
        s.ifindex = t.ifindex;
        s.description = "hw-tc-offload is on for " + t.name +
                        (st && !st->hw_tc_offload_changeable ? " (ethtool -k shows it [fixed]: the driver will refuse)" : "");
        s.command = "ethtool -K " + sys::shell_word(t.name) + " hw-tc-offload on";
        out.push_back(s);
    }
    for (const Target& t : all) {
        const NetdevState* st = have.netdev(t.ifindex);
        if (st && st->up) continue;
        Step s = base(want, StepKind::SetLinkUp);
        s.vf = t.vf;
        s.netdev = t.name;
        s.ifindex = t.ifindex;
        s.description = t.name + " is up";
        s.command = "ip link set " + sys::shell_word(t.name) + " up";
        out.push_back(s);
    }
}

void irq_steps(std::vector<Step>& out, const spec::NicSpec& want, const NicState& have, std::vector<std::string>* notes) {
    if (!want.irq_affinity) return;
    const std::string device = have.device_path.empty() ? "<device>" : have.device_path;
    if (have.irqs.empty()) {
        add_note(notes, "IRQ affinity skipped: " + device + " has no MSI IRQs (no msi_irqs directory; virtual "
                        "devices such as netdevsim have none)");
        return;
    }
    if (!have.numa_node) {
        add_note(notes, "IRQ affinity left alone: " + device + " reports no NUMA node (numa_node -1), so every CPU is as near");
        return;
    }
    if (have.numa_cpus.empty()) {
        add_note(notes, "IRQ affinity left alone: NUMA node " + std::to_string(*have.numa_node) + " has no CPUs");
        return;
    }
    const std::string cpus = format_cpulist(have.numa_cpus);
    for (const IrqState& irq : have.irqs) {
        if (irq.cpus == have.numa_cpus) continue;
        Step s = base(want, StepKind::SetIrqAffinity);
        s.irq = irq.irq;
        s.cpus = have.numa_cpus;
        s.vf = irq.vf;
        s.description = "IRQ " + std::to_string(irq.irq) + " (" + irq.owner + ") runs on CPUs " + cpus + " of NUMA node " +
                        std::to_string(*have.numa_node);
        s.command = "echo " + cpus + " > /proc/irq/" + std::to_string(irq.irq) + "/smp_affinity_list";
        out.push_back(s);
    }
}

}  // namespace snoc::nic
