#include "controller/spec.h"
#include "flow/enum_names.h"

#include <algorithm>

namespace snoc::spec {

Location Origin::at(std::string_view key) const {
    auto it = where.find(key);
    return it == where.end() ? location : it->second;
}

std::string Origin::path_of(std::string_view key) const {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string_view to_string(TcPolicy p) {
    static constexpr std::array<std::string_view, 3> kNames{"none", "skip_sw", "skip_hw"};
    static_assert(names_cover(kNames, TcPolicy::SkipHw));
    return name_of(p, kNames);
}

const NicSpec* Spec::find_nic(std::string_view name) const {
    auto it = std::find_if(nics.begin(), nics.end(), [&](const NicSpec& n) { return n.name == name; });
    return it == nics.end() ? nullptr : &*it;
}

const WorkloadSpec* Spec::find_workload(std::string_view name) const {
    auto it = std::find_if(workloads.begin(), workloads.end(), [&](const WorkloadSpec& w) { return w.name == name; });
    return it == workloads.end() ? nullptr : &*it;
}

}  // namespace snoc::spec
