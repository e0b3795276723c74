#include "offload/emulated/esw_device.h"


#include <cerrno>
#include <set>

#include "offload/emulated/emulated_backend.h"
#include "offload/emulated/esw_loader.h"
#include "offload/emulated/esw_table.h"
#include "sys/netns_scope.h"

namespace snoc::offload::emulated {

struct EswDevice::Parts {
    std::unique_ptr<EswLoader> loader;
    std::unique_ptr<EswTable> table;
    std::unique_ptr<EmulatedBackend> backend;
};

namespace {


EswLoadOptions load_options(const std::string& pin_dir, const std::string& netns, uint32_t table_size) {
    EswLoadOptions o;
    o.table_size = table_size;
    o.pin_dir = pin_dir;
    o.netns = "/run/netns/" + netns;
    return o;
}

using sys::ifindex_in;

// Attaches every port, then forgets the ports the eSwitch recorded that are
// none of these (`forgotten` of them): ifindexes of veth pairs re-made since.
Status attach_ports(EswLoader& loader, const EswDeviceOptions& o, EswPortMap& ports, size_t& forgotten) {
    std::set<uint32_t> attached;
    auto add = [&](const std::string& dev, uint32_t flags, const std::string& miss) -> Status {
        const uint32_t at = ifindex_in(o.netns, dev), to = ifindex_in(o.netns, miss);
        if (at == 0 || to == 0) {
            return Status::failure(ENODEV, "eSwitch port " + dev + " or " + miss + " is missing in " + o.netns);
        }
        attached.insert(at);
        return loader.add_port(at, esw_port{flags, to});
    };
    for (const EswPortPair& p : o.ports) {
        if (Status s = add(p.lookup_dev, ESW_PORT_LOOKUP, p.peer_dev); !s.ok()) return s;
        if (Status s = add(p.peer_dev, 0, p.lookup_dev); !s.ok()) return s;
        ports[p.rule_port] = ifindex_in(o.netns, p.lookup_dev);
    }
    return loader.forget_ports_except(attached, forgotten);
}

}  // namespace

EswDevice::EswDevice() : parts_(std::make_unique<Parts>()) {}

EswDevice::~EswDevice() {
    if (parts_->loader) parts_->loader->release();
}

OffloadBackend& EswDevice::backend() { return *parts_->backend; }

Status EswDevice::open(const EswDeviceOptions& o, std::unique_ptr<EswDevice>& out, EswOpenReport& report) {
    auto self = std::unique_ptr<EswDevice>(new EswDevice());
    Parts& parts = *self->parts_;
    const EswLoadOptions opts = load_options(o.pin_dir, o.netns, o.table_size);
    Status st = EswLoader::load_or_adopt(opts, parts.loader, report.adopted);
    if (!st.ok() && st.error == EEXIST) {
        // A table of another size (the profile changed) or leftovers: start over.
        report.reloaded = st.reason;
        (void)EswLoader::destroy_pinned(opts);
        st = EswLoader::load_or_adopt(opts, parts.loader, report.adopted);
    }
    if (st.ok()) {
        parts.table = std::make_unique<EswTable>(parts.loader->maps(), o.table_size);
        if (report.adopted) st = parts.table->adopt();
    }
    EswPortMap ports;
    if (st.ok()) st = attach_ports(*parts.loader, o, ports, report.forgotten);
    if (!st.ok()) return st;
    parts.backend = std::make_unique<EmulatedBackend>(*parts.table, std::move(ports));
    out = std::move(self);
    return Status::success();
}

Status EswDevice::destroy(const std::string& pin_dir, const std::string& netns) {
    return EswLoader::destroy_pinned(load_options(pin_dir, netns, 1));
}

}  // namespace snoc::offload::emulated
