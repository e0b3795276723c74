// The tc-flower engine: installs, reads back and synchronises snoc's flower
// rules on netdevs (representors, uplinks, veths) over rtnetlink.
//
// Contract per call:
// - probe(dev): which classifier and actions the running kernel accepts,
//   found by installing and deleting a throwaway skip_hw rule per action on
//   `dev` in a private chain. Side effects: a clsact qdisc may be left on dev.
// - ensure_clsact(): adds the clsact qdisc when it is missing (idempotent).
// - install(): batched; one Status per rule, in order; replaces in place when
//   mode is Replace. The kernel's extended-ack text is the reason. For rules
//   the kernel took in software but not in hardware, the warning is kept in
//   `warnings` (not an error unless the rule was skip_sw).
// - remove(): batched; ENOENT counts as removed.
// - dump(): every flower filter on the ingress of ifindex; `owned_only`
//   keeps those carrying snoc's action cookie.
// - sync(): makes snoc's rules on the given devices exactly `desired`:
//   dump, diff, then add / replace / delete only what differs. Rules without
//   snoc's cookie are never touched.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "offload/status.h"
#include "netlink/netlink_socket.h"
#include "offload/tc/flower_message.h"
#include "offload/tc/tc_rule.h"

namespace snoc::offload::tc {

struct ProbeReport {
    bool flower = false;
    std::map<std::string, Status> actions;  // kind -> accepted or the kernel's reason
};

struct SyncReport {
    size_t added = 0, replaced = 0, deleted = 0, unchanged = 0;
    std::vector<std::pair<TcRule, Status>> failures;  // the rule and why
    std::vector<std::string> warnings;                 // "dev: driver's words" for rules kept in software
};

class TcEngine {
public:
    static Status open(std::unique_ptr<TcEngine>& out);

    Status probe(const std::string& dev, ProbeReport& out);
    Status ensure_clsact(const std::string& dev);
    std::vector<Status> install(const std::vector<TcRule>& rules, Install mode,
                                std::vector<std::string>* warnings = nullptr);
    std::vector<Status> remove(const std::vector<TcRule>& rules);
    Status dump(const std::string& dev, bool owned_only, std::vector<TcRuleState>& out);
    SyncReport sync(const std::vector<TcRule>& desired, const std::vector<std::string>& devs);

    TranslateContext& context() { return ctx_; }
    netlink::NetlinkSocket& socket() { return *sock_; }

    // Fills ifindex from dev for each rule; fails naming the first unknown netdev.
    Status resolve(std::vector<TcRule>& rules) const;

private:
    TcEngine() = default;
    std::unique_ptr<netlink::NetlinkSocket> sock_;
    TranslateContext ctx_;
};

}  // namespace snoc::offload::tc
