// The quick value readers of a dump scan (dpflow_text.h) against the
// general readers they stand in front of (net::parse_ipv4 / parse_ip /
// parse_mac, parse_uint_dec_or_hex, std::from_chars), and the identity
// table of PlacementCounters against the rule it implements (a plain map of
// flow_identity() strings, as the table was before).
//
// A quick reader may decline anything (the general reader then decides and
// words the error), but what it accepts, the general reader must accept
// with the same value. Checked on hand-picked edge cases and on ~100,000
// generated and mutated spellings each.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "flow/net_address.h"
#include "flow/number_text.h"
#include "ovs-integration/dpflow_classify.h"
#include "ovs-integration/dpflow_key.h"
#include "ovs-integration/dpflow_text.h"
#include "ovs-integration/dpflow_view.h"

namespace snoc::ovs {
namespace {

using dpflow_text::quick_ipv4;
using dpflow_text::quick_ipv6;
using dpflow_text::quick_mac;
using dpflow_text::quick_seconds;
using dpflow_text::quick_uint;

// Mutations of the seeds: characters replaced, inserted, deleted, parts
// repeated, with the characters these values are made of (and a few
// others), so near-misses of every form come up.
std::vector<std::string> mutated(const std::vector<std::string>& seeds, size_t count, uint32_t seed) {
    static const std::string alphabet = "0123456789abcdefABCDEFx:./ -+g\t";
    std::mt19937 rng(seed);
    auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
    std::vector<std::string> out(seeds);
    while (out.size() < count) {
        std::string s = seeds[pick(seeds.size())];
        const size_t edits = 1 + pick(3);
        for (size_t e = 0; e < edits; ++e) {
            const char c = alphabet[pick(alphabet.size())];
            switch (pick(5)) {
                case 0:
                    if (!s.empty()) s[pick(s.size())] = c;
                    break;
                case 1: s.insert(s.begin() + static_cast<std::ptrdiff_t>(pick(s.size() + 1)), c); break;
                case 2:
                    if (!s.empty()) s.erase(pick(s.size()), 1);
                    break;
                case 3:
                    if (!s.empty()) {
                        const size_t at = pick(s.size());
                        s.insert(at, s.substr(at, 1 + pick(4)));
                    }
                    break;
                default:
                    if (!s.empty()) s = s.substr(0, pick(s.size() + 1));
                    break;
            }
        }
        out.push_back(std::move(s));
    }
    return out;
}

std::string hex_group(std::mt19937& rng, bool upper) {
    static const char* lower = "0123456789abcdef";
    static const char* higher = "0123456789ABCDEF";
    std::string g;
    const size_t len = 1 + rng() % 4;
    for (size_t i = 0; i < len; ++i) g += (upper ? higher : lower)[rng() % 16];
    return g;
}

// Well-formed IPv6 addresses in every shape: 8 groups, "::" anywhere,
// either case, embedded IPv4.
std::vector<std::string> generated_ipv6(size_t count) {
    std::mt19937 rng(6);
    std::vector<std::string> out;
    for (size_t n = 0; n < count; ++n) {
        const bool upper = rng() % 4 == 0;
        const bool v4_tail = rng() % 8 == 0;
        const size_t groups = v4_tail ? 6 : 8;
        const bool gap = rng() % 3 != 0;
        const size_t gap_at = rng() % (groups + 1);
        const size_t gap_len = gap ? 1 + rng() % groups : 0;
        std::string s;
        bool gapped = false;
        for (size_t g = 0; g < groups;) {
            if (gap && !gapped && g == gap_at) {
                s += "::";
                gapped = true;
                g += gap_len;
                continue;
            }
            if (!s.empty() && s.back() != ':') s += ':';
            s += hex_group(rng, upper);
            ++g;
        }
        if (gap && !gapped) s += "::";
        if (v4_tail) {
            if (!s.empty() && s.back() != ':') s += ':';
            s += std::to_string(rng() % 256) + "." + std::to_string(rng() % 256) + "." +
                 std::to_string(rng() % 256) + "." + std::to_string(rng() % 256);
        }
        out.push_back(s);
    }
    return out;
}

TEST(DpflowValues, Ipv4EdgeCases) {
    std::array<uint8_t, 16> b{};
    EXPECT_TRUE(quick_ipv4("10.0.0.1", b));
    EXPECT_EQ(b[0], 10);
    EXPECT_EQ(b[3], 1);
    EXPECT_EQ(b[4], 0);
    EXPECT_TRUE(quick_ipv4("255.255.255.255", b));
    EXPECT_TRUE(quick_ipv4("0.0.0.0", b));
    // What inet_pton rejects is never taken.
    for (const char* bad : {"256.1.1.1", "1.2.3", "1.2.3.4.5", "1..2.3", "1.2.3.", ".1.2.3", "1.2.3.4 ", " 1.2.3.4",
                            "1.2.3.-4", "+1.2.3.4", "1.2.3.4a", "1.2.3.256", "9999.1.1.1", "", "0x1.2.3.4"}) {
        EXPECT_FALSE(quick_ipv4(bad, b)) << bad;
        EXPECT_FALSE(net::parse_ipv4(bad).has_value()) << bad;
    }
    // Leading zeros: inet_pton (glibc) rejects them, and the quick reader
    // leaves them to it.
    for (const char* zeros : {"01.2.3.4", "1.2.3.04", "000.0.0.0", "1.02.3.4"}) {
        EXPECT_FALSE(quick_ipv4(zeros, b)) << zeros;
        EXPECT_EQ(net::parse_ipv4(zeros).has_value(), false) << zeros;
    }
    // An embedded NUL: the general reader decides (it stops at the NUL).
    EXPECT_FALSE(quick_ipv4(std::string_view("1.2.3.4\0x", 9), b));
}

TEST(DpflowValues, Ipv4AgreesWithInetPton) {
    std::vector<std::string> seeds = {"10.0.0.1", "255.255.255.0", "0.0.0.0", "192.168.100.200", "1.2.3.4",
                                      "01.2.3.4", "256.0.0.1", "1.2.3"};
    std::mt19937 rng(4);
    for (int i = 0; i < 2000; ++i) {
        seeds.push_back(std::to_string(rng() % 300) + "." + std::to_string(rng() % 256) + "." +
                        std::to_string(rng() % 256) + "." + std::to_string(rng() % 260));
    }
    size_t quick = 0;
    size_t general = 0;
    for (const std::string& s : mutated(seeds, 100000, 41)) {
        std::array<uint8_t, 16> b{};
        b.fill(0xee);
        const auto ip = net::parse_ipv4(s);
        general += ip.has_value();
        if (!quick_ipv4(s, b)) continue;
        ++quick;
        ASSERT_TRUE(ip.has_value()) << "'" << s << "'";
        EXPECT_FALSE(ip->v6) << s;
        EXPECT_EQ(b, ip->bytes) << s;
    }
    // Everything inet_pton takes is a dotted quad without leading zeros,
    // which the quick reader takes too.
    EXPECT_EQ(quick, general);
}

TEST(DpflowValues, Ipv6EdgeCases) {
    std::array<uint8_t, 16> b{};
    for (const char* good : {"::", "::1", "1::", "2001:db8::1", "2001:DB8::A", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::",
                             "::2:3:4:5:6:7:8", "fe80::0000:1", "0:0:0:0:0:0:0:0"}) {
        const auto ip = net::parse_ip(good);
        ASSERT_TRUE(ip && ip->v6) << good;
        ASSERT_TRUE(quick_ipv6(good, b)) << good;
        EXPECT_EQ(b, ip->bytes) << good;
    }
    for (const char* bad : {":::", "1:::2", ":1::", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7",
                            "1:2:3:4::5:6:7:8", "1:2:3:4:5:6:7:8::",
                            "::1:2:3:4:5:6:7:8", "adaf:3:7a:6355:a:2:5:fa5::", "1:", ":1", "g::", "::/", "fe80::1%eth0", "1.2.3.4", ""}) {
        EXPECT_FALSE(quick_ipv6(bad, b)) << bad;
    }
    // Embedded IPv4 is left to inet_pton, which takes it.
    for (const char* v4 : {"::ffff:1.2.3.4", "::1.2.3.4", "64:ff9b::192.0.2.33"}) {
        EXPECT_FALSE(quick_ipv6(v4, b)) << v4;
        EXPECT_TRUE(net::parse_ip(v4).has_value()) << v4;
    }
}

TEST(DpflowValues, Ipv6AgreesWithInetPton) {
    std::vector<std::string> seeds = generated_ipv6(5000);
    for (const char* s : {"::", "::1", "2001:db8::1", "1:2:3:4:5:6:7:8", "::ffff:1.2.3.4", "fe80::a:b"}) {
        seeds.emplace_back(s);
    }
    size_t quick = 0;
    size_t general_plain = 0;  // accepted without an embedded IPv4
    for (const std::string& s : mutated(seeds, 100000, 61)) {
        std::array<uint8_t, 16> b{};
        b.fill(0xee);
        const auto ip = net::parse_ip(s);
        const bool v6 = ip && ip->v6;
        general_plain += v6 && s.find('.') == std::string::npos;
        if (!quick_ipv6(s, b)) continue;
        ++quick;
        ASSERT_TRUE(v6) << "'" << s << "'";
        EXPECT_EQ(b, ip->bytes) << s;
    }
    // Every IPv6 address without a dotted tail is taken quickly.
    EXPECT_EQ(quick, general_plain);
    EXPECT_GT(quick, 10000u);
}

TEST(DpflowValues, MacIsExactlyParseMac) {
    std::vector<std::string> seeds = {"02:00:00:00:00:01", "AA:bb:CC:dd:EE:ff", "ff:ff:ff:ff:ff:ff",
                                      "00:00:00:00:00:00", "0:1:2:3:4:5", "02-00-00-00-00-01"};
    size_t accepted = 0;
    for (const std::string& s : mutated(seeds, 100000, 7)) {
        uint8_t b[6] = {};
        const bool quick = quick_mac(s, b);
        const auto mac = net::parse_mac(s);
        ASSERT_EQ(quick, mac.has_value()) << "'" << s << "'";
        if (!quick) continue;
        ++accepted;
        for (size_t i = 0; i < 6; ++i) EXPECT_EQ(b[i], (*mac)[i]) << s;
    }
    EXPECT_GT(accepted, 1000u);
}

TEST(DpflowValues, UintAgreesWithParseUint) {
    std::vector<std::string> seeds = {"0",    "1",         "0x0800", "0X1F",  "18446744073709551615",
                                      "18446744073709551616", "0xffffffffffffffff", "0x10000000000000000",
                                      "0x",   "00012",     "9999999999999999999", "0xg", "-1", "+1"};
    size_t quick_count = 0;
    for (const std::string& s : mutated(seeds, 100000, 13)) {
        uint64_t v = 0;
        const auto general = parse_uint_dec_or_hex(s);
        if (!quick_uint(s, v)) continue;
        ++quick_count;
        ASSERT_TRUE(general.has_value()) << "'" << s << "'";
        EXPECT_EQ(v, *general) << s;
    }
    EXPECT_GT(quick_count, 1000u);
    uint64_t v = 0;
    EXPECT_TRUE(quick_uint("0x0800", v));
    EXPECT_EQ(v, 0x800u);
    EXPECT_FALSE(quick_uint("18446744073709551616", v));  // 20 digits: left to from_chars (which rejects)
}

TEST(DpflowValues, SecondsAgreeWithFromChars) {
    std::vector<std::string> seeds = {"0.250", "1.5",  "0",      "123456789.123456", "0.1", "1.",
                                      ".5",    "1e3",  "-0",     "inf",              "12.3456789012345",
                                      "9999999999999.99", "0.000000000000001"};
    std::mt19937 rng(3);
    for (int i = 0; i < 3000; ++i) seeds.push_back(std::to_string(rng() % 100000) + "." + std::to_string(rng() % 1000));
    size_t quick_count = 0;
    for (const std::string& s : mutated(seeds, 100000, 17)) {
        const auto quick = quick_seconds(s);
        if (!quick) continue;
        ++quick_count;
        double general = 0;
        const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), general);
        ASSERT_TRUE(ec == std::errc() && ptr == s.data() + s.size()) << "'" << s << "'";
        EXPECT_EQ(*quick, general) << s;  // the same double, bit for bit
        EXPECT_TRUE(std::isfinite(*quick) && *quick >= 0) << s;
    }
    EXPECT_GT(quick_count, 1000u);
}

