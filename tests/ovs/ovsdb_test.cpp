// The OVSDB client against a real ovsdb-server.
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <fstream>

#include "ovs-integration/ovsdb_client.h"
#include "tests/ovs/ovs_sandbox.h"

namespace snoc::ovs {
namespace {

using namespace std::chrono_literals;
using namespace ovsdb;

Json shipped_schema() {
    std::ifstream in("/usr/share/openvswitch/vswitch.ovsschema");
    return Json::parse(in, nullptr, false);
}

TEST(VswitchSchema, ShippedSchemaPasses) {
    const Json schema = shipped_schema();
    if (schema.is_discarded()) GTEST_SKIP() << "vswitch.ovsschema not installed";
    const Status s = check_vswitch_schema(schema);
    EXPECT_TRUE(s.ok()) << offload::to_string(s);
}

TEST(VswitchSchema, MissingColumnsAreNamed) {
    Json schema = shipped_schema();
    if (schema.is_discarded()) GTEST_SKIP() << "vswitch.ovsschema not installed";
    schema["tables"]["Bridge"]["columns"].erase("datapath_type");
    schema["tables"].erase("Interface");
    const Status s = check_vswitch_schema(schema);
    EXPECT_EQ(s.error, EPROTO);
    EXPECT_NE(s.reason.find("lacks Bridge.datapath_type, table Interface"), std::string::npos) << s.reason;
    EXPECT_NE(s.reason.find("version " + schema["version"].get<std::string>()), std::string::npos) << s.reason;
}

TEST(VswitchSchema, OtherDatabaseIsRejected) {
    const Status s = check_vswitch_schema(Json{{"name", "OVN_Northbound"}, {"tables", Json::object()}});
    EXPECT_EQ(s.error, EPROTO);
    EXPECT_NE(s.reason.find("got \"OVN_Northbound\""), std::string::npos) << s.reason;
}

TEST(OvsdbCodec, EncodesAndDecodesAtomsSetsMaps) {
    EXPECT_EQ(map({{"a", "1"}, {"b", "2"}}), Json::parse(R"(["map",[["a","1"],["b","2"]]])"));
    EXPECT_EQ(set({uuid("u1"), named_uuid("n")}), Json::parse(R"(["set",[["uuid","u1"],["named-uuid","n"]]])"));
    EXPECT_EQ(uuids_of(Json::parse(R"(["uuid","u1"])")), std::vector<std::string>{"u1"});  // bare one-element set
    EXPECT_EQ(optional_int(Json::parse(R"(["set",[]])")), std::nullopt);
    EXPECT_EQ(optional_int(Json(10)), 10);
    EXPECT_EQ(string_map(Json::parse(R"(["map",[["k","v"]]])")), (StringMap{{"k", "v"}}));
}

class OvsdbTest : public snoc::test::OvsTest {
protected:
    bool with_vswitchd() const override { return false; }
    OvsdbOptions options() const { return OvsdbOptions{ovs.db_socket(), 5s}; }
};

TEST_F(OvsdbTest, ListDbsAndSchemaCheck) {
    OvsdbClient client(options());
    std::vector<std::string> dbs;
    const Status s = client.list_dbs(dbs);
    ASSERT_TRUE(s.ok()) << offload::to_string(s);
    EXPECT_NE(std::find(dbs.begin(), dbs.end(), "Open_vSwitch"), dbs.end());
    const Status c = client.check_schema();
    EXPECT_TRUE(c.ok()) << offload::to_string(c);
    Json schema;
    const Status u = client.get_schema("NoSuchDb", schema);
    EXPECT_EQ(u.error, EREMOTEIO);
    EXPECT_NE(u.reason.find("unknown database"), std::string::npos) << u.reason;
}

TEST_F(OvsdbTest, TransactInsertThenSelect) {
    OvsdbClient client(options());
    const Json insert = Json::array({
        op_insert("Bridge", Json{{"name", "brx"}, {"external_ids", map({{"snoc-owner", "snoc"}})}}, "b"),
        op_mutate("Open_vSwitch", Json::array(), Json::array({mutation("bridges", "insert", set({named_uuid("b")}))})),
        op_comment("snoc test insert"),
    });
    Json results;
    Status s = client.transact(kVswitchDb, insert, results);
    ASSERT_TRUE(s.ok()) << offload::to_string(s);
    const auto created = uuid_of(results[0]["uuid"]);
    ASSERT_TRUE(created);

    s = client.transact(kVswitchDb, Json::array({op_select("Bridge", where_name("brx"), {"_uuid", "external_ids"})}),
                        results);
    ASSERT_TRUE(s.ok()) << offload::to_string(s);
    ASSERT_EQ(results[0]["rows"].size(), 1u);
    EXPECT_EQ(uuid_of(results[0]["rows"][0]["_uuid"]), created);
    EXPECT_EQ(string_map(results[0]["rows"][0]["external_ids"]).at("snoc-owner"), "snoc");

    std::string shown;
    ASSERT_TRUE(ovs.vsctl({"list-br"}, &shown).ok());
    EXPECT_EQ(shown, "brx\n");
}

TEST_F(OvsdbTest, FailedOperationIsNamed) {
    OvsdbClient client(options());
    Json results;
    const Status s = client.transact(
        kVswitchDb,
        Json::array({op_comment("first"), op_insert("Bridge", Json{{"no_such_column", 1}}, std::nullopt)}), results);
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.reason.find("failed at operation 1 (insert on Bridge)"), std::string::npos) << s.reason;
}

TEST_F(OvsdbTest, WaitThatTimesOutMeansTryAgain) {
    OvsdbClient client(options());
    Json results;
    // "Bridge rows named brz == [one row]" is false (there is none), so the
    // wait with timeout 0 fails the transaction.
    const Status s = client.transact(
        kVswitchDb, Json::array({op_wait("Bridge", where_name("brz"), {"name"}, "==", Json::array({{{"name", "brz"}}}))}),
        results);
    EXPECT_EQ(s.error, EAGAIN) << offload::to_string(s);
}

TEST_F(OvsdbTest, MonitorSeesBridgeAddedByOvsVsctl) {
    OvsdbClient client(options());
    std::vector<RowUpdate> seen;
    const Status m = client.monitor(kVswitchDb, {{"Bridge", {"name"}}},
                                    [&](const std::vector<RowUpdate>& u) { seen.insert(seen.end(), u.begin(), u.end()); });
    ASSERT_TRUE(m.ok()) << offload::to_string(m);
    EXPECT_TRUE(seen.empty());  // no bridges yet: the initial state is empty
    ASSERT_TRUE(ovs.vsctl({"--no-wait", "add-br", "br-mon"}).ok());
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (seen.empty() && std::chrono::steady_clock::now() < deadline) {
        const Status p = client.poll(100ms);
        ASSERT_TRUE(p.ok()) << offload::to_string(p);
    }
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].table, "Bridge");
    EXPECT_EQ(seen[0].kind, RowUpdate::Kind::Insert);
    EXPECT_EQ(seen[0].row["name"], "br-mon");
}

