// SPDX-License-Identifier: GPL-2.0
/* The emulated eSwitch: one tc (clsact ingress) program attached to every
 * NIC-side port. A VF / uplink port's packets are parsed, looked up in the
 * tuple-space rule table and, on a hit, counted and switched directly (the
 * "hardware" fast path); a miss goes out of the port's representor, where
 * OVS sees it (the slow path). A representor port's packets go straight
 * back to its VF. See docs/emulated-eswitch.md.
 *
 * Redirects are to egress (flags 0): egress of vfport_j delivers at its
 * veth peer vf_j in container j. BPF_F_INGRESS on vfport_j would re-enter
 * this program instead.
 *
 * Packet bytes are read with bpf_skb_load_bytes rather than direct packet
 * access: it also reads non-linear (GSO / paged) skbs, and the VLAN helpers
 * called at the end cannot invalidate anything we hold. Everything is parsed
 * first, rewritten last.
 *
 * GPL: bpf_redirect and the VLAN helpers are GPL-only. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "esw_maps.h"

char LICENSE[] SEC("license") = "GPL";

/* Sizes are set by the loader from the NIC profile before load. */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, ESW_MAX_PORTS);
    __type(key, __u32);
    __type(value, struct esw_port);
} esw_ports SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, ESW_MAX_MASKS);
    __type(key, __u32);
    __type(value, struct esw_mask);
} esw_masks SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 4096);
    __type(key, struct esw_rule_key);
    __type(value, struct esw_rule);
} esw_rules SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 4096);
    __type(key, __u32);
    __type(value, struct esw_counter);
} esw_counters SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct esw_config);
} esw_config SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, ESW_STAT_MAX);
    __type(key, __u32);
    __type(value, __u64);
} esw_stats SEC(".maps");

#define ETH_P_8021Q_BE bpf_htons(ETH_P_8021Q)
#define ETH_P_8021AD_BE bpf_htons(ETH_P_8021AD)
#define IP_FRAG_OFFSET_MASK 0x1fff

static __always_inline void stat_inc(__u32 which)
{
    __u64 *v = bpf_map_lookup_elem(&esw_stats, &which);
    if (v)
        *v += 1;
}

/* What parsing learns besides the key: the header length each extra GSO
 * segment repeats on the wire. */
struct parse_info {
    __u32 hdr_len;
};

static __always_inline void parse_l4(struct __sk_buff *skb, __u32 off, struct esw_key *key,
                                     struct parse_info *pi)
{
    __u8 l4[14];

    pi->hdr_len = off;
    switch (key->ip_proto) {
    case IPPROTO_TCP:
        if (bpf_skb_load_bytes(skb, off, l4, 14) < 0)
            return;
        __builtin_memcpy(&key->tp_src, &l4[0], 2);
        __builtin_memcpy(&key->tp_dst, &l4[2], 2);
        key->tcp_flags = bpf_htons(((__u16)l4[12] << 8 | l4[13]) & 0x0fff);
        pi->hdr_len = off + (l4[12] >> 4) * 4;
        break;
    case IPPROTO_UDP:
    case IPPROTO_SCTP:
        if (bpf_skb_load_bytes(skb, off, l4, 4) < 0)
            return;
        __builtin_memcpy(&key->tp_src, &l4[0], 2);
        __builtin_memcpy(&key->tp_dst, &l4[2], 2);
        pi->hdr_len = off + (key->ip_proto == IPPROTO_UDP ? 8 : 12);
        break;
    case IPPROTO_ICMP:
    case 58: /* ICMPv6 */
        if (bpf_skb_load_bytes(skb, off, l4, 2) < 0)
            return;
        key->tp_src = bpf_htons(l4[0]);
        key->tp_dst = bpf_htons(l4[1]);
        pi->hdr_len = off + 8;
        break;
    }
}