// Keys the one-pass check takes are keys the general reader takes, with
// the same facts, on mutated dump keys (as the fuzz target checks).
TEST(DpflowValues, CanonicalKeyCheckNeverTakesMoreThanTheReader) {
    const std::vector<std::string> seeds = {
        "recirc_id(0),dp_hash(0/0),in_port(rep1),eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),"
        "eth_type(0x0800),ipv4(src=10.0.0.1/0.0.0.0,dst=10.0.0.8,proto=6,tos=0/0,ttl=0/0,frag=no),"
        "tcp(src=0/0,dst=80), packets:1",
        "in_port(2),eth_type(0x86dd),ipv6(src=2001:db8::7/::,dst=2001:db8::1,label=0/0,proto=58,tclass=0/0,"
        "hlimit=64/0,frag=no),icmpv6(type=128,code=0), packets:1",
        "ct_state(-new+est+trk),ct_zone(0x5),recirc_id(0x3),in_port(rep0),eth_type(0x8100),vlan(vid=5,pcp=0),"
        "encap(eth_type(0x0800),ipv4(src=10.1.2.3/255.255.255.0,dst=10.1.2.4,proto=1,tos=0/0,ttl=0/0,frag=no),"
        "icmp(type=8/0,code=0/0)),tcp_flags(+ack), packets:1",
    };
    size_t taken = 0;
    for (const std::string& text : mutated(seeds, 30000, 23)) {
        DpKeyFacts fast;
        const auto length = check_canonical_dpflow_key(text, fast);
        if (!length) continue;
        ++taken;
        ASSERT_LE(*length, text.size());
        DpKeyFacts general;
        const auto err = read_dpflow_key(std::string_view(text).substr(0, *length), general, nullptr, nullptr);
        ASSERT_FALSE(err.has_value()) << text << ": " << *err;
        EXPECT_EQ(fast.in_port, general.in_port) << text;
        EXPECT_EQ(fast.recirc_id, general.recirc_id) << text;
    }
    EXPECT_GT(taken, 100u);
}

