// police: an OpenFlow meter, shared by index (kPoliceIndexBase + meter id)
// as OVS shares its meters; exceeding packets drop, conforming ones go on.
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/tc_act/tc_gact.h>

#include <algorithm>
#include <cerrno>

#include "netlink/attr_struct.h"
#include "offload/tc/action_kind.h"
#include "offload/tc/action_writer.h"
#include "offload/tc/flower_actions.h"

namespace snoc::offload::tc {
namespace {

constexpr uint32_t kMtu = 2047;  // the rate table covers packets up to this size

uint64_t bytes_per_second(const MeterRate& m) { return std::max<uint64_t>(1, m.rate_kbps * 1000 / 8); }

// Burst in bytes: as configured, else 100 ms of traffic; never below a few full frames.
uint64_t burst_bytes(const MeterRate& m) {
    return std::max<uint64_t>(m.burst_kb ? m.burst_kb * 1000 / 8 : bytes_per_second(m) / 10, 8 * kMtu);
}

Status encode(const TcAction& a, ActionWriter& w, const TranslateContext& ctx) {
    const auto& m = std::get<MeterParams>(a.params);
    if (!m.rate) return Status::failure(ENOENT, "meter " + std::to_string(m.meter_id) + " is not defined");
    const PoliceParams pp = police_params(*m.rate, ctx.psched_tick_in_usec);
    tc_police p{};
    p.index = kPoliceIndexBase + m.meter_id;
    p.action = TC_ACT_SHOT;  // exceeding packets are dropped
    p.burst = pp.burst_ticks;
    p.rate.rate = pp.rate_bytes_per_s;
    p.rate.cell_log = pp.cell_log;
    p.rate.linklayer = TC_LINKLAYER_ETHERNET;
    p.rate.cell_align = -1;
    if (auto s = w.put(TCA_POLICE_TBF, p); !s.ok()) return s;
    if (auto s = w.put_bytes(TCA_POLICE_RATE, pp.rtab.data(), pp.rtab.size() * sizeof(uint32_t)); !s.ok()) return s;
    if (pp.rate64_bytes_per_s) {
        if (auto s = w.put<uint64_t>(TCA_POLICE_RATE64, pp.rate64_bytes_per_s); !s.ok()) return s;
    }
    return w.put<uint32_t>(TCA_POLICE_RESULT, TC_ACT_PIPE);  // conforming packets go on
}

std::string print(const TcAction& a, const TranslateContext&) {
    const auto& m = std::get<MeterParams>(a.params);
    std::string text = "police";
    if (m.rate) {
        // tc reads a burst "kbit" as 128 bytes; the bytes police_params() installs are exact.
        text += " rate " + std::to_string(m.rate->rate_kbps) + "kbit burst " + std::to_string(burst_bytes(*m.rate));
    }
    return text + " conform-exceed drop/pipe index " + std::to_string(kPoliceIndexBase + m.meter_id);
}

Status decode(nlattr* const opt[], const TranslateContext&, ActionDecodeState& st) {
    auto p = netlink::attr_struct<tc_police>(opt[TCA_POLICE_TBF]);
    if (!p) return Status::failure(EINVAL, "police without parameters");
    if (p->index < kPoliceIndexBase) return Status::failure(EOPNOTSUPP, "police action not created by snoc");
    st.actions.push_back(flow::Meter{p->index - kPoliceIndexBase});
    return Status::success();
}

}  // namespace

PoliceParams police_params(const MeterRate& m, double tick_in_usec) {
    PoliceParams p;
    const uint64_t rate = bytes_per_second(m);
    p.rate_bytes_per_s = static_cast<uint32_t>(std::min<uint64_t>(rate, 0xffffffffu));
    if (rate > 0xffffffffu) p.rate64_bytes_per_s = rate;
    auto xmit_ticks = [&](uint64_t bytes) {
        const double usec = 1e6 * static_cast<double>(bytes) / static_cast<double>(rate);
        return static_cast<uint32_t>(std::min(usec * tick_in_usec, 4294967295.0));
    };
    while ((kMtu >> p.cell_log) > 255) ++p.cell_log;
    p.rtab.resize(256);
    for (uint32_t i = 0; i < 256; ++i) p.rtab[i] = xmit_ticks(static_cast<uint64_t>(i + 1) << p.cell_log);
    p.burst_ticks = xmit_ticks(burst_bytes(m));
    return p;
}

const ActionKind& police_kind() {
    static const netlink::AttrPolicy options{"police options",
                                             {netlink::struct_attr<tc_police>(SNOC_NLA(TCA_POLICE_TBF)),
                                              netlink::u32_attr(SNOC_NLA(TCA_POLICE_RESULT)),
                                              netlink::u64_attr(SNOC_NLA(TCA_POLICE_RATE64)),
                                              netlink::struct_attr<tcf_t>(SNOC_NLA(TCA_POLICE_TM))}};
    static const ActionKind kind{"police", options, TCA_POLICE_TM, encode, print, decode};
    return kind;
}

}  // namespace snoc::offload::tc
