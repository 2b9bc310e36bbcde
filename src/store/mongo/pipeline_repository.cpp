#include "store/mongo/pipeline_repository.hpp"

#include <m3m/error.hpp>

#include "store/mongo/indexes.hpp"

namespace m3m::store::mongo {
namespace {
[[noreturn]] void notBuilt(const char* what) {
  throw Error(ErrorCode::UNAVAILABLE, std::string("the MongoDB driver does not implement ") + what + " yet");
}
}  // namespace

void ensurePipelineIndexes(Database&) {}

domain::Page<domain::Branch> MongoPipelineRepository::listBranches(const std::string&, const domain::PageRequest&) { notBuilt("MongoPipelineRepository::listBranches"); }
std::int64_t MongoPipelineRepository::countBranches(const std::string&) { notBuilt("MongoPipelineRepository::countBranches"); }
std::optional<domain::Branch> MongoPipelineRepository::findBranch(const std::string&, const std::string&) { notBuilt("MongoPipelineRepository::findBranch"); }
void MongoPipelineRepository::createBranch(const domain::Branch&) { notBuilt("MongoPipelineRepository::createBranch"); }
bool MongoPipelineRepository::updateBranchCode(const std::string&, const std::string&, const std::string&, int, const std::string&) { notBuilt("MongoPipelineRepository::updateBranchCode"); }
bool MongoPipelineRepository::renameBranch(const std::string&, const std::string&, const std::string&, const std::string&) { notBuilt("MongoPipelineRepository::renameBranch"); }
bool MongoPipelineRepository::deleteBranch(const std::string&, const std::string&) { notBuilt("MongoPipelineRepository::deleteBranch"); }
domain::Page<domain::Release> MongoPipelineRepository::listReleases(const std::string&, const domain::PageRequest&) { notBuilt("MongoPipelineRepository::listReleases"); }
std::optional<domain::Release> MongoPipelineRepository::findRelease(const std::string&, const domain::Version&) { notBuilt("MongoPipelineRepository::findRelease"); }
std::optional<domain::Version> MongoPipelineRepository::latestVersion(const std::string&) { notBuilt("MongoPipelineRepository::latestVersion"); }
void MongoPipelineRepository::createRelease(const domain::Release&) { notBuilt("MongoPipelineRepository::createRelease"); }
bool MongoPipelineRepository::deleteRelease(const std::string&, const domain::Version&) { notBuilt("MongoPipelineRepository::deleteRelease"); }
void MongoPipelineRepository::setActiveRelease(const std::string&, const std::optional<std::string>&) { notBuilt("MongoPipelineRepository::setActiveRelease"); }
std::optional<std::string> MongoPipelineRepository::runningRelease(const std::string&) { notBuilt("MongoPipelineRepository::runningRelease"); }

}  // namespace m3m::store::mongo
