#include "offload/emulated/esw_loader.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <filesystem>

#include "offload/emulated/esw_bpf_maps.h"
#include "offload/emulated/esw_object.h"
#include "sys/netns_scope.h"
#include "sys/private_dir.h"

namespace snoc::offload::emulated {

namespace {

// Pins are looked at and made only through a path nobody else can redirect:
// the pin directory's parents are made private (mode 0700 where snoc makes
// them, no symlinks, nothing writable by other users) and the directory
// itself must not be a symlink.
Status check_pin_path(const std::string& pin_dir) {
    const std::string parent = std::filesystem::path(pin_dir).parent_path().string();
    if (auto s = sys::make_private_dir(parent); !s.ok()) {
        return Status::failure(s.error, "pin directory " + pin_dir + ": " + s.reason);
    }
    struct stat st{};
    if (::lstat(pin_dir.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
        return Status::failure(ELOOP, "pin directory " + pin_dir + " is a symbolic link; refusing to follow it (remove it)");
    }
    return Status::success();
}

using sys::NetnsScope;

// The tc filter's identity on every port: a handle and preference of our own,
// so detach removes exactly this filter.
constexpr uint32_t kTcHandle = 0x5c0c;
constexpr uint32_t kTcPriority = 1;

// libbpf's warnings (the verifier log among them) for the failure reason,
// instead of stderr. Loads happen on one thread at a time.
thread_local std::string libbpf_log;

__attribute__((format(printf, 2, 0))) int collect_libbpf_log(enum libbpf_print_level level, const char* fmt,
                                                             va_list args) {
    if (level == LIBBPF_DEBUG) return 0;
    char line[512];
    const int n = std::vsnprintf(line, sizeof line, fmt, args);
    libbpf_log += line;
    // Keep the tail: the verifier's verdict is at the end of its log.
    if (libbpf_log.size() > 2000) libbpf_log.erase(0, libbpf_log.size() - 2000);
    return n;
}

Status fail(int rc, const std::string& what) {
    std::string why = what;
    if (!libbpf_log.empty()) why += " (libbpf: " + libbpf_log + ")";
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return Status::failure(rc < 0 ? -rc : rc, why);
}

bool on_bpffs(const std::string& path) {
    struct statfs fs {};
    return ::statfs(path.c_str(), &fs) == 0 && static_cast<unsigned long>(fs.f_type) == BPF_FS_MAGIC;
}

constexpr const char* kMapNames[] = {"esw_ports", "esw_masks", "esw_rules", "esw_counters", "esw_config", "esw_stats"};
constexpr const char* kProgName = "esw_ingress";

// What a pinned map must look like for this build to use it. max_entries 0
// stands for the table size (the profile's max_rules).
struct MapShape {
    const char* name;
    uint32_t type, key_size, value_size, max_entries;
};
constexpr MapShape kMapShapes[] = {
    {"esw_ports", BPF_MAP_TYPE_HASH, sizeof(uint32_t), sizeof(esw_port), ESW_MAX_PORTS},
    {"esw_masks", BPF_MAP_TYPE_ARRAY, sizeof(uint32_t), sizeof(esw_mask), ESW_MAX_MASKS},
    {"esw_rules", BPF_MAP_TYPE_HASH, sizeof(esw_rule_key), sizeof(esw_rule), 0},
    {"esw_counters", BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(uint32_t), sizeof(esw_counter), 0},
    {"esw_config", BPF_MAP_TYPE_ARRAY, sizeof(uint32_t), sizeof(esw_config), 1},
    {"esw_stats", BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(uint32_t), sizeof(uint64_t), ESW_STAT_MAX},
};

// What the kernel's bpf_preload puts at the root of every new bpffs
// instance (CONFIG_BPF_PRELOAD): the mount's, not anybody's pins.
bool is_preload_name(const std::string& name) { return name == "maps.debug" || name == "progs.debug"; }

bool is_pin_name(const std::string& name) {
    if (name == kProgName) return true;
    for (const char* m : kMapNames) {
        if (name == m) return true;
    }
    return false;
}

// What the pin directory holds, before adopting or destroying it.
struct PinDirState {
    bool exists = false;
    bool mount_point = false;  // a filesystem of its own is mounted at the directory
    bool bpffs = false;        // the directory is on a bpffs
    std::vector<std::string> ours;     // entries named like the eSwitch's pins
    std::vector<std::string> foreign;  // anything else
    bool empty() const { return ours.empty() && foreign.empty(); }
};

Status inspect_pin_dir(const std::string& dir, PinDirState& out) {
    out = PinDirState{};
    struct stat st {}, parent {};
    if (::stat(dir.c_str(), &st) != 0) {
        const int err = errno;
        return err == ENOENT ? Status::success() : Status::failure(err, "inspecting pin directory " + dir);
    }
    if (!S_ISDIR(st.st_mode)) return Status::failure(ENOTDIR, "pin directory " + dir + " is not a directory");
    out.exists = true;
    // ".." of a mount's root is the directory it is mounted on, in the parent mount.
    if (::stat((dir + "/..").c_str(), &parent) != 0) {
        const int err = errno;
        return Status::failure(err, "inspecting the parent of " + dir);
    }
    out.mount_point = st.st_dev != parent.st_dev;
    out.bpffs = on_bpffs(dir);
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
        const std::string name = e.path().filename().string();
        if (out.mount_point && out.bpffs && is_preload_name(name)) continue;
        (is_pin_name(name) ? out.ours : out.foreign).push_back(name);
    }
    if (ec) return Status::failure(ec.value(), "listing pin directory " + dir);
    return Status::success();
}

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

// Every pin, maps first in kMapNames order (the order checks report in).
std::vector<std::string> pin_names() {
    std::vector<std::string> names(std::begin(kMapNames), std::end(kMapNames));
    names.emplace_back(kProgName);
    return names;
}

std::vector<std::string> missing_pins(const PinDirState& st) {
    std::vector<std::string> missing;
    auto have = [&st](const std::string& n) { return std::find(st.ours.begin(), st.ours.end(), n) != st.ours.end(); };
    for (const char* m : kMapNames) {
        if (!have(m)) missing.emplace_back(m);
    }
    if (!have(kProgName)) missing.emplace_back(kProgName);
    return missing;
}

Status check_options(const EswLoadOptions& options) {
    if (options.pin_dir.empty()) return Status::failure(EINVAL, "emulated eSwitch: no pin directory given");
    if (options.table_size == 0) return Status::failure(EINVAL, "emulated eSwitch: table size 0 (the profile's emulated max_rules)");
    return Status::success();
}

// Why adoption refuses what is in the pin directory; empty when it can adopt.
Status adoptable(const std::string& dir, const PinDirState& st) {
    if (!st.foreign.empty()) {
        return Status::failure(EEXIST, "pin directory " + dir + " holds entries that are not the eSwitch's: " + joined(st.foreign) +
                                           " (another program's pins, or leftovers)");
    }
    if (!st.bpffs) return Status::failure(EEXIST, "pin directory " + dir + " is not on a bpffs: its entries cannot be eSwitch pins");
    if (auto missing = missing_pins(st); !missing.empty()) {
        return Status::failure(EEXIST, "pin directory " + dir + " holds an incomplete eSwitch, missing " + joined(missing) +
                                           " (a load or teardown was interrupted; destroy_pinned clears it)");
    }
    return Status::success();
}

bool gone(int rc) { return rc == -ENODEV || rc == -ENOENT || rc == -EINVAL; }

}  // namespace

Status EswLoader::load(const EswLoadOptions& options, std::unique_ptr<EswLoader>& out) {
    if (auto s = check_options(options); !s.ok()) return s;
    std::unique_ptr<EswLoader> l(new EswLoader(options));
    libbpf_set_print(collect_libbpf_log);
    libbpf_log.clear();
    Status s = l->prepare_pin_dir();
    if (s.ok()) s = l->open_and_load();
    if (s.ok()) s = l->pin();
    if (!s.ok()) {
        (void)l->teardown();
        return s;
    }
    out = std::move(l);
    return Status::success();
}

Status EswLoader::load_or_adopt(const EswLoadOptions& options, std::unique_ptr<EswLoader>& out, bool& adopted) {
    adopted = false;
    if (auto s = check_options(options); !s.ok()) return s;
    if (auto s = check_pin_path(options.pin_dir); !s.ok()) return s;
    PinDirState st;
    if (auto s = inspect_pin_dir(options.pin_dir, st); !s.ok()) return s;
    if (!st.exists || st.empty()) return load(options, out);
    if (auto s = adoptable(options.pin_dir, st); !s.ok()) return s;
    libbpf_set_print(collect_libbpf_log);
    libbpf_log.clear();
    std::unique_ptr<EswLoader> l(new EswLoader(options));
    l->adopted_ = true;
    if (auto s = l->open_pinned(pin_names(), true); !s.ok()) {
        l->release();  // a refused adoption leaves the running eSwitch alone
        return s;
    }
    // Adopted from an earlier process: the mount (load()'s private bpffs) and
    // the directory are ours to remove at teardown as load() would have.
    l->mounted_ = st.mount_point && st.bpffs;
    l->made_dir_ = true;
    out = std::move(l);
    adopted = true;
    return Status::success();
}

Status EswLoader::destroy_pinned(const EswLoadOptions& options) {
    if (options.pin_dir.empty()) return Status::failure(EINVAL, "emulated eSwitch: no pin directory given");
    PinDirState st;
    if (auto s = inspect_pin_dir(options.pin_dir, st); !s.ok()) return s;
    if (!st.exists) return Status::success();
    if (!st.foreign.empty()) {
        return Status::failure(EEXIST, "pin directory " + options.pin_dir + " holds entries that are not the eSwitch's: " +
                                           joined(st.foreign) + "; leaving it alone");
    }
    if (!st.ours.empty() && !st.bpffs) {
        return Status::failure(EEXIST, "pin directory " + options.pin_dir + " is not on a bpffs, so its " + joined(st.ours) +
                                           " are not eSwitch pins; leaving them alone");
    }
    std::unique_ptr<EswLoader> l(new EswLoader(options));
    l->adopted_ = true;
    // An empty bpffs left mounted at the directory is load()'s too: unmount it.
    l->mounted_ = st.mount_point && st.bpffs;
    l->made_dir_ = l->mounted_ || !st.ours.empty();
    Status opened = l->open_pinned(st.ours, false);
    Status torn = l->teardown();
    return opened.ok() ? torn : opened;
}

EswLoader::~EswLoader() { (void)teardown(); }

Status EswLoader::check_map(const std::string& name, int fd, bool strict) const {
    const std::string path = options_.pin_dir + "/" + name;
    bpf_map_info info{};
    uint32_t len = sizeof info;
    if (int rc = bpf_obj_get_info_by_fd(fd, &info, &len); rc != 0) return fail(rc, "reading the map info of " + path);
    for (const MapShape& shape : kMapShapes) {
        if (name != shape.name) continue;
        if (info.type != shape.type || info.key_size != shape.key_size || info.value_size != shape.value_size) {
            // Only the ports map's layout matters to a teardown (it walks its keys).
            if (!strict && name != "esw_ports") return Status::success();
            return Status::failure(EEXIST, "pinned map " + path + " has another layout than this build's (type " +
                                               std::to_string(info.type) + ", key " + std::to_string(info.key_size) +
                                               " B, value " + std::to_string(info.value_size) +
                                               " B): an eSwitch of another snoc version; tear it down and load again");
        }
        if (!strict) return Status::success();
        if (shape.max_entries != 0 && info.max_entries != shape.max_entries) {
            return Status::failure(EEXIST, "pinned map " + path + " holds " + std::to_string(info.max_entries) +
                                               " entries, this build's " + std::to_string(shape.max_entries) +
                                               ": an eSwitch of another snoc version; tear it down and load again");
        }
        if (shape.max_entries == 0 && info.max_entries != options_.table_size) {
            return Status::failure(EEXIST, "pinned map " + path + " holds " + std::to_string(info.max_entries) +
                                               " entries but the profile's table size is " + std::to_string(options_.table_size) +
                                               ": the NIC profile changed; tear the eSwitch down and load it again");
        }
    }
    return Status::success();
}

Status EswLoader::open_pinned(const std::vector<std::string>& names, bool strict) {
    EswMapFds fds;
    for (const std::string& name : names) {
        const std::string path = options_.pin_dir + "/" + name;
        // Recorded before opening, so teardown unpins even what cannot be opened.
        pins_.push_back(path);
        const int fd = bpf_obj_get(path.c_str());
        if (fd < 0) {
            if (!strict) continue;
            return fail(fd, "opening pin " + path);
        }
        owned_fds_.push_back(fd);
        if (name == kProgName) {
            prog_fd_ = fd;
            continue;
        }
        Status shape = check_map(name, fd, strict);
        if (!shape.ok()) {
            if (strict) return shape;
            continue;  // a foreign-layout esw_ports: unpin it without walking it
        }
        if (name == "esw_ports") ports_fd_ = fd;
        if (name == "esw_masks") fds.masks = fd;
        if (name == "esw_config") fds.config = fd;
        if (name == "esw_rules") fds.rules = fd;
        if (name == "esw_counters") fds.counters = fd;
        if (name == "esw_stats") fds.stats = fd;
    }
    if (!strict) return Status::success();
    bpf_prog_info info{};
    uint32_t len = sizeof info;
    if (int rc = bpf_obj_get_info_by_fd(prog_fd_, &info, &len); rc != 0) {
        return fail(rc, "reading the program info of " + options_.pin_dir + "/" + kProgName);
    }
    if (info.type != BPF_PROG_TYPE_SCHED_CLS) {
        return Status::failure(EEXIST, "pin " + options_.pin_dir + "/" + kProgName + " is not a tc program (type " + std::to_string(info.type) + ")");
    }
    const int cpus = libbpf_num_possible_cpus();
    if (cpus <= 0) return fail(cpus, "counting possible CPUs for the per-CPU maps");
    maps_ = std::make_unique<BpfEswMaps>(fds, cpus);
    return Status::success();
}

Status EswLoader::prepare_pin_dir() {
    namespace fs = std::filesystem;
    const fs::path dir(options_.pin_dir);
    std::error_code ec;
    PinDirState st;
    if (auto s = inspect_pin_dir(options_.pin_dir, st); !s.ok()) return s;
    if (!st.empty()) {
        // A previous instance's pins would be silently shared; refuse instead.
        return Status::failure(EEXIST, "pin directory " + options_.pin_dir + " is not empty (another eSwitch, or leftovers)");
    }
    if (!st.exists) made_dir_ = true;
    if (auto s = check_pin_path(options_.pin_dir); !s.ok()) return s;
    if (auto s = sys::make_private_dir(options_.pin_dir); !s.ok()) {
        return Status::failure(s.error, "pin directory " + options_.pin_dir + ": " + s.reason);
    }
    if (on_bpffs(dir.parent_path().string())) return Status::success();
    if (st.mount_point && st.bpffs) {
        // An empty private bpffs an earlier instance left mounted: take it
        // over (unmount and remove it at teardown) rather than stack another on it.
        mounted_ = true;
        made_dir_ = true;
        return Status::success();
    }
    // bpffs is not mounted by default here: a private instance of our own,
    // so unmounting it at teardown can't take anybody else's pins along.
    if (::mount("bpf", options_.pin_dir.c_str(), "bpf", 0, "mode=0700") != 0) {
        return Status::failure(errno, "mounting a bpffs at " + options_.pin_dir);
    }
    mounted_ = true;
    return Status::success();
}

Status EswLoader::open_and_load() {
    const auto bytes = esw_bpf_object();
    bpf_object_open_opts opts{};
    opts.sz = sizeof opts;
    opts.object_name = "snoc_esw";
    obj_ = bpf_object__open_mem(bytes.data(), bytes.size(), &opts);
    if (!obj_) return fail(errno, "opening the eSwitch BPF object");
    for (const char* name : {"esw_rules", "esw_counters"}) {
        bpf_map* m = bpf_object__find_map_by_name(obj_, name);
        if (!m) return fail(ENOENT, std::string("the eSwitch BPF object has no map ") + name);
        if (int rc = bpf_map__set_max_entries(m, options_.table_size); rc != 0) {
            return fail(rc, std::string("sizing map ") + name);
        }
    }
    if (int rc = bpf_object__load(obj_); rc != 0) return fail(rc, "loading the eSwitch BPF program (verifier or kernel refused it)");
    bpf_program* prog = bpf_object__find_program_by_name(obj_, "esw_ingress");
    if (!prog) return fail(ENOENT, "the eSwitch BPF object has no program esw_ingress");
    prog_fd_ = bpf_program__fd(prog);
    ports_fd_ = bpf_object__find_map_fd_by_name(obj_, "esw_ports");

    EswMapFds fds;
    fds.masks = bpf_object__find_map_fd_by_name(obj_, "esw_masks");
    fds.config = bpf_object__find_map_fd_by_name(obj_, "esw_config");
    fds.rules = bpf_object__find_map_fd_by_name(obj_, "esw_rules");
    fds.counters = bpf_object__find_map_fd_by_name(obj_, "esw_counters");
    fds.stats = bpf_object__find_map_fd_by_name(obj_, "esw_stats");
    const int cpus = libbpf_num_possible_cpus();
    if (cpus <= 0) return fail(cpus, "counting possible CPUs for the per-CPU maps");
    maps_ = std::make_unique<BpfEswMaps>(fds, cpus);
    return Status::success();
}

Status EswLoader::pin() {
    for (const char* name : kMapNames) {
        bpf_map* m = bpf_object__find_map_by_name(obj_, name);
        const std::string path = options_.pin_dir + "/" + name;
        if (!m) return fail(ENOENT, std::string("the eSwitch BPF object has no map ") + name);
        if (int rc = bpf_map__pin(m, path.c_str()); rc != 0) return fail(rc, "pinning map at " + path);
        pins_.push_back(path);
    }
    const std::string prog_path = options_.pin_dir + "/esw_ingress";
    if (bpf_obj_pin(prog_fd_, prog_path.c_str()) != 0) return fail(errno, "pinning the program at " + prog_path);
    pins_.push_back(prog_path);
    return Status::success();
}

Status EswLoader::add_port(uint32_t ifindex, const esw_port& port) {
    if (prog_fd_ < 0 || ports_fd_ < 0) return Status::failure(EBADF, "emulated eSwitch: not loaded (or released)");
    if (bpf_map_update_elem(ports_fd_, &ifindex, &port, BPF_ANY) != 0) {
        return fail(errno, "recording port ifindex " + std::to_string(ifindex));
    }
    NetnsScope ns;
    if (auto s = ns.enter(options_.netns); !s.ok()) return s;

    bpf_tc_hook hook{};
    hook.sz = sizeof hook;
    hook.ifindex = static_cast<int>(ifindex);
    hook.attach_point = BPF_TC_INGRESS;
    Attached a{ifindex, false};
    int rc = bpf_tc_hook_create(&hook);
    if (rc == 0) {
        a.created_hook = true;
    } else if (rc != -EEXIST) {
        return fail(rc, "creating the clsact qdisc on ifindex " + std::to_string(ifindex));
    }
    bpf_tc_opts opts{};
    opts.sz = sizeof opts;
    opts.prog_fd = prog_fd_;
    opts.handle = kTcHandle;
    opts.priority = kTcPriority;
    // REPLACE: a filter left by a crashed instance is taken over, not duplicated.
    opts.flags = BPF_TC_F_REPLACE;
    rc = bpf_tc_attach(&hook, &opts);
    if (rc != 0) {
        if (a.created_hook) {
            hook.attach_point = static_cast<bpf_tc_attach_point>(BPF_TC_INGRESS | BPF_TC_EGRESS);
            (void)bpf_tc_hook_destroy(&hook);
        }
        return fail(rc, "attaching the eSwitch program at ingress of ifindex " + std::to_string(ifindex));
    }
    attached_.push_back(a);
    return Status::success();
}

Status EswLoader::read_stats(std::array<uint64_t, ESW_STAT_MAX>& out) const {
    const auto& maps = static_cast<const BpfEswMaps&>(*maps_);
    for (uint32_t i = 0; i < ESW_STAT_MAX; ++i) {
        if (auto s = maps.read_stat(i, out[i]); !s.ok()) return s;
    }
    return Status::success();
}

Status EswLoader::detach_all() {
    // Every port add_port attached, plus every port esw_ports records: an
    // adopted eSwitch's ports were attached by an earlier process.
    std::vector<Attached> ports = attached_;
    attached_.clear();
    if (ports_fd_ >= 0) {
        uint32_t key = 0, next = 0;
        const uint32_t* prev = nullptr;
        while (bpf_map_get_next_key(ports_fd_, prev, &next) == 0) {
            const bool known = std::any_of(ports.begin(), ports.end(), [next](const Attached& a) { return a.ifindex == next; });
            // Who created an adopted port's clsact qdisc is unknown: leave it.
            if (!known) ports.push_back(Attached{next, false});
            key = next;
            prev = &key;
        }
    }
    if (ports.empty()) return Status::success();
    NetnsScope ns;
    Status entered = ns.enter(options_.netns);
    // A deleted NIC namespace took its ports, and their filters, along.
    if (entered.error == ENOENT) return Status::success();
    if (!entered.ok()) return entered;
    Status first;
    for (const Attached& a : ports) {
        if (Status s = detach(a); !s.ok() && first.ok()) first = s;
    }
    return first;
}

Status EswLoader::detach(const Attached& a) const {
    bpf_tc_hook hook{};
    hook.sz = sizeof hook;
    hook.ifindex = static_cast<int>(a.ifindex);
    hook.attach_point = BPF_TC_INGRESS;
    bpf_tc_opts opts{};
    opts.sz = sizeof opts;
    opts.handle = kTcHandle;
    opts.priority = kTcPriority;
    int rc = bpf_tc_detach(&hook, &opts);
    // A port deleted meanwhile took its filter with it.
    if (rc != 0 && !gone(rc)) return fail(rc, "detaching from ifindex " + std::to_string(a.ifindex) + " in " + options_.netns);
    if (!a.created_hook) return Status::success();
    hook.attach_point = static_cast<bpf_tc_attach_point>(BPF_TC_INGRESS | BPF_TC_EGRESS);
    rc = bpf_tc_hook_destroy(&hook);
    if (rc != 0 && !gone(rc)) return fail(rc, "removing the clsact qdisc of ifindex " + std::to_string(a.ifindex));
    return Status::success();
}

Status EswLoader::forget_ports_except(const std::set<uint32_t>& keep, size_t& removed) {
    removed = 0;
    if (ports_fd_ < 0) return Status::failure(EBADF, "emulated eSwitch: not loaded (or released)");
    std::vector<uint32_t> stale;
    uint32_t key = 0, next = 0;
    const uint32_t* prev = nullptr;
    while (bpf_map_get_next_key(ports_fd_, prev, &next) == 0) {
        if (!keep.count(next)) stale.push_back(next);
        key = next;
        prev = &key;
    }
    if (stale.empty()) return Status::success();
    NetnsScope ns;
    if (Status s = ns.enter(options_.netns); !s.ok()) return s;
    for (uint32_t ifindex : stale) {
        // Detach first: teardown finds our filters through esw_ports, so a
        // device that still exists must not keep one without a record.
        const auto it = std::find_if(attached_.begin(), attached_.end(), [ifindex](const Attached& a) { return a.ifindex == ifindex; });
        if (Status s = detach(it != attached_.end() ? *it : Attached{ifindex, false}); !s.ok()) return s;
        if (it != attached_.end()) attached_.erase(it);
        if (bpf_map_delete_elem(ports_fd_, &ifindex) != 0 && errno != ENOENT) {
            return fail(errno, "forgetting port ifindex " + std::to_string(ifindex) + " in esw_ports");
        }
        ++removed;
    }
    return Status::success();
}

void EswLoader::close_fds() {
    maps_.reset();
    for (int fd : owned_fds_) ::close(fd);
    owned_fds_.clear();
    if (obj_) {
        bpf_object__close(obj_);
        obj_ = nullptr;
    }
    prog_fd_ = -1;
    ports_fd_ = -1;
}

Status EswLoader::teardown() {
    Status first;
    auto note = [&first](Status s) {
        if (first.ok() && !s.ok()) first = std::move(s);
    };
    note(detach_all());
    for (const std::string& path : pins_) {
        if (::unlink(path.c_str()) != 0 && errno != ENOENT) note(Status::failure(errno, "unpinning " + path));
    }
    pins_.clear();
    close_fds();
    if (mounted_) {
        if (::umount2(options_.pin_dir.c_str(), MNT_DETACH) != 0) note(Status::failure(errno, "unmounting " + options_.pin_dir));
        mounted_ = false;
    }
    if (made_dir_) {
        // An adopted directory may hold something that is not ours: then it stays.
        if (::rmdir(options_.pin_dir.c_str()) != 0 && errno != ENOENT && !(adopted_ && errno == ENOTEMPTY)) {
            note(Status::failure(errno, "removing " + options_.pin_dir));
        }
        made_dir_ = false;
    }
    return first;
}

void EswLoader::release() {
    // Closing our fds detaches nothing: the tc filters hold the program and
    // the pins hold the maps, so the data plane keeps running.
    attached_.clear();
    pins_.clear();
    mounted_ = false;
    made_dir_ = false;
    close_fds();
}

}  // namespace snoc::offload::emulated
