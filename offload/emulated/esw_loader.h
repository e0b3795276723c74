// Loads the emulated eSwitch into the kernel with libbpf: the BPF object
// with its table sized from the NIC profile, maps pinned under a directory
// (on a private bpffs when none is mounted there), one program attached at
// clsact ingress of every NIC-side port. Teardown (also on destruction)
// detaches, unpins and unmounts what load / attach created, and nothing else.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "offload/emulated/esw_maps.h"
#include "offload/emulated/esw_table.h"
#include "offload/status.h"

struct bpf_object;

namespace snoc::offload::emulated {

struct EswLoadOptions {
    uint32_t table_size = 4096;  // rules the NIC holds: the profile's emulated max_rules
    // Where the maps and the program are pinned. When the directory's parent
    // is not on a bpffs, a private bpffs instance is mounted at the directory.
    std::string pin_dir;
    // The NIC namespace (/run/netns/<name>) whose ports attach() takes; empty = ours.
    std::string netns;
};

class EswLoader {
public:
    static Status load(const EswLoadOptions& options, std::unique_ptr<EswLoader>& out);
    ~EswLoader();
    EswLoader(const EswLoader&) = delete;
    EswLoader& operator=(const EswLoader&) = delete;

    // Makes `ifindex` (in the NIC namespace) a port of the eSwitch: records
    // its role in esw_ports first, then attaches the program at ingress, so
    // its first packet already knows where to go.
    Status add_port(uint32_t ifindex, const esw_port& port);

    // Detaches every port, unpins, removes the pin directory and unmounts a
    // bpffs this loader mounted. Idempotent; reports the first failure and
    // still does the rest.
    Status teardown();

    // The map operations EswTable needs, on this object's maps.
    EswMaps& maps() { return *maps_; }
    // Datapath-wide counters (enum esw_stat) summed over CPUs.
    Status read_stats(std::array<uint64_t, ESW_STAT_MAX>& out) const;
    const std::string& pin_dir() const { return options_.pin_dir; }
    uint32_t table_size() const { return options_.table_size; }

private:
    explicit EswLoader(EswLoadOptions options) : options_(std::move(options)) {}
    Status prepare_pin_dir();
    Status open_and_load();
    Status pin();

    struct Attached {
        uint32_t ifindex = 0;
        bool created_hook = false;  // the clsact qdisc is ours to remove
    };

    EswLoadOptions options_;
    bpf_object* obj_ = nullptr;
    int prog_fd_ = -1;
    bool mounted_ = false;
    bool made_dir_ = false;
    std::vector<std::string> pins_;
    std::vector<Attached> attached_;
    std::unique_ptr<EswMaps> maps_;
};

}  // namespace snoc::offload::emulated
