#include "runtime/modules/builtin_modules.hpp"

namespace m3m::runtime {

ModuleSchema goalsModule(std::shared_ptr<GoalsBackend> goals) {
  return ModuleBuilder("goals", "Analytics counters (Goals): the project's own goals and allowed global ones.")
      .function("increment", {param("slug", t::string()), param("value", t::integer(), 1)}, t::void_(),
                "Adds `value` (an integer, default 1) to the goal: the project's goal by its short slug, or a global "
                "goal this project may write to. Atomic; written in batches.",
                [goals](CallContext& ctx, const Args& args) -> Value {
                  if (!goals) throw Error(ErrorCode::UNAVAILABLE, "goals: not available in this runtime");
                  goals->increment(ctx.projectId(), args.string(0), args.at(1).get<std::int64_t>());
                  return nullptr;
                })
      .build();
}

}  // namespace m3m::runtime
