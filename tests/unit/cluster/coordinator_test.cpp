// The cluster coordinator (issue 21, part 2): the adoption spread rule, and
// claims, renewals, lost leases and take-overs between two nodes on a real
// MongoDB protocol server (FerretDB or $M3M_TEST_MONGODB_URI).
#include "cluster/coordinator.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>

#include <atomic>
#include <m3m/error.hpp>

#include "../store/test_mongodb.hpp"

using namespace m3m;
using namespace std::chrono_literals;
using cluster::pickAdoptions;

TEST(PickAdoptions, AloneTakesUpToThePerTickLimit) {
  EXPECT_EQ(pickAdoptions({"a", "b", "c", "d"}, 5, {}, 3), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(pickAdoptions({}, 0, {}, 3).empty());
}

TEST(PickAdoptions, StaysWithinTheLeastLoadedLiveNodePlusOne) {
  // After adopting, the node runs at most the least-loaded other live node's count + 1.
  EXPECT_EQ(pickAdoptions({"a", "b", "c"}, 0, {0}, 3), (std::vector<std::string>{"a"}));
  EXPECT_EQ(pickAdoptions({"a", "b", "c"}, 0, {2, 9}, 3), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(pickAdoptions({"a", "b", "c"}, 1, {2, 7}, 3), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(pickAdoptions({"a"}, 1, {0, 7}, 3).empty());
}

namespace {

// A clock the test moves by hand.
struct Clock {
  std::atomic<std::int64_t> now{1'000'000};
  std::function<std::int64_t()> fn() {
    return [this] { return now.load(); };
  }
};

class CoordinatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db = std::make_unique<store::mongo::Database>(m3m::testing::testMongoConfig());
    db->dropDatabase();
    log = std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
    a = make("node-a");
    b = make("node-b");
  }
  std::unique_ptr<cluster::Coordinator> make(const std::string& id) {
    return std::make_unique<cluster::Coordinator>(
        *db, cluster::CoordinatorOptions{id, "http://" + id, 1s, 5s, 3}, log, clock.fn());
  }
  Clock clock;
  std::unique_ptr<store::mongo::Database> db;
  std::shared_ptr<spdlog::logger> log;
  std::unique_ptr<cluster::Coordinator> a, b;
};

}  // namespace

TEST_F(CoordinatorTest, ASecondNodeCannotClaimAndIsToldWhoRunsTheProject) {
  a->heartbeatTick();
  a->claim("p1");
  EXPECT_EQ(a->held(), std::vector<std::string>{"p1"});
  a->claim("p1");  // the holder may claim again (a restart)
  try {
    b->claim("p1");
    FAIL() << "node-b took a project node-a holds";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::CONFLICT);
    EXPECT_NE(std::string(e.what()).find("node node-a (http://node-a)"), std::string::npos) << e.what();
  }
  EXPECT_EQ(b->runsElsewhere("p1").value_or(""), "node node-a (http://node-a)");
  EXPECT_FALSE(a->runsElsewhere("p1"));
  a->release("p1");
  EXPECT_FALSE(b->runsElsewhere("p1")) << "released";
  b->claim("p1");
  EXPECT_EQ(b->held(), std::vector<std::string>{"p1"});
}

