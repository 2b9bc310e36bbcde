#include "store/mongo/mongo_store.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>

#include "store/mongo/goal_repository.hpp"
#include "store/mongo/indexes.hpp"
#include "store/mongo/model_repository.hpp"
#include "store/mongo/pipeline_repository.hpp"
#include "store/mongo/project_repository.hpp"
#include "store/mongo/settings_repository.hpp"
#include "store/mongo/storage_link_repository.hpp"
#include "store/mongo/user_repository.hpp"

namespace m3m::store::mongo {
namespace {

// Bumped when the collections' layout changes (MongoDB's migrations: indexes
// are created idempotently at every start).
constexpr int kSchemaVersion = 1;

class MongoRepositories final : public Repositories {
 public:
  explicit MongoRepositories(Database& db)
      : settings_(db), users_(db), sessions_(db), projects_(db), env_(db), pipeline_(db), models_(db), records_(db),
        goals_(db), storageLinks_(db) {}
  SettingsRepository& settings() override { return settings_; }
  UserRepository& users() override { return users_; }
  SessionRepository& sessions() override { return sessions_; }
  ProjectRepository& projects() override { return projects_; }
  EnvRepository& env() override { return env_; }
  PipelineRepository& pipeline() override { return pipeline_; }
  ModelRepository& models() override { return models_; }
  RecordRepository& records() override { return records_; }
  GoalRepository& goals() override { return goals_; }
  StorageLinkRepository& storageLinks() override { return storageLinks_; }

 private:
  MongoSettingsRepository settings_;
  MongoUserRepository users_;
  MongoSessionRepository sessions_;
  MongoProjectRepository projects_;
  MongoEnvRepository env_;
  MongoPipelineRepository pipeline_;
  MongoModelRepository models_;
  MongoRecordRepository records_;
  MongoGoalRepository goals_;
  MongoStorageLinkRepository storageLinks_;
};

}  // namespace

// transactionGrouped's units run here, one after another, so a record write
// never blocks the caller's (event loop) thread on the network. No grouping:
// MongoDB commits each write on its own.
struct MongoStore::Writer {
  struct Unit {
    std::function<void(Repositories&)> fn;
    std::function<void(std::exception_ptr)> done;
  };
  explicit Writer(MongoStore& store) : store(store), thread([this] { run(); }) {}
  ~Writer() {
    {
      std::lock_guard lock(mu);
      stopping = true;
    }
    cv.notify_one();
    thread.join();
  }
  void push(Unit u) {
    {
      std::lock_guard lock(mu);
      queue.push_back(std::move(u));
    }
    cv.notify_one();
  }
  void run() {
    for (;;) {
      Unit u;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return stopping || !queue.empty(); });
        if (queue.empty()) return;  // stopping, and every queued unit ran
        u = std::move(queue.front());
        queue.pop_front();
      }
      std::exception_ptr error;
      try {
        store.transaction(u.fn);
      } catch (...) {
        error = std::current_exception();
      }
      u.done(error);
    }
  }

  MongoStore& store;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Unit> queue;
  bool stopping = false;
  std::thread thread;
};

std::unique_ptr<MongoStore> MongoStore::open(const config::MongoConfig& cfg) {
  auto db = std::make_unique<Database>(cfg);
  ensureSettingsIndexes(*db);
  ensureUserIndexes(*db);
  ensureProjectIndexes(*db);
  ensurePipelineIndexes(*db);
  ensureModelIndexes(*db);
  ensureGoalIndexes(*db);
  ensureStorageLinkIndexes(*db);
  {
    Collection meta(*db, "meta");
    meta.updateOne(toBson({{"_id", "schema"}}), toBson({{"$set", {{"version", kSchemaVersion}}}}), true);
  }
  return std::unique_ptr<MongoStore>(new MongoStore(std::move(db)));
}

MongoStore::MongoStore(std::unique_ptr<Database> db)
    : db_(std::move(db)), repos_(std::make_unique<MongoRepositories>(*db_)), writer_(std::make_unique<Writer>(*this)) {}

MongoStore::~MongoStore() { writer_.reset(); }

bool MongoStore::healthy() noexcept { return db_->ping(); }

Repositories& MongoStore::repos() { return *repos_; }

void MongoStore::transaction(const std::function<void(Repositories&)>& fn) {
  db_->transaction([&] { fn(*repos_); });
}

void MongoStore::transactionGrouped(std::function<void(Repositories&)> fn,
                                    std::function<void(std::exception_ptr)> done) {
  writer_->push({std::move(fn), std::move(done)});
}

int MongoStore::schemaVersion() {
  Collection meta(*db_, "meta");
  auto doc = meta.findOne(toBson({{"_id", "schema"}}));
  return doc ? doc->value("version", 0) : 0;
}

StoreStats MongoStore::stats() const {
  StoreStats s;
  s.reads = db_->reads.load(std::memory_order_relaxed);
  s.writes = db_->writes.load(std::memory_order_relaxed);
  return s;
}

}  // namespace m3m::store::mongo