TEST_F(OvsdbTest, ReconnectsWithBackoffAndRearmsMonitors) {
    OvsdbOptions o = options();
    o.reconnect_budget = 10s;
    OvsdbClient client(o);
    std::vector<RowUpdate> seen;
    ASSERT_TRUE(ovs.vsctl({"--no-wait", "add-br", "br-before"}).ok());
    ASSERT_TRUE(client.monitor(kVswitchDb, {{"Bridge", {"name"}}}, [&](const std::vector<RowUpdate>& u) {
                          seen.insert(seen.end(), u.begin(), u.end());
                      }).ok());
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].kind, RowUpdate::Kind::Initial);

    ASSERT_TRUE(ovs.restart_ovsdb().ok());
    // The first poll notices the closed connection; the next reconnects.
    Status p = client.poll(1s);
    if (!p.ok()) p = client.poll(1s);
    ASSERT_TRUE(p.ok()) << offload::to_string(p);
    EXPECT_EQ(client.reconnects(), 1);
    ASSERT_EQ(seen.size(), 2u);  // the monitor was re-armed and re-delivered the current rows
    EXPECT_EQ(seen[1].kind, RowUpdate::Kind::Initial);
    EXPECT_EQ(seen[1].row["name"], "br-before");
}

TEST(OvsdbNoServer, MissingSocketIsAClearError) {
    OvsdbClient client(OvsdbOptions{"/tmp/snoc-no-such-dir/db.sock", 1s, 10ms, 40ms, 100ms});
    std::vector<std::string> dbs;
    const Status s = client.list_dbs(dbs);
    EXPECT_EQ(s.error, ENOENT);
    EXPECT_NE(s.reason.find("cannot connect to /tmp/snoc-no-such-dir/db.sock: No such file or directory — is "
                            "ovsdb-server running?"),
              std::string::npos)
        << s.reason;
}

}  // namespace
}  // namespace snoc::ovs
