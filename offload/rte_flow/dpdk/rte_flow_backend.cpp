#include "offload/rte_flow/dpdk/rte_flow_backend.h"

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_flow.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "offload/rte_flow/dpdk/rte_flow_build.h"
#include "offload/rte_flow/rte_testpmd.h"

namespace snoc::offload::rte {

namespace {

std::string_view error_type_name(int type) {
    switch (static_cast<rte_flow_error_type>(type)) {
        case RTE_FLOW_ERROR_TYPE_NONE: return "NONE";
        case RTE_FLOW_ERROR_TYPE_UNSPECIFIED: return "UNSPECIFIED";
        case RTE_FLOW_ERROR_TYPE_HANDLE: return "HANDLE";
        case RTE_FLOW_ERROR_TYPE_ATTR_GROUP: return "ATTR_GROUP";
        case RTE_FLOW_ERROR_TYPE_ATTR_PRIORITY: return "ATTR_PRIORITY";
        case RTE_FLOW_ERROR_TYPE_ATTR_INGRESS: return "ATTR_INGRESS";
        case RTE_FLOW_ERROR_TYPE_ATTR_EGRESS: return "ATTR_EGRESS";
        case RTE_FLOW_ERROR_TYPE_ATTR_TRANSFER: return "ATTR_TRANSFER";
        case RTE_FLOW_ERROR_TYPE_ATTR: return "ATTR";
        case RTE_FLOW_ERROR_TYPE_ITEM_NUM: return "ITEM_NUM";
        case RTE_FLOW_ERROR_TYPE_ITEM_SPEC: return "ITEM_SPEC";
        case RTE_FLOW_ERROR_TYPE_ITEM_LAST: return "ITEM_LAST";
        case RTE_FLOW_ERROR_TYPE_ITEM_MASK: return "ITEM_MASK";
        case RTE_FLOW_ERROR_TYPE_ITEM: return "ITEM";
        case RTE_FLOW_ERROR_TYPE_ACTION_NUM: return "ACTION_NUM";
        case RTE_FLOW_ERROR_TYPE_ACTION_CONF: return "ACTION_CONF";
        case RTE_FLOW_ERROR_TYPE_ACTION: return "ACTION";
        case RTE_FLOW_ERROR_TYPE_STATE: return "STATE";
    }
    return "UNKNOWN";
}

bool is_item_error(int type) {
    return type == RTE_FLOW_ERROR_TYPE_ITEM || type == RTE_FLOW_ERROR_TYPE_ITEM_SPEC ||
           type == RTE_FLOW_ERROR_TYPE_ITEM_LAST || type == RTE_FLOW_ERROR_TYPE_ITEM_MASK;
}
bool is_action_error(int type) { return type == RTE_FLOW_ERROR_TYPE_ACTION || type == RTE_FLOW_ERROR_TYPE_ACTION_CONF; }

// The reason an rte_flow call failed: the call, the port, rte_flow_error's
// type, the item or action its cause points at, and the PMD's message.
Status flow_failure(std::string_view call, const std::string& who, const rte_flow_error& e, int rc,
                    const BuiltRule* built, const Rule* rule) {
    int index = -1;
    std::string cause_name;
    if (built != nullptr && rule != nullptr) {
        if (is_item_error(e.type)) {
            index = built->item_index(e.cause);
            if (index >= 0) cause_name = static_cast<size_t>(index) < rule->pattern.size() ? std::string(to_string(rule->pattern[index].type)) : "end";
        } else if (is_action_error(e.type)) {
            index = built->action_index(e.cause);
            if (index >= 0) cause_name = static_cast<size_t>(index) < rule->actions.size() ? std::string(to_string(rule->actions[index].type)) : "end";
        }
    }
    const int err = rte_errno != 0 ? rte_errno : (rc < 0 ? -rc : EINVAL);
    std::string why = describe_flow_error(e.type, index, e.message, err);
    if (!cause_name.empty()) {
        const auto at = why.find(')');
        if (at != std::string::npos) why.insert(at, ": " + cause_name);
    }
    return Status::failure(err, std::string(call) + " on " + who + ": " + why);
}

}  // namespace

std::string describe_flow_error(int type, int cause_index, const char* message, int error) {
    std::string out(error_type_name(type));
    if (cause_index >= 0) {
        out += std::string(" (") + (is_item_error(type) ? "item " : "action ") + std::to_string(cause_index) + ")";
    }
    out += ": ";
    out += message != nullptr && *message != '\0' ? message : std::strerror(error);
    return out;
}

RteFlowBackend::RteFlowBackend(RteFlowOptions options) : options_(std::move(options)) {}

RteFlowBackend::~RteFlowBackend() { flush(); }

Status RteFlowBackend::open(std::unique_ptr<RteFlowBackend>& out, RteFlowOptions options) {
    if (rte_eth_dev_count_avail() == 0) {
        return Status::failure(ENODEV, "no DPDK ports: EAL is not initialised or found no device");
    }
    std::unique_ptr<RteFlowBackend> b(new RteFlowBackend(std::move(options)));
    // Every port named in the options must exist now: a typo fails here,
    // naming it, instead of failing each rule later.
    for (const auto& [name, ethdev] : b->options_.ethdevs) {
        if (!b->port_id_of(name)) return Status::failure(ENODEV, "port " + name + ": no DPDK ethdev named " + ethdev);
    }
    out = std::move(b);
    return Status::success();
}

std::optional<uint16_t> RteFlowBackend::port_id_of(const std::string& name) const {
    auto it = options_.ethdevs.find(name);
    const std::string& ethdev = it != options_.ethdevs.end() ? it->second : name;
    uint16_t id = 0;
    if (rte_eth_dev_get_port_by_name(ethdev.c_str(), &id) != 0) return std::nullopt;
    return id;
}

const PortProbe* RteFlowBackend::probe(const std::string& port) const {
    if (auto it = probes_.find(port); it != probes_.end()) return &it->second;
    const auto id = port_id_of(port);
    if (!id) return nullptr;
    PortProbe p;
    p.port_id = *id;
    char name[RTE_ETH_NAME_MAX_LEN] = {};
    rte_eth_dev_get_name_by_port(*id, name);
    p.ethdev = name;
    rte_eth_dev_info info{};
    if (rte_eth_dev_info_get(*id, &info) == 0 && info.driver_name != nullptr) p.driver = info.driver_name;

    // Counters: validate "match everything, count, drop"; a refusal that a
    // rule without COUNT does not get means the PMD has no flow counters.
    const auto probe_rule = [&](bool count) {
        Rule r;
        r.port_id = *id;
        r.attr.mode = options_.mode;
        if (options_.mode == Mode::Transfer) {
            uint16_t proxy = *id;
            rte_flow_error e{};
            if (rte_flow_pick_transfer_proxy(*id, &proxy, &e) == 0) r.port_id = proxy;
            r.pattern.push_back(Item{ItemType::RepresentedPort, {}});
            ItemField f;
            f.field = "ethdev_port_id";
            f.spec[0] = static_cast<uint8_t>(*id >> 8), f.spec[1] = static_cast<uint8_t>(*id);
            f.mask[0] = f.mask[1] = 0xff;
            r.pattern.back().fields.push_back(f);
        }
        r.pattern.push_back(Item{ItemType::Eth, {}});
        if (count) r.actions.push_back(Action{ActionType::Count, 0, {}, {}, {}});
        r.actions.push_back(Action{ActionType::Drop, 0, {}, {}, {}});
        BuiltRule b(r);
        rte_flow_error e{};
        rte_errno = 0;
        const int rc = rte_flow_validate(r.port_id, b.attr(), b.pattern(), b.actions(), &e);
        return rc == 0 ? Status::success() : flow_failure("probe", p.ethdev, e, rc, &b, &r);
    };
    const Status with_count = probe_rule(true);
    p.counters = with_count.ok();
    if (!p.counters) {
        const Status plain = probe_rule(false);
        p.note = plain.ok() ? "no flow counters (" + with_count.reason + ")" : "probe rule refused (" + plain.reason + ")";
    }
    rte_flow_port_info pinfo{};
    rte_flow_queue_info qinfo{};
    rte_flow_error e{};
    p.templates = rte_flow_info_get(*id, &pinfo, &qinfo, &e) == 0 && pinfo.max_nb_queues > 0;
    if (!p.templates) {
        p.note += std::string(p.note.empty() ? "" : "; ") + "no template / async flow API" +
                  (e.message != nullptr ? std::string(" (") + e.message + ")" : "");
    }
    return &probes_.emplace(port, std::move(p)).first->second;
}

TranslateContext RteFlowBackend::context_for(const std::string& port) const {
    TranslateContext c = options_.extra;
    c.mode = options_.mode;
    c.port_id_of = [this](const std::string& name) { return port_id_of(name); };
    c.transfer_proxy_of = [](uint16_t id) {
        uint16_t proxy = id;
        rte_flow_error e{};
        return rte_flow_pick_transfer_proxy(id, &proxy, &e) == 0 ? proxy : id;
    };
    c.tunnel_of = [this](const std::string& name) -> std::optional<flow::TunnelType> {
        auto it = options_.tunnel_ports.find(name);
        if (it == options_.tunnel_ports.end()) return std::nullopt;
        return it->second;
    };
    const PortProbe* p = probe(port);
    c.count = p != nullptr && p->counters;
    if (p != nullptr) {
        rte_eth_dev_info info{};
        if (rte_eth_dev_info_get(p->port_id, &info) == 0 && info.nb_rx_queues > 0) c.rx_queues = info.nb_rx_queues;
    }
    return c;
}

Status RteFlowBackend::create(const HwRule& rule, const Rule& rte, rte_flow*& handle) {
    BuiltRule b(rte);
    const std::string who = "port " + rule.port + " (DPDK port " + std::to_string(rte.port_id) + ")";
    rte_flow_error e{};
    rte_errno = 0;
    if (int rc = rte_flow_validate(rte.port_id, b.attr(), b.pattern(), b.actions(), &e); rc != 0) {
        return flow_failure("rte_flow_validate", who, e, rc, &b, &rte);
    }
    e = rte_flow_error{};
    rte_errno = 0;
    handle = rte_flow_create(rte.port_id, b.attr(), b.pattern(), b.actions(), &e);
    if (handle == nullptr) return flow_failure("rte_flow_create", who, e, -rte_errno, &b, &rte);
    return Status::success();
}

Status RteFlowBackend::destroy(Installed& in) {
    if (in.handle == nullptr) return Status::success();
    rte_flow_error e{};
    rte_errno = 0;
    const int rc = rte_flow_destroy(in.rte.port_id, in.handle, &e);
    in.handle = nullptr;  // a failed destroy leaves nothing snoc can retry with
    if (rc != 0) return flow_failure("rte_flow_destroy", "port " + in.rule.port, e, rc, nullptr, nullptr);
    return Status::success();
}

HwSyncReport RteFlowBackend::sync(const std::vector<HwRule>& desired, const std::vector<std::string>& ports) {
    HwSyncReport r;
    const std::set<std::string> scope(ports.begin(), ports.end());
    std::set<uint64_t> wanted;
    for (const auto& d : desired) wanted.insert(d.cookie);
    ranks_ = PriorityRanks(desired);

    for (auto it = installed_.begin(); it != installed_.end();) {
        if (scope.count(it->second.rule.port) != 0 && wanted.count(it->first) == 0) {
            if (Status s = destroy(it->second); !s.ok()) r.failures.emplace_back(it->second.rule, s);
            ++r.deleted;
            it = installed_.erase(it);
        } else {
            ++it;
        }
    }
    for (const HwRule& d : desired) {
        Rule rte;
        Status s = translate(d, ranks_.rank(d.table, d.priority), context_for(d.port), rte);
        auto it = installed_.find(d.cookie);
        if (!s.ok()) {
            // What was there no longer says what the policy says.
            if (it != installed_.end()) {
                destroy(it->second);
                installed_.erase(it);
                ++r.deleted;
            }
            r.failures.emplace_back(d, s);
            continue;
        }
        if (it != installed_.end() && it->second.rule == d && it->second.rte == rte) {
            ++r.unchanged;
            continue;
        }
        const bool replacing = it != installed_.end();
        if (replacing) {
            // Destroy first: two rules with one match and priority may clash in the PMD.
            destroy(it->second);
            installed_.erase(it);
        }
        rte_flow* handle = nullptr;
        if (s = create(d, rte, handle); !s.ok()) {
            r.failures.emplace_back(d, s);
            continue;
        }
        installed_[d.cookie] = Installed{d, std::move(rte), handle};
        ++(replacing ? r.replaced : r.added);
    }
    return r;
}

Status RteFlowBackend::read(const std::vector<std::string>& ports, std::vector<HwRuleState>& out) {
    for (const auto& port : ports) {
        if (!port_id_of(port)) return Status::failure(ENODEV, "port " + port + " is no longer a DPDK port");
    }
    const std::set<std::string> scope(ports.begin(), ports.end());
    for (auto& [cookie, in] : installed_) {
        if (scope.count(in.rule.port) == 0) continue;
        HwRuleState st;
        st.rule = in.rule;
        st.placement = Placement::Hardware;
        const PortProbe* p = probe(in.rule.port);
        if (p != nullptr && p->counters && in.handle != nullptr) {
            rte_flow_query_count q{};
            rte_flow_action count{RTE_FLOW_ACTION_TYPE_COUNT, nullptr};
            rte_flow_error e{};
            rte_errno = 0;
            if (int rc = rte_flow_query(in.rte.port_id, in.handle, &count, &q, &e); rc != 0) {
                return flow_failure("rte_flow_query", "port " + in.rule.port, e, rc, nullptr, nullptr);
            }
            if (q.hits_set) st.packets = st.hw_packets = q.hits;
            if (q.bytes_set) st.bytes = st.hw_bytes = q.bytes;
        }
        out.push_back(std::move(st));
    }
    return Status::success();
}

std::string RteFlowBackend::render(const HwRule& rule) const {
    Rule rte;
    const Status s = translate(rule, ranks_.rank(rule.table, rule.priority), context_for(rule.port), rte);
    if (!s.ok()) return "# not expressible as an rte_flow rule: " + s.reason;
    return render_testpmd(rte);
}

void RteFlowBackend::flush() {
    for (auto& [cookie, in] : installed_) destroy(in);
    installed_.clear();
}

}  // namespace snoc::offload::rte
