// The steps that tune a NIC once its VFs and mode are right: eswitch inline /
// encap mode (device phase), hw-tc-offload and link state of the PF and the
// representors, and IRQ affinity (port phase). Each compares what was read
// with what is wanted and adds a step only for a difference; what is skipped
// on purpose is a note. Used by device_steps() / port_steps().
#pragma once

#include <string>
#include <vector>

#include "controller/nic/nic_reconcile.h"

namespace snoc::nic {

// Inline / encap mode from the profile, in switchdev mode only. `mode_changes`:
// the mode step comes first in this pass, so what was read says nothing yet.
void eswitch_setting_steps(std::vector<Step>& out, const spec::NicSpec& want, const offload::NicProfile& profile,
                           const NicState& have, bool mode_changes, std::vector<std::string>* notes);
// hw-tc-offload on (when the spec asks) and link up, for the PF and each VF's representor.
void netdev_steps(std::vector<Step>& out, const spec::NicSpec& want, const NicState& have);
// Every MSI IRQ of the PF and its VFs onto the CPUs of the NIC's NUMA node.
void irq_steps(std::vector<Step>& out, const spec::NicSpec& want, const NicState& have, std::vector<std::string>* notes);

// Adds a note once.
void add_note(std::vector<std::string>* notes, const std::string& note);

}  // namespace snoc::nic
