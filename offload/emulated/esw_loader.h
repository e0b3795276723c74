// Loads the emulated eSwitch into the kernel with libbpf: the BPF object
// with its table sized from the NIC profile, maps pinned under a directory
// (on a private bpffs when none is mounted there), one program attached at
// clsact ingress of every NIC-side port. Teardown (also on destruction)
// detaches, unpins and unmounts what load / attach created, and nothing else.
//
// Lifetime across processes: release() lets the process exit with the data
// plane still running (pins + tc filters keep program and maps alive), and
// load_or_adopt() in the next process opens those pins instead of loading
// again. See docs/emulated-eswitch.md, "Lifetime: release, adoption, teardown".
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <set>
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
    // Loads a fresh eSwitch. EEXIST when pin_dir is not empty.
    static Status load(const EswLoadOptions& options, std::unique_ptr<EswLoader>& out);

    // Adopts the eSwitch an earlier process pinned under pin_dir (adopted =
    // true), or loads a fresh one when pin_dir is missing or empty (adopted =
    // false). Fails with EEXIST, changing nothing, when what is pinned
    // cannot be adopted; the reason says which case it is:
    //   - a partial or foreign set of pins (it lists what is missing /
    //     unexpected), or a pin directory not on a bpffs;
    //   - "the NIC profile changed": the rule / counter maps are not
    //     options.table_size entries; or a map's layout, or the program
    //     type, is not this build's ("another snoc version").
    // destroy_pinned() then load_or_adopt() again is the remedy (it refuses
    // to touch foreign entries, so those keep failing, as they should).
    static Status load_or_adopt(const EswLoadOptions& options, std::unique_ptr<EswLoader>& out, bool& adopted);

    // Adopts whatever snoc pinned under pin_dir, whatever its size, and tears
    // it down: detaches the program from every port in esw_ports, unpins,
    // unmounts a private bpffs at pin_dir. Success when nothing is pinned;
    // EEXIST (touching nothing) when pin_dir holds pins that are not snoc's.
    static Status destroy_pinned(const EswLoadOptions& options);

    ~EswLoader();
    EswLoader(const EswLoader&) = delete;
    EswLoader& operator=(const EswLoader&) = delete;

    // Makes `ifindex` (in the NIC namespace) a port of the eSwitch: records
    // its role in esw_ports first, then attaches the program at ingress, so
    // its first packet already knows where to go.
    Status add_port(uint32_t ifindex, const esw_port& port);

    // Forgets every port esw_ports records whose ifindex is not in `keep`
    // (the NIC's ports now): detaches the program there if the device still
    // exists, then deletes the record. A port whose veth pair was re-made
    // has a new ifindex, and the old record would otherwise stay until
    // teardown and, re-made often enough, fill the map. `removed` counts them.
    Status forget_ports_except(const std::set<uint32_t>& keep, size_t& removed);

    // Detaches the program from every port (those add_port attached and
    // every port recorded in esw_ports, which covers an adopted eSwitch's),
    // unpins, unmounts the private bpffs at pin_dir, removes the pin
    // directory. A clsact qdisc is removed only when this loader created it;
    // on ports it did not attach itself only the filter goes. Idempotent;
    // reports the first failure and still does the rest.
    Status teardown();

    // Forgets the eSwitch without touching the kernel: closes this process's
    // fds only, so the program stays attached, the maps pinned and the bpffs
    // mounted, for the next process to adopt. The loader is inert afterwards
    // (teardown() and the destructor do nothing, maps() must not be used).
    void release();

    bool adopted() const { return adopted_; }

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
    // Opens the pins found under pin_dir; `strict` (adoption) wants the full
    // set with this build's layouts and options_.table_size, else (destroy)
    // whatever of snoc's pins is there is enough.
    Status open_pinned(const std::vector<std::string>& names, bool strict);
    Status check_map(const std::string& name, int fd, bool strict) const;
    Status detach_all();
    void close_fds();

    struct Attached {
        uint32_t ifindex = 0;
        bool created_hook = false;  // the clsact qdisc is ours to remove
    };
    // Detaches our filter from one port (and its clsact qdisc when we made
    // it); a port that is gone is not an error. In the NIC namespace.
    Status detach(const Attached& a) const;

    EswLoadOptions options_;
    bpf_object* obj_ = nullptr;
    int prog_fd_ = -1;   // owned by obj_ when loaded, by owned_fds_ when adopted
    int ports_fd_ = -1;  // esw_ports, likewise
    std::vector<int> owned_fds_;  // fds from bpf_obj_get (adoption)
    bool adopted_ = false;
    bool mounted_ = false;
    bool made_dir_ = false;
    std::vector<std::string> pins_;
    std::vector<Attached> attached_;
    std::unique_ptr<EswMaps> maps_;
};

}  // namespace snoc::offload::emulated
