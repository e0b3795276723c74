// One registry entry per tc action kind snoc installs (gact, mirred, vlan,
// pedit, csum, police, ct, tunnel_key), in the spirit of iproute2's
// tc/m_action.c action_util: the kind string, the attributes decoding
// checks, and the three directions — encode (a lowered action -> its
// TCA_ACT_OPTIONS), print (-> the words after `action` in `tc filter add`)
// and decode (TCA_ACT_OPTIONS -> canonical actions). Decoding finds the
// entry by the kind the kernel reports; encoding and printing by the
// lowered action (action_lowering.h).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "netlink/attr_policy.h"
#include "flow/flow.h"
#include "offload/status.h"
#include "offload/tc/pedit.h"
#include "offload/tc/tc_rule.h"

struct nlattr;

namespace snoc::offload::tc {

class ActionWriter;
struct ActionKind;

// --- lowered actions: one tc action each, before it is written or printed ---

struct GactParams {
    int action = 0;  // TC_ACT_SHOT, or TC_ACT_GOTO_CHAIN | chain
};
struct MirredParams {
    std::string dev;
    bool redirect = false;       // the rule's last action redirects; earlier ones mirror
    std::string_view port_role;  // "output port" / "tunnel port", for errors
};
struct VlanParams {
    int v_action = 0;  // TCA_VLAN_ACT_*
    std::optional<uint16_t> vid;
    uint16_t tpid = 0x8100;
    std::optional<uint8_t> pcp;
};
struct PeditParams {
    std::vector<flow::Action> rewrites;  // the run of SetField / DecTtl
    const flow::Match* match = nullptr;  // tells IPv4 from IPv6, TCP from UDP
    Status planned;                      // plan_pedit()'s verdict
    PeditPlan plan;
};
struct CsumParams {
    uint32_t flags = 0;  // TCA_CSUM_UPDATE_FLAG_*
};
struct MeterParams {
    uint32_t meter_id = 0;
    std::optional<MeterRate> rate;  // unset: the meter is not defined
};
struct CtParams {
    uint16_t flags = 0;  // TCA_CT_ACT_*
    uint16_t zone = 0;
};
struct TunnelKeyParams {
    std::optional<flow::TunnelEncap> encap;  // unset: tunnel_key unset (decap)
};
// A canonical action tc cannot express: encoding fails with `why`, the
// printed command carries `comment`.
struct NoTcForm {
    Status why;
    std::string comment;
};

using ActionParams = std::variant<NoTcForm, GactParams, MirredParams, VlanParams, PeditParams, CsumParams, MeterParams,
                                  CtParams, TunnelKeyParams>;

struct TcAction {
    const ActionKind* kind = nullptr;  // null for NoTcForm
    ActionParams params;
};

// What decoding carries from one action to the next.
struct ActionDecodeState {
    std::vector<flow::Action>& actions;
    std::optional<flow::TunnelEncap> pending_encap;  // a tunnel_key set waits for its mirred
};

// Attribute tables for TCA_ACT_OPTIONS are this large for every kind.
inline constexpr size_t kMaxOptionAttrs = 64;

struct ActionKind {
    std::string_view kind;                 // TCA_ACT_KIND
    const netlink::AttrPolicy& options;    // the TCA_ACT_OPTIONS attributes decode reads
    int tm_attr;                           // the kind's TCA_*_TM (last use)
    Status (*encode)(const TcAction& a, ActionWriter& w, const TranslateContext& ctx);
    std::string (*print)(const TcAction& a, const TranslateContext& ctx);
    Status (*decode)(nlattr* const opt[], const TranslateContext& ctx, ActionDecodeState& st);
};

// Every kind, and one by its TCA_ACT_KIND (null when snoc does not install it).
std::span<const ActionKind* const> action_kinds();
const ActionKind* find_action_kind(std::string_view kind);

// The entries, one file each (act_*.cpp).
const ActionKind& gact_kind();
const ActionKind& mirred_kind();
const ActionKind& vlan_kind();
const ActionKind& pedit_kind();
const ActionKind& csum_kind();
const ActionKind& police_kind();
const ActionKind& ct_kind();
const ActionKind& tunnel_key_kind();

}  // namespace snoc::offload::tc
