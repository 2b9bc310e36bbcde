// The collections' indexes, created (idempotently) when the store opens —
// MongoDB's counterpart of the SQLite migrations. Each function lives beside
// the repository that relies on its indexes.
#pragma once

#include "store/mongo/database.hpp"

namespace m3m::store::mongo {

void ensureSettingsIndexes(Database& db);
void ensureUserIndexes(Database& db);      // users, sessions
void ensureProjectIndexes(Database& db);   // projects, project_members, env_values
void ensurePipelineIndexes(Database& db);  // branches, releases
void ensureModelIndexes(Database& db);     // models (record collections: per model)
void ensureGoalIndexes(Database& db);      // goals, goal_stats
void ensureStorageLinkIndexes(Database& db);

}  // namespace m3m::store::mongo
