#include "runtime/modules/builtin_modules.hpp"

#include <cmath>

namespace m3m::runtime {

ModuleSchema goalsModule(const BuiltinDeps& deps) {
  auto increment = deps.goalIncrement;
  return ModuleBuilder("goals", "Analytics counters (Goals): the project's own goals and allowed global ones.")
      .function("increment", {{"slug", "string"}, {"value", "number", true}}, "void",
                "Adds `value` (an integer, default 1) to the goal: the project's goal by its short slug, or a global "
                "goal this project may write to. Atomic; written in batches.",
                [increment](CallContext& ctx, const Args& args) -> Value {
                  auto slug = args.string(0);
                  std::int64_t value = 1;
                  if (!args.at(1).is_null()) {
                    if (!args.at(1).is_number_integer()) args.fail(1, "must be an integer");
                    value = args.at(1).get<std::int64_t>();
                  }
                  if (!increment) throw Error(ErrorCode::UNAVAILABLE, "goals: not available in this runtime");
                  increment(ctx.projectId(), slug, value);
                  return nullptr;
                })
      .build();
}

}  // namespace m3m::runtime
