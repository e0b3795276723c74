// snoc_ovs_dpdk_crosscheck --dump FILE --log FILE --port NAME=ID... [--require WORDS]
//
// Compares the rte_flow rules OVS-DPDK logged for its megaflows (--log: lines
// with "flow create ...") with snoc's translation of the same megaflows
// (--dump: `ovs-appctl dpctl/dump-flows -m`); see crosscheck.h. --port maps
// each OVS DPDK port to its DPDK port id. --require udp,tcp,ipv6,vlan,drop:
// each word must be covered by at least one rule both sides agree on (an item
// of that name, or an action for "drop"), so a run where traffic did not make
// the expected megaflows cannot pass.
// Exit: 0 agree, 1 differ (the report says where), 2 usage or unreadable file.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "crosscheck.h"

namespace {

int usage(const std::string& why) {
    std::cerr << "snoc_ovs_dpdk_crosscheck: " << why << "\n"
              << "usage: snoc_ovs_dpdk_crosscheck --dump FILE --log FILE --port NAME=ID... [--require WORD,...]\n";
    return 2;
}

bool read_file(const std::string& path, std::string& out) {
    std::ifstream in(path);
    if (!in) return false;
    std::ostringstream s;
    s << in.rdbuf();
    out = s.str();
    return true;
}

bool covered(const snoc::testpmd::CrossCheck& c, const std::string& word) {
    for (const auto& r : c.ovs) {
        if (!r.megaflow) continue;
        for (const auto& i : r.flow.pattern) {
            if (i.name == word) return true;
        }
        for (const auto& a : r.flow.actions) {
            if (a.name == word) return true;
        }
    }
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    std::string dump_path, log_path;
    std::map<std::string, uint16_t> ports;
    std::vector<std::string> require;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "-h" || a == "--help") {
            usage("compares OVS-DPDK's rte_flow rules with snoc's for the same megaflows");
            return 0;
        }
        if (i + 1 >= argc) return usage(a + " needs a value");
        const std::string v = argv[++i];
        if (a == "--dump") {
            dump_path = v;
        } else if (a == "--log") {
            log_path = v;
        } else if (a == "--port") {
            const auto eq = v.find('=');
            if (eq == std::string::npos || eq == 0) return usage("--port wants NAME=ID, got " + v);
            try {
                const unsigned long id = std::stoul(v.substr(eq + 1));
                if (id > 0xffff) return usage("--port " + v + ": DPDK port ids are 0..65535");
                ports[v.substr(0, eq)] = static_cast<uint16_t>(id);
            } catch (const std::exception&) {
                return usage("--port wants NAME=ID, got " + v);
            }
        } else if (a == "--require") {
            std::stringstream s(v);
            for (std::string w; std::getline(s, w, ',');) {
                if (!w.empty()) require.push_back(w);
            }
        } else {
            return usage("unknown option " + a);
        }
    }
    if (dump_path.empty() || log_path.empty() || ports.empty()) return usage("--dump, --log and --port are needed");
    std::string dump, log;
    if (!read_file(dump_path, dump)) return usage("cannot read " + dump_path + ": " + std::strerror(errno));
    if (!read_file(log_path, log)) return usage("cannot read " + log_path + ": " + std::strerror(errno));

    const auto c = snoc::testpmd::cross_check(dump, log, ports);
    std::cout << c.report();
    size_t same = 0;
    for (const auto& r : c.ovs) same += r.megaflow ? 1 : 0;
    std::cout << same << " of " << c.ovs.size() << " OVS-DPDK transfer rules equal snoc's, " << c.megaflows.size()
              << " megaflows\n";
    bool ok = c.agree();
    if (c.ovs.empty()) std::cout << "OVS-DPDK logged no transfer rule: nothing was compared\n";
    for (const auto& w : require) {
        if (!covered(c, w)) {
            std::cout << "required but not covered by an agreeing rule: " << w << "\n";
            ok = false;
        }
    }
    return ok ? 0 : 1;
}