// The rule PlacementCounters implements, as it was implemented before the
// identity table: a map from flow_identity() to the last counters.
class ReferenceCounters {
public:
    explicit ReferenceCounters(size_t forget_after) : forget_after_(forget_after) {}

    PlacementTraffic add_poll(const std::vector<DpFlowView>& flows, std::vector<TrafficCounts>& per_flow) {
        ++poll_;
        PlacementTraffic delta;
        per_flow.assign(flows.size(), TrafficCounts{});
        for (size_t i = 0; i < flows.size(); ++i) {
            const DpFlowView& f = flows[i];
            const TrafficCounts now{f.packets, f.bytes};
            auto [it, fresh] = last_.try_emplace(flow_identity(f));
            Seen& seen = it->second;
            if (!fresh && seen.poll == poll_) continue;
            const bool reset = now.packets < seen.counts.packets || now.bytes < seen.counts.bytes;
            TrafficCounts add = now;
            if (!fresh && !reset) add = {now.packets - seen.counts.packets, now.bytes - seen.counts.bytes};
            seen.counts = now;
            seen.missed = 0;
            seen.poll = poll_;
            per_flow[i] = add;
            auto& slot = delta[classify(f)];
            slot.packets += add.packets;
            slot.bytes += add.bytes;
        }
        for (auto it = last_.begin(); it != last_.end();) {
            if (it->second.poll != poll_ && ++it->second.missed > forget_after_) {
                it = last_.erase(it);
            } else {
                ++it;
            }
        }
        return delta;
    }
    size_t tracked() const { return last_.size(); }

private:
    struct Seen {
        TrafficCounts counts;
        size_t missed = 0;
        uint64_t poll = 0;
    };
    size_t forget_after_;
    uint64_t poll_ = 0;
    std::map<std::string, Seen> last_;
};

