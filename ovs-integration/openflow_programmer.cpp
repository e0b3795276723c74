#include "ovs-integration/openflow_programmer.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "flow/policy_syntax.h"
#include "ovs-integration/ofctl_dump.h"
#include "ovs-integration/openflow_render.h"
#include "sys/process_runner.h"

namespace snoc::ovs {
namespace {

using offload::Status;
using sys::describe_argv;
using sys::ProcessResult;
using sys::run_process;

std::string cookie_filter() {
    char buf[64];
    std::snprintf(buf, sizeof buf, "cookie=0x%016llx/0x%016llx", static_cast<unsigned long long>(kCookieOwner),
                  static_cast<unsigned long long>(kCookieOwnerMask));
    return buf;
}

// ovs-ofctl names input lines "-:N:" in its errors; quote line N so the
// message says which flow was rejected.
std::string explain_stderr(const std::string& err, const std::string& input) {
    std::string first = err.substr(0, err.find('\n'));
    const size_t at = first.find("-:");
    if (at == std::string::npos) return first;
    const long line = std::strtol(first.c_str() + at + 2, nullptr, 10);
    if (line <= 0) return first;
    size_t pos = 0;
    for (long i = 1; i < line && pos != std::string::npos; ++i) {
        pos = input.find('\n', pos);
        if (pos != std::string::npos) ++pos;
    }
    if (pos == std::string::npos || pos >= input.size()) return first;
    return first + " [line " + std::to_string(line) + ": " + input.substr(pos, input.find('\n', pos) - pos) + "]";
}

}  // namespace

OpenflowProgrammer::OpenflowProgrammer(OpenflowOptions options) : options_(std::move(options)) {
    if (options_.target.empty()) options_.target = options_.bridge;
}

std::vector<std::string> OpenflowProgrammer::ofctl_argv(std::initializer_list<std::string> args, bool names) const {
    // --names: dumps print port names (as policies use them), not numbers,
    // and flows may name ports, which costs ovs-ofctl a fetch of the
    // switch's port and table descriptions; --no-names skips that.
    std::vector<std::string> argv{options_.ofctl, "-O", "OpenFlow14", names ? "--names" : "--no-names"};
    argv.insert(argv.end(), args);
    return argv;
}

Status OpenflowProgrammer::run(const std::vector<std::string>& argv, const std::string& input, std::string& out) const {
    ProcessResult r;
    if (Status s = run_process(argv, input, r, options_.timeout); !s.ok()) return s;
    if (!r.succeeded()) {
        return Status::failure(EIO, describe_argv(argv) + " " + r.describe() + ": " +
                                        (r.err.empty() ? std::string("(no message)") : explain_stderr(r.err, input)));
    }
    out = std::move(r.out);
    return Status::success();
}

std::vector<flow::Flow> OpenflowProgrammer::canonical(const std::vector<flow::Flow>& flows) const {
    std::vector<flow::Flow> out;
    out.reserve(flows.size());
    for (const flow::Flow& f : flows) out.push_back(canonical_ports(f, options_.bridge));
    return out;
}

bool OpenflowProgrammer::record_fresh() const {
    if (!record_valid_) return false;
    return options_.record_max_age.count() == 0 ||
           std::chrono::steady_clock::now() - record_since_ < options_.record_max_age;
}

void OpenflowProgrammer::set_record(const std::vector<flow::Flow>& canonical_flows) {
    record_.assign(canonical_flows);
    record_valid_ = true;
    record_since_ = std::chrono::steady_clock::now();
}

Status OpenflowProgrammer::apply(const std::vector<FlowMod>& mods) {
    if (mods.empty()) return Status::success();
    // The record cannot follow mods it did not compute; update() and
    // install() re-set it after their own successful bundles.
    record_valid_ = false;
    for (const FlowMod& m : mods) {
        if (!m.flow.cookie || !is_snoc_cookie(*m.flow.cookie)) {
            return Status::failure(EINVAL, "refusing to program " + flow::format_flow(m.flow) +
                                               ": it does not carry snoc's cookie (0x5c0c in the top 16 bits)");
        }
    }
    std::optional<std::vector<FlowMod>> numbered;
    if (options_.port_numbers) {
        OfportNumbers numbers;
        // A failed read only costs speed: names always work.
        if (options_.port_numbers(numbers).ok()) numbered = with_port_numbers(mods, numbers);
    }
    last_numbered_ = numbered.has_value();
    auto lines = [](const std::vector<FlowMod>& ms) {
        std::string text;
        for (const FlowMod& m : ms) {
            text += bundle_line(m);
            text += '\n';
        }
        return text;
    };
    std::string out;
    Status s = run(ofctl_argv({"--bundle", "add-flows", options_.target, "-"}, !numbered), lines(numbered ? *numbered : mods),
                   out);
    if (!s.ok() && s.error == EIO && numbered) {
        // The switch rejected the bundle, so nothing changed: send it once
        // more with names, so the error names ports as the policy does (and
        // a number read a moment too early cannot be what failed).
        last_numbered_ = false;
        s = run(ofctl_argv({"--bundle", "add-flows", options_.target, "-"}), lines(mods), out);
    }
    if (!s.ok()) s.reason = "bundle of " + std::to_string(mods.size()) + " flow mods on " + options_.bridge +
                            " was rejected (nothing changed): " + s.reason;
    return s;
}

Status OpenflowProgrammer::install(const std::vector<flow::Flow>& flows) {
    std::vector<FlowMod> mods;
    mods.reserve(flows.size());
    for (const flow::Flow& f : flows) mods.push_back({FlowMod::Kind::Add, f});
    const bool had_record = record_valid_;
    Status s = apply(mods);
    if (s.ok() && had_record && !mods.empty()) {
        // Adds replace flows of the same identity, in the switch and here.
        for (FlowMod& m : mods) m.flow = canonical_ports(std::move(m.flow), options_.bridge);
        record_.apply(mods);
        record_valid_ = true;
    }
    return s;
}

Status OpenflowProgrammer::dump(std::vector<flow::Flow>& flows, std::vector<std::string>& unreadable) {
    std::string out;
    if (Status s = run(ofctl_argv({"dump-flows", "--no-stats", options_.target, cookie_filter()}), "", out); !s.ok()) {
        return s;
    }
    DumpedFlows dumped = parse_dump_flows(out);
    flows = canonical(dumped.flows);
    unreadable = std::move(dumped.unreadable);
    return Status::success();
}

Status OpenflowProgrammer::update(const std::vector<flow::Flow>& desired, FlowMods& done) {
    if (!record_fresh()) return resync(desired, done);
    if (Status s = record_.diff(desired, options_.bridge, done); !s.ok()) return s;
    if (Status s = apply(done.mods); !s.ok()) return s;
    record_.apply(done.mods);  // the mods are canonical: the record follows the switch
    record_valid_ = true;
    return Status::success();
}

Status OpenflowProgrammer::resync(const std::vector<flow::Flow>& desired, FlowMods& done) {
    record_valid_ = false;
    std::vector<flow::Flow> current;
    std::vector<std::string> unreadable;
    if (Status s = dump(current, unreadable); !s.ok()) return s;
    if (!unreadable.empty()) {
        // A flow we cannot read cannot be diffed; replacing it blindly could
        // leave a duplicate. Say which one.
        return Status::failure(EPROTO, std::to_string(unreadable.size()) + " of snoc's flows on " + options_.bridge +
                                           " cannot be read back, first: " + unreadable.front());
    }
    std::vector<flow::Flow> want = canonical(desired);
    if (Status s = diff_flows(want, current, done); !s.ok()) return s;
    if (Status s = apply(done.mods); !s.ok()) return s;
    set_record(want);
    return Status::success();
}

Status OpenflowProgrammer::remove_all() {
    std::string out;
    record_valid_ = false;
    // A cookie filter names no port.
    Status s = run(ofctl_argv({"--bundle", "del-flows", options_.target, cookie_filter()}, false), "", out);
    if (s.ok()) set_record({});  // none of snoc's flows is left
    return s;
}

Status OpenflowProgrammer::drift(const std::vector<flow::Flow>& desired, FlowDrift& result) {
    std::vector<flow::Flow> current;
    std::vector<std::string> unreadable;
    if (Status s = dump(current, unreadable); !s.ok()) return s;
    result = drift_of(canonical(desired), current);
    result.unreadable = std::move(unreadable);
    if (!result.clean()) record_valid_ = false;
    return Status::success();
}

}  // namespace snoc::ovs
