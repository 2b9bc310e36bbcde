#include "service/cluster_service.hpp"

#include <m3m/error.hpp>

namespace m3m::service {

std::vector<ClusterNode> ClusterService::nodes(const Principal& who) const {
  if (!who.isUser() || !who.user.managesUsers())
    throw Error(ErrorCode::PERMISSION_DENIED, "the cluster's nodes need the root administrator or manage_users");
  return source_();
}

}  // namespace m3m::service
