// The emulated eSwitch behind the offload backend interface: HwRules are
// translated (esw_translate.h) into entries of the tuple-space table
// (esw_table.h) that the tc BPF program runs on real packets. Its
// "hardware" is that program: a rule that is in the table runs there
// (Placement::Hardware) and every packet it counts was switched by it.
// Residency is ignored: the table has no software copy to keep a rule out of.
#pragma once

#include <map>

#include "offload/backend.h"
#include "offload/emulated/esw_table.h"
#include "offload/emulated/esw_translate.h"

namespace snoc::offload::emulated {

class EmulatedBackend final : public OffloadBackend {
public:
    // `table` (over a loaded eSwitch's maps) must outlive the backend.
    EmulatedBackend(EswTable& table, EswPortMap ports) : table_(table), ports_(std::move(ports)) {}

    Backend kind() const override { return Backend::Emulated; }
    HwSyncReport sync(const std::vector<HwRule>& desired, const std::vector<std::string>& ports) override;
    Status read(const std::vector<std::string>& ports, std::vector<HwRuleState>& out) override;
    std::string render(const HwRule& rule) const override { return describe(rule, ports_); }

private:
    Status install(const HwRule& rule);
    // True when both rules become the same table entry.
    bool same_entry(const HwRule& a, const HwRule& b) const;

    EswTable& table_;
    EswPortMap ports_;
    // The canonical rules by cookie: the maps hold only their translation.
    std::map<uint64_t, HwRule> rules_;
};

}  // namespace snoc::offload::emulated
