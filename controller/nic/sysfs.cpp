#include "controller/nic/sysfs.h"

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

std::optional<std::string> read_line(const fs::path& p) {
    std::ifstream in(p);
    std::string line;
    if (!in || !std::getline(in, line)) return std::nullopt;
    while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
    return line;
}

std::optional<long> read_number(const fs::path& p) {
    auto line = read_line(p);
    if (!line) return std::nullopt;
    long v = 0;
    auto [ptr, ec] = std::from_chars(line->data(), line->data() + line->size(), v);
    if (ec != std::errc()) return std::nullopt;
    return v;
}

std::string basename_of_link(const fs::path& p) {
    std::error_code ec;
    const fs::path target = fs::canonical(p, ec);
    return ec ? std::string() : target.filename().string();
}

std::optional<uint16_t> number_after(const std::string& s, size_t pos) {
    unsigned v = 0;
    auto [ptr, ec] = std::from_chars(s.data() + pos, s.data() + s.size(), v);
    if (ec != std::errc() || ptr == s.data() + pos) return std::nullopt;
    return static_cast<uint16_t>(v);
}

Status write_text(const fs::path& p, const std::string& text) {
    std::ofstream out(p);
    if (!out) return Status::failure(errno ? errno : EACCES, "cannot open " + p.string());
    out << text << std::flush;
    if (!out) {
        const int err = errno ? errno : EIO;
        return Status::failure(err, "writing " + text + " to " + p.string() + " failed: " + std::strerror(err));
    }
    return Status::success();
}

}  // namespace

bool parse_phys_port_name(const std::string& name, DevlinkPort& out) {
    // "pf0vf3": a VF representor; "pf0sf2": an SF; "p0" / "p1": the uplink; "pf0": the PF.
    if (name.rfind("pf", 0) == 0) {
        auto pf = number_after(name, 2);
        if (!pf) return false;
        out.pf = pf;
        const size_t vf_at = name.find("vf");
        if (vf_at != std::string::npos) {
            out.vf = number_after(name, vf_at + 2);
            out.flavour = PortFlavour::PciVf;
            return out.vf.has_value();
        }
        out.flavour = name.find("sf") != std::string::npos ? PortFlavour::PciSf : PortFlavour::PciPf;
        return true;
    }
    if (name.size() >= 2 && name[0] == 'p' && number_after(name, 1)) {
        out.flavour = PortFlavour::Physical;
        return true;
    }
    return false;
}

Status Sysfs::read_pf(const std::string& pf_netdev, NicState& out) const {
    const fs::path net = path("class/net/" + pf_netdev);
    std::error_code ec;
    if (!fs::exists(net, ec)) return Status::failure(ENODEV, "netdev " + pf_netdev + " does not exist");
    const fs::path device = fs::canonical(net / "device", ec);
    if (ec) return Status::failure(ENODEV, "netdev " + pf_netdev + " has no device (not a NIC PF?)");
    out.pf_netdev = pf_netdev;
    out.device_path = device.string();
    out.devlink = DevlinkHandle{basename_of_link(device / "subsystem"), device.filename().string()};
    out.driver = basename_of_link(device / "driver");
    if (auto n = read_number(device / "numa_node"); n && *n >= 0) out.numa_node = static_cast<int>(*n);
    if (auto n = read_number(device / "sriov_totalvfs")) out.sriov_totalvfs = static_cast<uint32_t>(*n);
    if (auto n = read_number(device / "sriov_numvfs")) out.sriov_numvfs = static_cast<uint32_t>(*n);
    out.phys_switch_id = read_line(net / "phys_switch_id").value_or("");
    if (auto idx = read_number(net / "ifindex")) out.pf_ifindex = static_cast<int>(*idx);
    return Status::success();
}

Status Sysfs::pf_of_pci(const std::string& pci, std::string& pf_netdev) const {
    const fs::path net = path("bus/pci/devices/" + pci + "/net");
    std::error_code ec;
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(net, ec)) names.push_back(e.path().filename().string());
    if (ec || names.empty()) {
        return Status::failure(ENODEV, "PCI device " + pci + " has no network interface (is its driver bound?)");
    }
    std::sort(names.begin(), names.end());
    pf_netdev = names.front();
    return Status::success();
}

Status Sysfs::write_numvfs(const NicState& s, uint32_t n) const {
    return write_text(fs::path(s.device_path) / "sriov_numvfs", std::to_string(n));
}

Status Sysfs::read_numvfs(const NicState& s, uint32_t& n) const {
    auto v = read_number(fs::path(s.device_path) / "sriov_numvfs");
    if (!v) return Status::failure(ENOENT, "cannot read " + s.device_path + "/sriov_numvfs");
    n = static_cast<uint32_t>(*v);
    return Status::success();
}

namespace {

std::vector<fs::path> vf_devices(const NicState& s) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(s.device_path, ec)) {
        if (e.path().filename().string().rfind("virtfn", 0) == 0) out.push_back(fs::canonical(e.path(), ec));
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

Status Sysfs::unbind_vfs(const NicState& s) const {
    for (const fs::path& vf : vf_devices(s)) {
        std::error_code ec;
        if (!fs::exists(vf / "driver", ec)) continue;  // already unbound
        if (auto st = write_text(vf / "driver" / "unbind", vf.filename().string()); !st.ok()) return st;
    }
    return Status::success();
}

Status Sysfs::probe_vfs(const NicState& s) const {
    for (const fs::path& vf : vf_devices(s)) {
        std::error_code ec;
        if (fs::exists(vf / "driver", ec)) continue;  // already bound
        if (auto st = write_text(path("bus/pci/drivers_probe"), vf.filename().string()); !st.ok()) return st;
    }
    return Status::success();
}

std::string Sysfs::vf_netdev(const NicState& s, uint16_t vf) const {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(fs::path(s.device_path) / ("virtfn" + std::to_string(vf)) / "net", ec)) {
        return e.path().filename().string();
    }
    return {};
}

std::optional<unsigned> Sysfs::netdev_flags(const std::string& netdev) const {
    auto line = read_line(path("class/net/" + netdev + "/flags"));
    if (!line || line->rfind("0x", 0) != 0) return std::nullopt;
    unsigned v = 0;
    auto [ptr, ec] = std::from_chars(line->data() + 2, line->data() + line->size(), v, 16);
    if (ec != std::errc()) return std::nullopt;
    return v;
}

std::string Sysfs::phys_port_name(const std::string& netdev) const {
    return read_line(path("class/net/" + netdev + "/phys_port_name")).value_or("");
}

std::vector<DevlinkPort> Sysfs::representors(const std::string& switch_id) const {
    std::vector<DevlinkPort> out;
    if (switch_id.empty()) return out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(path("class/net"), ec)) {
        const std::string name = e.path().filename().string();
        if (read_line(e.path() / "phys_switch_id").value_or("") != switch_id) continue;
        DevlinkPort port;
        if (!parse_phys_port_name(phys_port_name(name), port)) continue;
        port.netdev = name;
        if (auto idx = read_number(e.path() / "ifindex")) port.ifindex = static_cast<int>(*idx);
        out.push_back(port);
    }
    std::sort(out.begin(), out.end(), [](const DevlinkPort& a, const DevlinkPort& b) { return a.netdev < b.netdev; });
    return out;
}

}  // namespace snoc::nic
