#include "controller/apply/meters.h"

#include <algorithm>
#include <sstream>

#include "controller/apply/applier.h"
#include "sys/process_runner.h"

namespace snoc::apply {
namespace {

using offload::Status;

constexpr std::chrono::milliseconds kOfctlTimeout{30000};

Status ofctl(const std::vector<std::string>& args, std::string& out) {
    std::vector<std::string> argv = {"ovs-ofctl", "-O", "OpenFlow13"};
    argv.insert(argv.end(), args.begin(), args.end());
    sys::ProcessResult res;
    if (auto st = sys::run_process(argv, "", res, kOfctlTimeout); !st.ok()) return st;
    if (!res.succeeded()) {
        return Status::failure(EIO, sys::describe_argv(argv) + " " + res.describe() + ": " + res.err);
    }
    out = res.out;
    return Status::success();
}

}  // namespace

std::map<uint32_t, std::vector<std::string>> parse_meters(const std::string& text) {
    std::map<uint32_t, std::vector<std::string>> out;
    std::string normal = text;
    std::replace(normal.begin(), normal.end(), ',', ' ');
    std::istringstream in(normal);
    std::string tok;
    std::vector<std::string>* current = nullptr;
    while (in >> tok) {
        if (tok.rfind("meter=", 0) == 0) {
            current = &out[static_cast<uint32_t>(std::strtoul(tok.c_str() + 6, nullptr, 10))];
            continue;
        }
        if (!current || tok.rfind("OFPST", 0) == 0 || tok == "reply") continue;
        if (tok.rfind("bands=", 0) == 0) tok = tok.substr(6);  // "bands=type=drop" / "bands=" then "type=drop"
        if (!tok.empty()) current->push_back(tok);
    }
    for (auto& [id, toks] : out) {
        // A dump adds stats and flags ovs-ofctl prints on its own; keep what a spec sets.
        std::erase_if(toks, [](const std::string& t) { return t == "stats" || t.rfind("(xid", 0) == 0; });
        std::sort(toks.begin(), toks.end());
    }
    return out;
}

Status sync_meters(const std::string& target, const std::vector<std::string>& desired, bool dry_run,
                   std::vector<Change>& changes, bool have_none) {
    std::string dump;
    if (!have_none) {
        if (auto st = ofctl({"dump-meters", target}, dump); !st.ok()) return st;
    }
    const auto have = parse_meters(dump);
    for (const std::string& spec : desired) {
        const auto want = parse_meters(spec);
        if (want.empty()) continue;
        const auto& [id, tokens] = *want.begin();
        auto it = have.find(id);
        if (it != have.end() && it->second == tokens) continue;
        const char* verb = it == have.end() ? "add-meter" : "mod-meter";
        changes.push_back({"meter " + std::to_string(id) + (it == have.end() ? " added" : " modified"),
                           std::string("ovs-ofctl -O OpenFlow13 ") + verb + " " + target + " " + spec});
        if (dry_run) continue;
        std::string out;
        if (auto st = ofctl({verb, target, spec}, out); !st.ok()) return st;
    }
    return Status::success();
}

}  // namespace snoc::apply