/* Fills `key` from the packet; returns -1 when even the Ethernet header is missing. */
static __always_inline int parse(struct __sk_buff *skb, struct esw_key *key, struct parse_info *pi)
{
    __u8 eth[14];
    __u32 off = 14;

    if (bpf_skb_load_bytes(skb, 0, eth, 14) < 0)
        return -1;
    __builtin_memcpy(key->eth_dst, &eth[0], 6);
    __builtin_memcpy(key->eth_src, &eth[6], 6);
    __builtin_memcpy(&key->eth_type, &eth[12], 2);
    pi->hdr_len = off;

    /* At tc ingress the receive path has already moved the outer tag into
     * skb metadata; a tag still in the data is a second (or unstripped) one. */
    if (skb->vlan_present) {
        key->vlan_tci = (skb->vlan_tci & ~ESW_VLAN_PRESENT) | ESW_VLAN_PRESENT;
    } else if (key->eth_type == ETH_P_8021Q_BE || key->eth_type == ETH_P_8021AD_BE) {
        __u8 tag[4];
        if (bpf_skb_load_bytes(skb, off, tag, 4) < 0)
            return 0;
        key->vlan_tci = (((__u16)tag[0] << 8 | tag[1]) & ~ESW_VLAN_PRESENT) | ESW_VLAN_PRESENT;
        __builtin_memcpy(&key->eth_type, &tag[2], 2);
        off += 4;
    }

    if (key->eth_type == bpf_htons(ETH_P_IP)) {
        __u8 ip[20];
        if (bpf_skb_load_bytes(skb, off, ip, 20) < 0)
            return 0;
        key->ip_tos = ip[1];
        key->ip_ttl = ip[8];
        key->ip_proto = ip[9];
        __builtin_memcpy(&key->ipv4_src, &ip[12], 4);
        __builtin_memcpy(&key->ipv4_dst, &ip[16], 4);
        pi->hdr_len = off + (ip[0] & 0xf) * 4;
        /* Only the first fragment carries L4 ports (OVS: nw_frag=first matches them too). */
        if ((((__u16)ip[6] << 8 | ip[7]) & IP_FRAG_OFFSET_MASK) == 0)
            parse_l4(skb, off + (ip[0] & 0xf) * 4, key, pi);
    } else if (key->eth_type == bpf_htons(ETH_P_IPV6)) {
        __u8 ip6[40];
        if (bpf_skb_load_bytes(skb, off, ip6, 40) < 0)
            return 0;
        key->ip_tos = (ip6[0] << 4) | (ip6[1] >> 4);
        key->ip_proto = ip6[6]; /* extension headers are not walked: they are the proto */
        key->ip_ttl = ip6[7];
        __builtin_memcpy(key->ipv6_src, &ip6[8], 16);
        __builtin_memcpy(key->ipv6_dst, &ip6[24], 16);
        pi->hdr_len = off + 40;
        parse_l4(skb, off + 40, key, pi);
    }
    return 0;
}

/* bpf_loop state for the tuple-space search. The winner is copied out, not
 * kept as a map pointer, so the verifier never tracks pointers across frames. */
struct search_ctx {
    struct esw_key *pkt;
    struct esw_rule_key lookup;
    struct esw_rule best;
    __u32 found;
};

static long search_mask(__u32 i, void *data)
{
    struct search_ctx *ctx = data;
    struct esw_mask *m = bpf_map_lookup_elem(&esw_masks, &i);
    struct esw_rule *r;
    __u64 *dst, *src, *msk;
    __u32 w;

    if (!m || !m->in_use)
        return 0;
    ctx->lookup.mask_id = i;
    dst = (__u64 *)&ctx->lookup.key;
    src = (__u64 *)ctx->pkt;
    msk = (__u64 *)&m->mask;
    for (w = 0; w < ESW_KEY_WORDS; w++)
        dst[w] = src[w] & msk[w];
    r = bpf_map_lookup_elem(&esw_rules, &ctx->lookup);
    if (r && (!ctx->found || r->priority > ctx->best.priority)) {
        ctx->best = *r;
        ctx->found = 1;
    }
    return 0;
}