TEST_F(CoordinatorTest, HeartbeatsRenewAndPublishTheNodesProjects) {
  a->claim("p1");
  a->claim("p2");
  for (int i = 0; i < 10; ++i) {  // 10 s: twice the lease's TTL, renewed every second
    clock.now += 1'000;
    a->heartbeatTick();
  }
  EXPECT_EQ(a->held().size(), 2u);
  EXPECT_THROW(b->claim("p1"), Error);
  auto node = b->nodes().find("node-a");
  ASSERT_TRUE(node);
  EXPECT_EQ(node->projects, (std::vector<std::string>{"p1", "p2"}));
  EXPECT_EQ(node->url, "http://node-a");
  EXPECT_TRUE(b->nodes().isLive(*node, clock.now));
  EXPECT_FALSE(b->nodes().isLive(*node, clock.now + 3'000)) << "three heartbeats without news";
  a->leave();
  EXPECT_FALSE(b->nodes().find("node-a")) << "a graceful stop leaves the registry";
  b->claim("p1");  // and its leases are free at once
}

TEST_F(CoordinatorTest, ADeletedProjectsRunEndsOnItsOwnerAtTheNextHeartbeat) {
  std::vector<std::string> lost;
  a->setHooks({nullptr, nullptr, [&](const std::string& id) { lost.push_back(id); }});
  a->claim("p1");
  a->claim("p2");
  b->deleted("p1");  // deleted through node-b, which does not run it
  clock.now += 1'000;
  a->heartbeatTick();
  EXPECT_EQ(lost, std::vector<std::string>{"p1"}) << "node-a's renewal fails: it ends the run";
  EXPECT_EQ(a->held(), std::vector<std::string>{"p2"});
  EXPECT_FALSE(a->runsElsewhere("p1")) << "nobody runs it";
}

TEST_F(CoordinatorTest, HoldsOnlyWhileSureOfTheLease) {
  EXPECT_FALSE(a->holds("p1")) << "not claimed";
  a->claim("p1");  // lease 5 s, margin 1 s: sure for 4 s
  EXPECT_TRUE(a->holds("p1"));
  clock.now += 3'500;
  EXPECT_TRUE(a->holds("p1"));
  a->heartbeatTick();  // renewed: sure for 4 s more
  clock.now += 3'500;
  EXPECT_TRUE(a->holds("p1"));
  clock.now += 1'000;  // stalled past the margin (no heartbeat): the ticks wait
  EXPECT_FALSE(a->holds("p1"));
  a->heartbeatTick();  // too late to renew: lost
  EXPECT_FALSE(a->holds("p1"));
  b->claim("p2");
  b->release("p2");
  EXPECT_FALSE(b->holds("p2")) << "released";
}

TEST_F(CoordinatorTest, NodesSilentForADayAreForgotten) {
  a->heartbeatTick();
  b->heartbeatTick();
  clock.now += 23 * 3'600'000;
  b->heartbeatTick();
  EXPECT_TRUE(b->nodes().find("node-a")) << "silent for 23 h: still listed";
  clock.now += 2 * 3'600'000;
  b->heartbeatTick();
  EXPECT_FALSE(b->nodes().find("node-a")) << "silent for 25 h: forgotten";
  EXPECT_TRUE(b->nodes().find("node-b"));
}

TEST_F(CoordinatorTest, ALeaseTakenOverIsLostAndItsRunEnded) {
  std::vector<std::string> lost;
  a->setHooks({nullptr, nullptr, [&](const std::string& id) { lost.push_back(id); }});
  a->claim("p1");
  a->claim("p2");
  a->heartbeatTick();
  // node-a stalls (GC pause, SIGSTOP) past its lease; node-b takes p1 over.
  clock.now += 6'000;
  b->claim("p1");
  b->heartbeatTick();
  a->heartbeatTick();
  EXPECT_EQ(lost, (std::vector<std::string>{"p1", "p2"})) << "both too late to renew: both runs end";
  EXPECT_TRUE(a->held().empty());
  EXPECT_EQ(b->held(), std::vector<std::string>{"p1"});
  EXPECT_EQ(a->runsElsewhere("p1").value_or(""), "node node-b (http://node-b)");
}

TEST_F(CoordinatorTest, AdoptsWantedProjectsWhoseLeaseExpiredOrIsAbsentSpreadByLoad) {
  std::vector<std::string> adopted;
  std::vector<std::string> wanted = {"p1", "p2", "p3", "p4"};
  b->setHooks({[&] { return wanted; },
               [&](const std::string& id) {
                 b->claim(id);
                 adopted.push_back(id);
                 return true;
               },
               nullptr});
  a->claim("p1");
  a->heartbeatTick();  // node-a: live, one project
  b->heartbeatTick();
  b->adoptTick();
  EXPECT_EQ(adopted, (std::vector<std::string>{"p2", "p3"})) << "p1 is node-a's; b stops at a's load + 1";
  // node-a dies: after its lease expires, b takes everything (a is not live any more).
  for (int i = 0; i < 6; ++i) {
    clock.now += 1'000;
    b->heartbeatTick();
  }
  b->adoptTick();
  EXPECT_EQ(adopted, (std::vector<std::string>{"p2", "p3", "p1", "p4"}));
  // A failed adoption is not retried at once.
  wanted.push_back("p5");
  int tries = 0;
  b->setHooks({[&] { return wanted; },
               [&](const std::string&) {
                 ++tries;
                 return false;
               },
               nullptr});
  b->adoptTick();
  b->adoptTick();
  EXPECT_EQ(tries, 1);
  for (int i = 0; i < 11; ++i) {
    clock.now += 1'000;
    b->heartbeatTick();
  }
  b->adoptTick();
  EXPECT_EQ(tries, 2);
  EXPECT_EQ(b->held().size(), 4u) << "renewed all along";
}
