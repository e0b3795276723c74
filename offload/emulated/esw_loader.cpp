#include "offload/emulated/esw_loader.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <filesystem>

#include "offload/emulated/esw_bpf_maps.h"
#include "offload/emulated/esw_object.h"
#include "offload/emulated/netns_scope.h"

namespace snoc::offload::emulated {

namespace {

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

}  // namespace

Status EswLoader::load(const EswLoadOptions& options, std::unique_ptr<EswLoader>& out) {
    if (options.pin_dir.empty()) return Status::failure(EINVAL, "emulated eSwitch: no pin directory given");
    if (options.table_size == 0) return Status::failure(EINVAL, "emulated eSwitch: table size 0 (the profile's emulated max_rules)");
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

EswLoader::~EswLoader() { (void)teardown(); }

Status EswLoader::prepare_pin_dir() {
    namespace fs = std::filesystem;
    const fs::path dir(options_.pin_dir);
    std::error_code ec;
    if (fs::exists(dir, ec) && !fs::is_empty(dir, ec)) {
        // A previous instance's pins would be silently shared; refuse instead.
        return Status::failure(EEXIST, "pin directory " + options_.pin_dir + " is not empty (another eSwitch, or leftovers)");
    }
    if (!fs::exists(dir, ec)) {
        fs::create_directories(dir, ec);
        if (ec) return Status::failure(ec.value(), "creating pin directory " + options_.pin_dir);
        made_dir_ = true;
    }
    if (on_bpffs(dir.parent_path().string())) return Status::success();
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
    if (!obj_) return Status::failure(EBADF, "emulated eSwitch: not loaded");
    const int ports_fd = bpf_object__find_map_fd_by_name(obj_, "esw_ports");
    if (bpf_map_update_elem(ports_fd, &ifindex, &port, BPF_ANY) != 0) {
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

Status EswLoader::teardown() {
    Status first;
    auto note = [&first](Status s) {
        if (first.ok() && !s.ok()) first = std::move(s);
    };
    if (!attached_.empty()) {
        NetnsScope ns;
        Status entered = ns.enter(options_.netns);
        note(entered);
        for (const Attached& a : entered.ok() ? attached_ : std::vector<Attached>{}) {
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
            if (rc != 0 && rc != -ENODEV && rc != -ENOENT && rc != -EINVAL) {
                note(fail(rc, "detaching from ifindex " + std::to_string(a.ifindex)));
            }
            if (a.created_hook) {
                hook.attach_point = static_cast<bpf_tc_attach_point>(BPF_TC_INGRESS | BPF_TC_EGRESS);
                rc = bpf_tc_hook_destroy(&hook);
                if (rc != 0 && rc != -ENODEV && rc != -ENOENT && rc != -EINVAL) {
                    note(fail(rc, "removing the clsact qdisc of ifindex " + std::to_string(a.ifindex)));
                }
            }
        }
        attached_.clear();
    }
    for (const std::string& path : pins_) {
        if (::unlink(path.c_str()) != 0 && errno != ENOENT) note(Status::failure(errno, "unpinning " + path));
    }
    pins_.clear();
    maps_.reset();
    if (obj_) {
        bpf_object__close(obj_);
        obj_ = nullptr;
        prog_fd_ = -1;
    }
    if (mounted_) {
        if (::umount2(options_.pin_dir.c_str(), MNT_DETACH) != 0) note(Status::failure(errno, "unmounting " + options_.pin_dir));
        mounted_ = false;
    }
    if (made_dir_) {
        if (::rmdir(options_.pin_dir.c_str()) != 0 && errno != ENOENT) note(Status::failure(errno, "removing " + options_.pin_dir));
        made_dir_ = false;
    }
    return first;
}

}  // namespace snoc::offload::emulated
