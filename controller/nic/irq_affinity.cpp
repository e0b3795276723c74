#include "controller/nic/irq_affinity.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace snoc::nic {
namespace {

namespace fs = std::filesystem;
using offload::Status;

std::optional<unsigned> number(std::string_view s) {
    unsigned v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

std::optional<std::string> first_line(const fs::path& p) {
    std::ifstream in(p);
    std::string line;
    if (!in || !std::getline(in, line)) return std::nullopt;
    while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
    return line;
}

// The IRQ numbers in one msi_irqs directory (one file per IRQ, named by its number).
std::vector<unsigned> msi_irqs(const fs::path& dir) {
    std::vector<unsigned> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        if (auto n = number(e.path().filename().string())) out.push_back(*n);
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

std::optional<std::set<unsigned>> parse_cpulist(std::string_view text) {
    std::set<unsigned> out;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
    if (text.empty()) return out;  // a node without CPUs (memory only)
    size_t pos = 0;
    while (pos <= text.size()) {
        const size_t comma = std::min(text.find(',', pos), text.size());
        const std::string_view part = text.substr(pos, comma - pos);
        const size_t dash = part.find('-');
        auto lo = number(part.substr(0, dash));
        auto hi = dash == std::string_view::npos ? lo : number(part.substr(dash + 1));
        // Upper bound: no machine has a million CPUs; it keeps a bad range from eating memory.
        if (!lo || !hi || *hi < *lo || *hi > 1'000'000) return std::nullopt;
        for (unsigned c = *lo; c <= *hi; ++c) out.insert(c);
        pos = comma + 1;
    }
    return out;
}

std::string format_cpulist(const std::set<unsigned>& cpus) {
    std::string out;
    for (auto it = cpus.begin(); it != cpus.end();) {
        const unsigned lo = *it;
        unsigned hi = lo;
        for (++it; it != cpus.end() && *it == hi + 1; ++it) hi = *it;
        if (!out.empty()) out += ',';
        out += std::to_string(lo);
        if (hi != lo) out += "-" + std::to_string(hi);
    }
    return out;
}

Status IrqAffinity::node_cpus(int node, std::set<unsigned>& out) const {
    const fs::path p = fs::path(sys_) / "devices/system/node" / ("node" + std::to_string(node)) / "cpulist";
    auto line = first_line(p);
    if (!line) return Status::failure(ENOENT, "cannot read " + p.string());
    auto cpus = parse_cpulist(*line);
    if (!cpus) return Status::failure(EINVAL, p.string() + " is not a CPU list: '" + *line + "'");
    out = *cpus;
    return Status::success();
}

std::string IrqAffinity::affinity_path(unsigned irq) const {
    return (fs::path(proc_) / "irq" / std::to_string(irq) / "smp_affinity_list").string();
}

Status IrqAffinity::irqs(const NicState& s, std::vector<IrqState>& out) const {
    out.clear();
    struct Source {
        std::optional<uint16_t> vf;
        fs::path dir;
    };
    std::vector<Source> sources{{std::nullopt, fs::path(s.device_path) / "msi_irqs"}};
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(s.device_path, ec)) {
        const std::string name = e.path().filename().string();
        auto vf = name.rfind("virtfn", 0) == 0 ? number(std::string_view(name).substr(6)) : std::nullopt;
        if (vf && *vf <= 0xffff) sources.push_back({static_cast<uint16_t>(*vf), e.path() / "msi_irqs"});
    }
    std::sort(sources.begin(), sources.end(), [](const Source& a, const Source& b) { return a.vf < b.vf; });
    for (const auto& [vf, dir] : sources) {
        const std::string owner = vf ? "VF " + std::to_string(*vf) : "PF";
        for (unsigned irq : msi_irqs(dir)) {
            IrqState st;
            st.irq = irq;
            st.owner = owner;
            st.vf = vf;
            auto line = first_line(affinity_path(irq));
            if (!line) return Status::failure(ENOENT, "cannot read " + affinity_path(irq) + " (IRQ of the " + owner + ")");
            auto cpus = parse_cpulist(*line);
            if (!cpus) return Status::failure(EINVAL, affinity_path(irq) + " is not a CPU list: '" + *line + "'");
            st.cpus = *cpus;
            out.push_back(std::move(st));
        }
    }
    return Status::success();
}

Status IrqAffinity::set(unsigned irq, const std::set<unsigned>& cpus) const {
    const std::string p = affinity_path(irq);
    const std::string text = format_cpulist(cpus);
    // Open without creating: the file must exist (a vanished IRQ is an error, not a new file).
    std::ofstream out(p, std::ios::in | std::ios::out | std::ios::trunc);
    if (!out) {
        const int err = errno ? errno : ENOENT;
        return Status::failure(err, "echo " + text + " > " + p + ": " + std::strerror(err));
    }
    out << text << "\n" << std::flush;
    if (!out) {
        // The kernel refuses e.g. kernel-managed IRQs (EIO) or CPUs that are offline (EINVAL).
        const int err = errno ? errno : EIO;
        return Status::failure(err, "echo " + text + " > " + p + ": " + std::strerror(err));
    }
    return Status::success();
}

}  // namespace snoc::nic