static __always_inline void count(const struct esw_rule *r, struct __sk_buff *skb,
                                  const struct parse_info *pi)
{
    __u32 id = r->rule_id;
    struct esw_counter *c = bpf_map_lookup_elem(&esw_counters, &id);
    __u32 segs = skb->gso_segs;

    if (!c)
        return;
    if (segs == 0)
        segs = 1;
    c->packets += segs;
    /* Wire bytes as received: skb->len lacks an outer tag the receive path
     * moved into metadata, and each extra segment repeats the headers. */
    c->bytes += skb->len + (skb->vlan_present ? 4 : 0) + (__u64)(segs - 1) * pi->hdr_len;
    c->last_used_ns = bpf_ktime_get_ns();
}

/* The rule's VLAN operation; <0 when a helper failed. */
static __always_inline int apply_vlan(struct __sk_buff *skb, const struct esw_rule *r,
                                      const struct esw_key *key)
{
    int tagged = key->vlan_tci & ESW_VLAN_PRESENT;
    __u16 tci;
    __be16 proto;

    switch (r->vlan_op) {
    case ESW_VLAN_PUSH:
        return bpf_skb_vlan_push(skb, r->vlan_proto, r->vlan_tci);
    case ESW_VLAN_POP:
        return tagged ? bpf_skb_vlan_pop(skb) : 0;
    case ESW_VLAN_REWRITE:
        if (!tagged)
            return bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), r->vlan_tci);
        /* The tag we parsed may be in metadata or in the data; pop + push
         * handles both and keeps its TPID. */
        tci = (key->vlan_tci & ~ESW_VLAN_PRESENT & ~r->vlan_tci_mask) | (r->vlan_tci & r->vlan_tci_mask);
        proto = skb->vlan_present ? (__be16)skb->vlan_proto : ETH_P_8021Q_BE;
        if (bpf_skb_vlan_pop(skb) < 0)
            return -1;
        return bpf_skb_vlan_push(skb, proto, tci);
    }
    return 0;
}

SEC("tc")
int esw_ingress(struct __sk_buff *skb)
{
    __u32 ifindex = skb->ingress_ifindex;
    struct esw_port *port = bpf_map_lookup_elem(&esw_ports, &ifindex);
    struct esw_config *cfg;
    struct parse_info pi = {};
    struct esw_key key = {};
    struct search_ctx ctx = {};
    __u32 zero = 0, miss_ifindex, limit;

    if (!port) {
        stat_inc(ESW_STAT_UNKNOWN_PORT);
        return TC_ACT_SHOT;
    }
    miss_ifindex = port->miss_ifindex;
    if (!(port->flags & ESW_PORT_LOOKUP))
        return bpf_redirect(miss_ifindex, 0);

    key.in_ifindex = ifindex;
    if (parse(skb, &key, &pi) < 0) {
        stat_inc(ESW_STAT_PARSE_ERROR);
        return TC_ACT_SHOT;
    }

    cfg = bpf_map_lookup_elem(&esw_config, &zero);
    limit = cfg ? cfg->mask_limit : ESW_MAX_MASKS;
    if (limit > ESW_MAX_MASKS)
        limit = ESW_MAX_MASKS;
    ctx.pkt = &key;
    bpf_loop(limit, search_mask, &ctx, 0);

    if (!ctx.found) {
        stat_inc(ESW_STAT_MISS);
        return bpf_redirect(miss_ifindex, 0);
    }
    stat_inc(ESW_STAT_HIT);
    count(&ctx.best, skb, &pi);

    switch (ctx.best.action) {
    case ESW_ACT_FORWARD:
        if (apply_vlan(skb, &ctx.best, &key) < 0) {
            stat_inc(ESW_STAT_VLAN_ERROR);
            return TC_ACT_SHOT;
        }
        return bpf_redirect(ctx.best.out_ifindex, 0);
    case ESW_ACT_TRAP:
        stat_inc(ESW_STAT_TRAP);
        return bpf_redirect(miss_ifindex, 0);
    default:
        stat_inc(ESW_STAT_DROP);
        return TC_ACT_SHOT;
    }
}
