#include "offload/tc/tc_engine.h"

#include "offload/tc/flower_actions.h"

#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <cerrno>
#include <fstream>
#include <set>
#include <tuple>

namespace snoc::offload::tc {
namespace {

// Probe rules live in a chain snoc never uses for policy (OpenFlow tables are < 255).
constexpr uint32_t kProbeChain = 0x5c0c;

double read_psched_tick_in_usec() {
    // /proc/net/psched: t2us us2t clock_res hz (hex). ticks per usec = t2us / us2t * clock_res / 1e6.
    std::ifstream in("/proc/net/psched");
    unsigned t2us = 0, us2t = 0, clock_res = 0;
    if (!(in >> std::hex >> t2us >> us2t >> clock_res) || us2t == 0 || clock_res == 0) return 15.625;
    const double factor = clock_res == 1000000000u ? 1000.0 : static_cast<double>(clock_res) / 1e6;
    return static_cast<double>(t2us) / us2t * factor;
}

std::optional<int> ifindex_of(const std::string& dev) {
    const unsigned idx = if_nametoindex(dev.c_str());
    if (idx == 0) return std::nullopt;
    return static_cast<int>(idx);
}

std::optional<std::string> name_of(int ifindex) {
    char buf[IF_NAMESIZE] = {};
    if (!if_indextoname(static_cast<unsigned>(ifindex), buf)) return std::nullopt;
    return std::string(buf);
}

using RuleKey = std::tuple<int, uint32_t, uint16_t, uint32_t>;
RuleKey key_of(const TcRule& r) { return {r.ifindex, r.chain, r.prio, r.handle}; }

// `have` is a rule read back from the kernel, `want` a desired one.
bool same_rule(const TcRule& have, const TcRule& want) {
    return have.skip == want.skip && have.cookie == want.cookie && have.flow.match == want.flow.match &&
           have.flow.actions == tc_normal_form(want.flow.actions);
}

}  // namespace

Status TcEngine::open(std::unique_ptr<TcEngine>& out) {
    std::unique_ptr<TcEngine> e(new TcEngine());
    if (auto s = netlink::NetlinkSocket::open(e->sock_); !s.ok()) return s;
    e->ctx_.ifindex_of = ifindex_of;
    e->ctx_.name_of = name_of;
    e->ctx_.psched_tick_in_usec = read_psched_tick_in_usec();
    out = std::move(e);
    return Status::success();
}

Status TcEngine::resolve(std::vector<TcRule>& rules) const {
    for (TcRule& r : rules) {
        if (r.ifindex) continue;
        auto idx = ctx_.ifindex_of(r.dev);
        if (!idx) return Status::failure(ENODEV, "netdev '" + r.dev + "' does not exist");
        r.ifindex = *idx;
    }
    return Status::success();
}

Status TcEngine::ensure_clsact(const std::string& dev) {
    auto idx = ctx_.ifindex_of(dev);
    if (!idx) return Status::failure(ENODEV, "netdev '" + dev + "' does not exist");
    NlMsgPtr msg(nlmsg_alloc_simple(RTM_NEWQDISC, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL));
    if (!msg) return Status::failure(ENOMEM, "cannot allocate a netlink message");
    tcmsg t{};
    t.tcm_family = AF_UNSPEC;
    t.tcm_ifindex = *idx;
    t.tcm_handle = TC_H_MAKE(TC_H_CLSACT, 0);
    t.tcm_parent = TC_H_CLSACT;
    if (nlmsg_append(msg.get(), &t, sizeof t, NLMSG_ALIGNTO) < 0 || nla_put_string(msg.get(), TCA_KIND, "clsact") < 0) {
        return Status::failure(EMSGSIZE, "message full");
    }
    std::vector<NlMsgPtr> batch;
    batch.push_back(std::move(msg));
    Status s = sock_->transact(batch).front();
    if (s.error == EEXIST) return Status::success();
    if (!s.ok()) s.reason = "clsact qdisc on " + dev + ": " + s.reason;
    return s;
}

Status TcEngine::probe(const std::string& dev, ProbeReport& out) {
    if (auto s = ensure_clsact(dev); !s.ok()) return s;
    auto idx = ctx_.ifindex_of(dev);
    // One throwaway rule per action kind, in software only, in a chain nothing jumps to.
    auto rule_with = [&](std::vector<flow::Action> actions) {
        TcRule r;
        r.dev = dev;
        r.ifindex = *idx;
        r.chain = kProbeChain;
        r.prio = 1;
        r.handle = 1;
        r.skip = SkipPolicy::SkipHw;
        r.cookie = 0;
        r.flow.match.set_exact_uint(flow::Field::EthType, 0x0800);
        r.flow.actions = std::move(actions);
        return r;
    };
    ctx_.meters[0xfffe] = MeterRate{1000, 0};
    const std::vector<std::pair<std::string, std::vector<flow::Action>>> probes = {
        {"gact", {flow::Drop{}}},
        {"mirred", {flow::Output{dev}}},
        {"vlan", {flow::PopVlan{}}},
        {"pedit", {flow::DecTtl{}}},
        {"tunnel_key", {flow::TunnelDecap{}, flow::Drop{}}},
        {"ct", {flow::CtClear{}, flow::Drop{}}},
        {"police", {flow::Meter{0xfffe}, flow::Drop{}}},
    };
    for (const auto& [kind, actions] : probes) {
        std::vector<TcRule> one{rule_with(actions)};
        Status s = install(one, Install::Replace).front();
        if (s.ok()) remove(one);
        if (kind == "gact") out.flower = s.ok();
        out.actions[kind] = s;
    }
    ctx_.meters.erase(0xfffe);
    return out.flower ? Status::success() : out.actions["gact"];
}

std::vector<Status> TcEngine::install(const std::vector<TcRule>& rules, Install mode, std::vector<std::string>* warnings) {
    std::vector<Status> results(rules.size());
    std::vector<NlMsgPtr> msgs;
    std::vector<size_t> index;  // msgs[i] is for rules[index[i]]
    for (size_t i = 0; i < rules.size(); ++i) {
        NlMsgPtr m;
        Status s = build_new_filter(rules[i], ctx_, mode, m);
        if (!s.ok()) {
            results[i] = s;
            continue;
        }
        msgs.push_back(std::move(m));
        index.push_back(i);
    }
    std::vector<std::string> sent_warnings;
    auto sent = sock_->transact(msgs, warnings ? &sent_warnings : nullptr);
    if (warnings) warnings->assign(rules.size(), {});
    for (size_t k = 0; k < sent.size(); ++k) {
        results[index[k]] = sent[k];
        if (warnings) (*warnings)[index[k]] = sent_warnings[k];
    }
    return results;
}

std::vector<Status> TcEngine::remove(const std::vector<TcRule>& rules) {
    std::vector<Status> results(rules.size());
    std::vector<NlMsgPtr> msgs;
    std::vector<size_t> index;
    for (size_t i = 0; i < rules.size(); ++i) {
        NlMsgPtr m;
        Status s = build_del_filter(rules[i], m);
        if (!s.ok()) {
            results[i] = s;
            continue;
        }
        msgs.push_back(std::move(m));
        index.push_back(i);
    }
    auto sent = sock_->transact(msgs);
    for (size_t k = 0; k < sent.size(); ++k) {
        results[index[k]] = sent[k].error == ENOENT ? Status::success() : sent[k];
    }
    return results;
}

Status TcEngine::dump(const std::string& dev, bool owned_only, std::vector<TcRuleState>& out) {
    auto idx = ctx_.ifindex_of(dev);
    if (!idx) return Status::failure(ENODEV, "netdev '" + dev + "' does not exist");
    NlMsgPtr req;
    if (auto s = build_dump_filters(*idx, req); !s.ok()) return s;
    Status decode_error;
    Status s = sock_->dump(std::move(req), [&](nlmsghdr* h) {
        TcRuleState st;
        Status d = decode_filter(h, ctx_, st);
        if (d.error == ENOENT) return;  // not a flower filter
        // Foreign filters (OVS's own tc offloads of datapath flows, an
        // operator's) may use actions snoc does not model: they are never
        // touched, so an owned-only dump passes them by unread.
        if (!d.ok() && owned_only && st.rule.cookie == 0) return;
        if (!d.ok()) {
            if (decode_error.ok()) decode_error = d;
            return;
        }
        if (owned_only && st.rule.cookie == 0) return;
        if (st.rule.chain == kProbeChain) return;
        out.push_back(std::move(st));
    });
    if (!s.ok()) return s;
    return decode_error;
}

SyncReport TcEngine::sync(const std::vector<TcRule>& desired_in, const std::vector<std::string>& devs) {
    SyncReport report;
    std::vector<TcRule> desired = desired_in;
    if (auto s = resolve(desired); !s.ok()) {
        for (const auto& r : desired) report.failures.emplace_back(r, s);
        return report;
    }
    std::map<RuleKey, TcRule> existing;
    std::set<std::string> dump_devs(devs.begin(), devs.end());
    for (const auto& r : desired) dump_devs.insert(r.dev);
    for (const auto& dev : dump_devs) {
        TcRule device_only;
        device_only.dev = dev;
        if (auto s = ensure_clsact(dev); !s.ok()) {
            report.failures.emplace_back(device_only, s);
            continue;
        }
        std::vector<TcRuleState> states;
        if (auto s = dump(dev, true, states); !s.ok()) {
            report.failures.emplace_back(device_only, s);
            continue;
        }
        for (auto& st : states) existing.emplace(key_of(st.rule), std::move(st.rule));
    }
    std::vector<TcRule> to_add, to_replace, to_delete;
    std::set<RuleKey> wanted;
    for (const auto& r : desired) {
        wanted.insert(key_of(r));
        auto it = existing.find(key_of(r));
        if (it == existing.end()) to_add.push_back(r);
        else if (same_rule(it->second, r)) ++report.unchanged;
        else to_replace.push_back(r);
    }
    for (const auto& [key, rule] : existing) {
        if (!wanted.count(key)) to_delete.push_back(rule);
    }
    auto apply = [&](const std::vector<TcRule>& rules, const std::vector<Status>& results, size_t& counter) {
        for (size_t i = 0; i < rules.size(); ++i) {
            if (results[i].ok()) ++counter;
            else report.failures.emplace_back(rules[i], results[i]);
        }
    };
    // Deletes first: they free hardware table space the additions may need.
    apply(to_delete, remove(to_delete), report.deleted);
    // Rules the kernel took in software only come back with the driver's
    // warning (TCA_CLS_FLAGS_VERBOSE); keep them, naming the device.
    auto install_noting = [&](const std::vector<TcRule>& rules, Install mode) {
        std::vector<std::string> warnings;
        auto results = install(rules, mode, &warnings);
        for (size_t i = 0; i < rules.size(); ++i) {
            if (results[i].ok() && !warnings[i].empty()) report.warnings.push_back(rules[i].dev + ": " + warnings[i]);
        }
        return results;
    };
    apply(to_replace, install_noting(to_replace, Install::Replace), report.replaced);
    apply(to_add, install_noting(to_add, Install::Create), report.added);
    return report;
}

}  // namespace snoc::offload::tc
