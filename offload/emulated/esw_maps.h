/* The emulated eSwitch's map layouts, shared byte for byte by the tc BPF
 * program (esw.bpf.c, C) and user space (esw_table / esw_loader, C++).
 *
 * Plain C with <linux/types.h> so both compilers read one definition; every
 * struct is padded explicitly and a multiple of 8 bytes, because the BPF
 * program masks keys a 64-bit word at a time and the hash map compares the
 * padding bytes too (they are always zero on both sides).
 *
 * Byte order: header fields are kept as they sit on the wire (network
 * order, the order flow::Masked stores), so user space copies bytes; only
 * in_ifindex and vlan_tci are host order because they come from skb
 * metadata, not from packet bytes.
 */
#ifndef SNOC_OFFLOAD_EMULATED_ESW_MAPS_H
#define SNOC_OFFLOAD_EMULATED_ESW_MAPS_H

#include <linux/types.h>

/* Tuple-space search cost grows with every mask (~200 ns with one, ~700 ns
 * with 16) and the verifier's cost faster still, so the mask table is small. */
#define ESW_MAX_MASKS 16
#define ESW_MAX_PORTS 256

/* vlan_tci carries the 802.1Q TCI with the DEI bit (0x1000) reused as
 * "a tag is present", as the kernel's VLAN_TAG_PRESENT once did: matching a
 * VLAN id then implies a tag, and "no tag" is matchable as tci 0 / mask 0x1000. */
#define ESW_VLAN_PRESENT 0x1000
#define ESW_VLAN_VID_MASK 0x0fff
#define ESW_VLAN_PCP_MASK 0xe000

/* The fields a rule can match, extracted from one packet. */
struct esw_key {
    __u32 in_ifindex;   /* NIC-side port the packet entered on (host order) */
    __u8 eth_dst[6];
    __u8 eth_src[6];
    __u16 vlan_tci;     /* host order, ESW_VLAN_PRESENT when tagged */
    __be16 eth_type;    /* the inner ethertype when tagged, as OVS's dl_type */
    __u8 ip_proto;
    __u8 ip_tos;        /* DSCP << 2 | ECN */
    __u8 ip_ttl;        /* TTL / hop limit */
    __u8 pad0;
    __be16 tp_src;      /* TCP / UDP / SCTP port; ICMP type in the low byte, as OVS */
    __be16 tp_dst;      /* ... ICMP code in the low byte */
    __be16 tcp_flags;   /* OVS layout: the low 12 bits of TCP header bytes 12-13 */
    __u16 pad1;
    __be32 ipv4_src;
    __be32 ipv4_dst;
    __u8 ipv6_src[16];
    __u8 ipv6_dst[16];
} __attribute__((aligned(8)));

#define ESW_KEY_WORDS (sizeof(struct esw_key) / sizeof(__u64))

/* One slot of the mask table. A slot is published (in_use = 1) only after
 * every rule entry under it is in the rule map, and unpublished before its
 * last entry is deleted, so a packet never sees a half-installed mask. */
struct esw_mask {
    __u32 in_use;
    __u32 pad;
    struct esw_key mask;
};

/* The rule map's key: which mask, and the packet key under that mask. */
struct esw_rule_key {
    __u32 mask_id;
    __u32 pad;
    struct esw_key key;
};

enum esw_action {
    ESW_ACT_FORWARD = 1, /* redirect out of out_ifindex (egress: arrives at its peer) */
    ESW_ACT_DROP = 2,
    ESW_ACT_TRAP = 3,    /* to software: out of the ingress port's representor */
};

enum esw_vlan_op {
    ESW_VLAN_NONE = 0,
    ESW_VLAN_PUSH = 1,    /* push vlan_proto / vlan_tci */
    ESW_VLAN_POP = 2,     /* pop the outer tag (none: nothing to do) */
    ESW_VLAN_REWRITE = 3, /* tci = (tci & ~vlan_tci_mask) | vlan_tci; untagged: push vlan_tci */
};

/* The rule map's value: the highest-priority rule for one masked key. */
struct esw_rule {
    __u64 cookie;        /* the owner cookie, so bpftool dumps name snoc's rules */
    __u32 priority;      /* higher wins across masks */
    __u32 rule_id;       /* index into esw_counters */
    __u32 out_ifindex;   /* ESW_ACT_FORWARD only */
    __u8 action;         /* enum esw_action */
    __u8 vlan_op;        /* enum esw_vlan_op */
    __be16 vlan_proto;   /* push: 0x8100 / 0x88a8 */
    __u16 vlan_tci;      /* host order */
    __u16 vlan_tci_mask; /* rewrite only */
    __u32 pad;
};

/* Per-rule, per-CPU: CPUs never share a counter, so no atomics on the fast path. */
struct esw_counter {
    __u64 packets;       /* wire segments (gso_segs), not TSO super-packets */
    __u64 bytes;         /* wire bytes: each extra segment repeats the headers */
    __u64 last_used_ns;  /* bpf_ktime_get_ns(), CLOCK_MONOTONIC; 0 = never */
};

#define ESW_PORT_LOOKUP 0x1 /* search the rule table; else go straight to miss_ifindex */

/* Per NIC-side port, keyed by its ifindex. A VF or uplink port looks rules
 * up and misses to its representor port; a representor port has no lookup
 * and sends everything to its VF port. */
struct esw_port {
    __u32 flags;
    __u32 miss_ifindex;
};

/* Global settings, entry 0 of a one-entry array. */
struct esw_config {
    __u32 mask_limit;    /* 1 + the highest published mask slot: the search stops there */
    __u32 pad;
};

/* Datapath-wide per-CPU counters, indexed by enum esw_stat. */
enum esw_stat {
    ESW_STAT_HIT = 0,
    ESW_STAT_MISS,
    ESW_STAT_DROP,
    ESW_STAT_TRAP,
    ESW_STAT_UNKNOWN_PORT,
    ESW_STAT_VLAN_ERROR,
    ESW_STAT_PARSE_ERROR,
    ESW_STAT_MAX,
};

#endif /* SNOC_OFFLOAD_EMULATED_ESW_MAPS_H */
