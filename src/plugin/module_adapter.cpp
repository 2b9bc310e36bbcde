#include "plugin/module_adapter.hpp"

#include "plugin/host_api.hpp"

namespace m3m::plugin {
namespace {

// Holds the instance for one call (it is not shut down meanwhile).
class Lease {
 public:
  Lease(const Slot& slot, const std::string& module, const std::string& function, const std::string& qualified) {
    {
      std::lock_guard lock(slot.mutex);
      instance_ = slot.current;
    }
    if (!instance_ || !instance_->enter()) {
      instance_.reset();
      throw Error(ErrorCode::UNAVAILABLE, qualified + ": plugin " + slot.name + " is not running");
    }
    for (const auto& m : instance_->modules())
      if (m.name == module)
        for (const auto& f : m.functions)
          if (f.name == function) fn_ = &f;
    if (!fn_) {
      instance_->leave();
      instance_.reset();
      throw Error(ErrorCode::NOT_FOUND, qualified + ": plugin " + slot.name +
                                            " was reloaded without this function; restart the project");
    }
  }
  ~Lease() {
    if (instance_) instance_->leave();
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  Instance& instance() const { return *instance_; }
  const DeclaredFunction& fn() const { return *fn_; }

 private:
  std::shared_ptr<Instance> instance_;
  const DeclaredFunction* fn_ = nullptr;
};

Value result(Outcome out) {
  if (out.error) throw std::move(*out.error);
  return std::move(out.value);
}

}  // namespace

std::vector<ModuleSchema> adaptModules(const std::shared_ptr<Slot>& slot, const Instance& instance) {
  std::vector<ModuleSchema> out;
  for (const auto& m : instance.modules()) {
    ModuleSchema schema;
    schema.name = m.name;
    schema.doc = m.doc;
    // Named types (ABI 1.1): printed once before the module, used by name.
    for (const auto& d : m.types) {
      std::vector<TypeField> fields;
      for (const auto& f : d.fields)
        fields.push_back(t::field(f.name, f.optional ? t::optional(t::ts(f.type)) : t::ts(f.type), f.doc));
      schema.types.push_back(t::named(d.name, fields.empty() ? t::ts(d.definition) : t::object(std::move(fields)), d.doc));
    }
    for (const auto& f : m.functions) {
      FunctionSpec spec;
      spec.name = f.name;
      spec.doc = f.doc;
      // A plugin declares TypeScript text (plugin.h); the plugin checks its
      // own arguments (plugin.hpp), so the host's check is `any`.
      for (const auto& p : f.params)
        spec.params.push_back(Param{p.name, p.optional ? t::optional(t::ts(p.type)) : t::ts(p.type), false, nullptr});
      const std::string qualified = m.name + "." + f.name;
      if (f.flags & M3M_FN_ASYNC) {
        spec.returns = t::promise(t::ts(f.returns));
        spec.asyncStart = [slot, module = m.name, name = f.name, qualified](CallContext& ctx, const Args& args) -> AsyncStart {
          // The function runs here, on the project's thread, and defers; its
          // work settles the pending from any thread.
          Outcome out;
          {
            Lease lease(*slot, module, name, qualified);
            out = invoke(lease.instance(), lease.fn(), qualified, args.all(), &ctx, {});
          }
          return [out = std::make_shared<Outcome>(std::move(out))](std::stop_token stop, Completion done) {
            if (out->pending) return out->pending->attach(std::move(done), std::move(stop));
            if (out->error) done.reject(std::move(*out->error));
            else done.resolve(std::move(out->value));
          };
        };
      } else if (f.flags & M3M_FN_WAITING) {
        spec.returns = t::ts(f.returns);
        spec.impl = [slot, module = m.name, name = f.name, qualified](CallContext& ctx, const Args& args) -> Value {
          Lease lease(*slot, module, name, qualified);
          Outcome out;
          ctx.blocking([&](std::stop_token stop) {
            out = invoke(lease.instance(), lease.fn(), qualified, args.all(), &ctx, std::move(stop));
          });
          return result(std::move(out));
        };
      } else {
        spec.returns = t::ts(f.returns);
        spec.impl = [slot, module = m.name, name = f.name, qualified](CallContext& ctx, const Args& args) -> Value {
          Lease lease(*slot, module, name, qualified);
          return result(invoke(lease.instance(), lease.fn(), qualified, args.all(), &ctx, {}));
        };
      }
      schema.functions.push_back(std::move(spec));
    }
    out.push_back(std::move(schema));
  }
  return out;
}

}  // namespace m3m::plugin
