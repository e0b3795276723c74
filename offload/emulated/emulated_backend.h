// The emulated eSwitch behind the offload backend interface: HwRules are
// translated (esw_translate.h) into entries of the tuple-space table
// (esw_table.h) that the tc BPF program runs on real packets. Its
// "hardware" is that program: a rule that is in the table runs there
// (Placement::Hardware) and every packet it counts was switched by it.
// Residency is ignored: the table has no software copy to keep a rule out of.
//
// The table, not this object, is the truth about what is installed, so a
// backend over an adopted table (EswTable::adopt, an eSwitch an earlier
// process loaded) deletes, keeps and reports that process's rules: a rule
// whose translation equals its table entry is unchanged and keeps counting.
//
// Orphans: an entry whose in_ifindex is no port's of this NIC (the port's
// veth pair was re-made, so its NIC-side end has a new ifindex) matches no
// packet and belongs to no sync's scope. Every sync removes it, whatever
// its scope — or replaces it, when the desired rules still want its cookie.
// Every entry of the table is snoc's (the maps are the eSwitch's own pins,
// which adoption refuses when anything foreign is there), so no ownership
// check is needed before removing one.
#pragma once

#include <map>
#include <set>
#include <string>

#include "offload/backend.h"
#include "offload/emulated/esw_table.h"
#include "offload/emulated/esw_translate.h"

namespace snoc::offload::emulated {

class EmulatedBackend final : public OffloadBackend {
public:
    // `table` (over a loaded or adopted eSwitch's maps) must outlive the backend.
    EmulatedBackend(EswTable& table, EswPortMap ports);

    Backend kind() const override { return Backend::Emulated; }
    HwSyncReport sync(const std::vector<HwRule>& desired, const std::vector<std::string>& ports) override;
    // An adopted rule this backend has not seen in a sync yet is reported
    // with cookie, port and priority only (its flow is empty: the table
    // holds the translation, not the canonical flow).
    Status read(const std::vector<std::string>& ports, std::vector<HwRuleState>& out) override;
    std::string render(const HwRule& rule) const override { return describe(rule, ports_); }

private:
    // Removes the table's rules on ports in `scope` that are not wanted, and
    // orphans (see above) that are not wanted, whatever the scope.
    void delete_stale(const std::set<std::string>& scope, const std::map<uint64_t, const HwRule*>& wanted, HwSyncReport& report);
    void sync_one(const HwRule& rule, HwSyncReport& report);
    // The port an entry is on: its canonical rule's, else the name of its
    // in_ifindex ("" when no port has that ifindex: outside every scope).
    std::string port_of(uint64_t cookie, const EswEntry& entry) const;
    // The canonical rule when known, else what the entry tells of it.
    HwRule rule_of(uint64_t cookie, const EswEntry& entry) const;
    // True when the table entry is what translating the rule gives; the
    // cookie / priority / counter slot the table fills itself are not compared.
    static bool same_entry(const EswEntry& wanted, const EswEntry& installed);

    EswTable& table_;
    EswPortMap ports_;
    std::map<uint32_t, std::string> names_;  // ifindex -> port name (reverse of ports_)
    // The canonical rules by cookie, for the rules this backend installed or
    // confirmed in a sync: the maps hold only their translation.
    std::map<uint64_t, HwRule> rules_;
};

}  // namespace snoc::offload::emulated