TEST(DpflowValues, IdentityTableFollowsTheReferenceRule) {
    // Identities of every kind: packed ufids, ufids in other spellings
    // (upper case, short, odd), key texts, several sections; flows that
    // come and go, counters that go up, stay, or reset; repeats in a poll.
    std::vector<std::string> texts;   // owns what the views point into
    texts.reserve(4000);
    auto keep = [&](std::string s) -> std::string_view { return texts.emplace_back(std::move(s)); };
    std::mt19937 rng(99);
    struct Pool {
        std::optional<std::string_view> ufid;
        std::string_view key;
        std::string_view source;
    };
    std::vector<Pool> pool;
    const std::vector<std::string_view> sources = {keep(""), keep("pmd on cpu core: 1"), keep("pmd on cpu core: 2"),
                                                   keep("the main thread")};
    for (size_t i = 0; i < 600; ++i) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%08zx-0c4d-4e5f-8a6b-%012zx", i % 300, i * 7919 % 0xffffff);
        std::string ufid = buf;
        Pool p;
        switch (i % 6) {
            case 0:
            case 1: p.ufid = keep(ufid); break;
            case 2: {
                std::string upper = ufid;
                for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                p.ufid = keep(upper);  // packs to the same bytes only if it were lower case: must stay distinct
                break;
            }
            case 3: p.ufid = keep(ufid.substr(0, 20 + i % 10)); break;
            case 4: p.ufid = keep(ufid); p.key = keep("in_port(" + std::to_string(i) + ")"); break;
            default: p.key = keep("in_port(" + std::to_string(i % 50) + "),eth_type(0x0800)"); break;
        }
        if (p.key.empty()) p.key = keep("k" + std::to_string(i));
        p.source = sources[rng() % sources.size()];
        pool.push_back(p);
    }
    for (size_t forget_after : {0u, 1u, 3u}) {
        PlacementCounters table(forget_after);
        ReferenceCounters reference(forget_after);
        std::vector<uint64_t> counters(pool.size(), 0);
        for (int poll = 0; poll < 60; ++poll) {
            std::vector<DpFlowView> flows;
            for (size_t i = 0; i < pool.size(); ++i) {
                if (rng() % 4 == 0) continue;  // missing from this poll
                // A whole section gone for a while (forgotten), then back.
                if (poll >= 30 && poll < 45 && pool[i].source == sources[3]) continue;
                switch (rng() % 5) {
                    case 0: counters[i] = rng() % 50; break;  // may reset
                    case 1: break;
                    default: counters[i] += rng() % 100; break;
                }
                DpFlowView f;
                f.ufid = pool[i].ufid;
                f.key_text = pool[i].key;
                f.source = pool[i].source;
                f.packets = counters[i];
                f.bytes = counters[i] * 100;
                f.dp = rng() % 2 ? "tc" : "ovs";
                if (rng() % 3 == 0) f.offloaded = true;
                flows.push_back(f);
                if (rng() % 50 == 0) flows.push_back(f);  // a repeat within the poll
            }
            std::shuffle(flows.begin(), flows.end(), rng);
            std::vector<TrafficCounts> per_table, per_reference;
            const PlacementTraffic a = table.add_poll(flows, per_table);
            const PlacementTraffic b = reference.add_poll(flows, per_reference);
            ASSERT_EQ(a, b) << "poll " << poll << " forget_after " << forget_after;
            ASSERT_EQ(per_table, per_reference) << "poll " << poll;
            ASSERT_EQ(table.tracked(), reference.tracked()) << "poll " << poll;
        }
    }
}

}  // namespace
}  // namespace snoc::ovs
