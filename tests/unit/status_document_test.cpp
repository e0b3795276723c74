// The /status document of `snoc run`: flow records and whole documents
// survive JSON both ways, and bad input is refused with a reason that names
// what is wrong.
#include <gtest/gtest.h>

#include "controller/daemon/status_document.h"

namespace snoc::daemon {
namespace {

using offload::Placement;
using offload::ReasonCode;

monitor::FlowRecord full_record() {
    monitor::FlowRecord r;
    r.source = monitor::Source::HwRule;
    r.id = "web-out";
    r.placement = Placement::TcSoftware;
    r.labels = {"nic0", "br-edge", "pf0vf0", "web", "web-out"};
    r.match = "priority=100,in_port=web,ip";
    r.actions = "output:uplink";
    r.packets = (uint64_t{1} << 40) + 7;  // beyond 32 bits
    r.bytes = (uint64_t{1} << 50) + 3;
    r.idle_ms = 1234;
    r.reasons = {{ReasonCode::MatchUnsupported, "ipv6_src", "the NIC matches ipv6_src only exactly"},
                 {ReasonCode::Quirk, "stock-module", "a documented limit"}};
    return r;
}

void expect_same(const monitor::FlowRecord& a, const monitor::FlowRecord& b) {
    EXPECT_EQ(a.source, b.source);
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.placement, b.placement);
    EXPECT_EQ(a.labels, b.labels);
    EXPECT_EQ(a.match, b.match);
    EXPECT_EQ(a.actions, b.actions);
    EXPECT_EQ(a.packets, b.packets);
    EXPECT_EQ(a.bytes, b.bytes);
    EXPECT_EQ(a.idle_ms, b.idle_ms);
    EXPECT_EQ(a.reasons, b.reasons);
}

monitor::FlowRecord round_trip(const monitor::FlowRecord& r) {
    monitor::FlowRecord back;
    const auto st = record_from_json(record_to_json(r), back);
    EXPECT_TRUE(st.ok()) << st.reason;
    return back;
}

TEST(StatusDocument, FlowRecordRoundTrips) {
    const auto r = full_record();
    expect_same(round_trip(r), r);
}

TEST(StatusDocument, UnknownIdleTimeStaysUnknown) {
    auto r = full_record();
    r.idle_ms.reset();
    r.source = monitor::Source::Datapath;
    r.reasons.clear();
    const auto back = round_trip(r);
    EXPECT_FALSE(back.idle_ms.has_value());
    expect_same(back, r);
    EXPECT_TRUE(record_to_json(r).at("idle_ms").is_null());
}

TEST(StatusDocument, EveryPlacementRoundTrips) {
    for (Placement p : {Placement::Hardware, Placement::TcSoftware, Placement::Ovs, Placement::Failed}) {
        auto r = full_record();
        r.placement = p;
        EXPECT_EQ(round_trip(r).placement, p) << to_string(p);
    }
}

TEST(StatusDocument, EveryReasonCodeRoundTrips) {
    for (uint8_t i = 0; i <= static_cast<uint8_t>(ReasonCode::Quirk); ++i) {
        auto r = full_record();
        r.reasons = {{static_cast<ReasonCode>(i), "s", "d"}};
        EXPECT_EQ(round_trip(r).reasons, r.reasons) << to_string(static_cast<ReasonCode>(i));
    }
}

TEST(StatusDocument, RecordOverwritesWhatTheOutputHeld) {
    monitor::FlowRecord out = full_record();
    auto small = full_record();
    small.reasons.clear();
    small.idle_ms.reset();
    ASSERT_TRUE(record_from_json(record_to_json(small), out).ok());
    EXPECT_TRUE(out.reasons.empty());
    EXPECT_FALSE(out.idle_ms.has_value());
}

TEST(StatusDocument, UnknownPlacementIsRefusedByName) {
    auto j = record_to_json(full_record());
    j["placement"] = "on-the-moon";
    monitor::FlowRecord out;
    const auto st = record_from_json(j, out);
    EXPECT_EQ(st.error, EINVAL);
    EXPECT_NE(st.reason.find("on-the-moon"), std::string::npos) << st.reason;
    EXPECT_NE(st.reason.find("placement"), std::string::npos) << st.reason;
}

TEST(StatusDocument, UnknownReasonCodeIsRefusedByName) {
    auto j = record_to_json(full_record());
    j["reasons"][1]["code"] = "cosmic-rays";
    monitor::FlowRecord out;
    const auto st = record_from_json(j, out);
    EXPECT_EQ(st.error, EINVAL);
    EXPECT_NE(st.reason.find("cosmic-rays"), std::string::npos) << st.reason;
    EXPECT_NE(st.reason.find("reason code"), std::string::npos) << st.reason;
}

TEST(StatusDocument, MissingFieldIsRefusedByName) {
    auto j = record_to_json(full_record());
    j.erase("actions");
    monitor::FlowRecord out;
    const auto st = record_from_json(j, out);
    EXPECT_EQ(st.error, EINVAL);
    EXPECT_NE(st.reason.find("actions"), std::string::npos) << st.reason;
}

TEST(StatusDocument, WrongTypeIsRefused) {
    auto j = record_to_json(full_record());
    j["packets"] = "many";
    monitor::FlowRecord out;
    const auto st = record_from_json(j, out);
    EXPECT_EQ(st.error, EINVAL);
    EXPECT_FALSE(st.reason.empty());
}

// status_document.h: "Fails naming the field that is missing or of the wrong type".
TEST(StatusDocument, WrongTypeNamesTheField) {
    auto j = record_to_json(full_record());
    j["packets"] = "many";
    monitor::FlowRecord out;
    const auto st = record_from_json(j, out);
    EXPECT_NE(st.reason.find("packets"), std::string::npos) << st.reason;
}

StatusDocument document() {
    StatusDocument d;
    d.status = {{"flows", 2}, {"hit_rate", 0.75}, {"nics", nlohmann::json::array({"nic0"})}};
    d.status_text = "flows: 2\nhit rate: 75%\n";
    auto a = full_record();
    auto b = full_record();
    b.id = "ufid:1234";
    b.source = monitor::Source::Datapath;
    b.placement = Placement::Ovs;
    b.idle_ms.reset();
    d.flows = {a, b};
    d.apply = {{"ok", true}, {"changes", 3}, {"errors", nlohmann::json::array()}};
    return d;
}

TEST(StatusDocument, DocumentRoundTrips) {
    const StatusDocument d = document();
    const nlohmann::json j = to_json(d);
    EXPECT_EQ(j.at("version"), kStatusDocumentVersion);
    StatusDocument back;
    const auto st = from_json(j.dump(), back);
    ASSERT_TRUE(st.ok()) << st.reason;
    EXPECT_EQ(back.status, d.status);
    EXPECT_EQ(back.status_text, d.status_text);
    EXPECT_EQ(back.apply, d.apply);
    ASSERT_EQ(back.flows.size(), d.flows.size());
    for (size_t i = 0; i < d.flows.size(); ++i) expect_same(back.flows[i], d.flows[i]);
}

TEST(StatusDocument, EmptyDocumentRoundTrips) {
    StatusDocument back;
    back.flows.resize(3);
    back.status_text = "stale";
    ASSERT_TRUE(from_json(to_json(StatusDocument{}).dump(), back).ok());
    EXPECT_TRUE(back.flows.empty());
    EXPECT_EQ(back.status_text, "");
}

TEST(StatusDocument, WrongVersionIsRefused) {
    nlohmann::json j = to_json(document());
    j["version"] = kStatusDocumentVersion + 1;
    StatusDocument out;
    auto st = from_json(j.dump(), out);
    EXPECT_EQ(st.error, EPROTO);
    EXPECT_NE(st.reason.find(std::to_string(kStatusDocumentVersion + 1)), std::string::npos) << st.reason;
    EXPECT_NE(st.reason.find("version"), std::string::npos) << st.reason;
    j.erase("version");
    st = from_json(j.dump(), out);
    EXPECT_EQ(st.error, EPROTO) << st.reason;
}

TEST(StatusDocument, NonJsonIsRefused) {
    StatusDocument out;
    for (const char* text : {"", "<html>404</html>", "{\"version\": 1,", "[1, 2]", "42"}) {
        const auto st = from_json(text, out);
        EXPECT_EQ(st.error, EINVAL) << text;
        EXPECT_NE(st.reason.find("not JSON"), std::string::npos) << text << ": " << st.reason;
    }
}

TEST(StatusDocument, BadFlowInADocumentIsRefusedByName) {
    nlohmann::json j = to_json(document());
    j["flows"][1]["placement"] = "sideways";
    StatusDocument out;
    const auto st = from_json(j.dump(), out);
    EXPECT_FALSE(st.ok());
    EXPECT_NE(st.reason.find("sideways"), std::string::npos) << st.reason;
}

}  // namespace
}  // namespace snoc::daemon
