// One declaration per module (issue 18): the typed declaration
// (include/m3m/type.hpp) drives the argument checks of the binding and the
// TypeScript printer; the registry takes modules from outside.
#include <gtest/gtest.h>

#include "runtime/module_registry.hpp"
#include "runtime/typescript/printer.hpp"
#include "runtime/typescript/type_check.hpp"
#include "runtime_harness.hpp"

using namespace m3m;
using namespace m3m::runtime;

namespace {

std::string mismatch(const Type& type, const Value& v) {
  auto m = checkValue(type, v);
  return m ? m->path + " " + m->what : "ok";
}

std::string in(const Type& type) { return printType(type, TypePosition::Input); }
std::string out(const Type& type) { return printType(type, TypePosition::Output); }

const Type kPoint = t::named("M3MPoint", t::object({t::field("x", t::number(), "across"), t::field("y", t::optional(t::number()))}),
                             "A point.");

}  // namespace

// ---- checks ------------------------------------------------------------

TEST(TypeCheck, ScalarsSayWhatTheyMustBe) {
  EXPECT_EQ(mismatch(t::string(), "a"), "ok");
  EXPECT_EQ(mismatch(t::string(), 1), " must be a string");
  EXPECT_EQ(mismatch(t::number(), 1.5), "ok");
  EXPECT_EQ(mismatch(t::number(), "1"), " must be a number");
  EXPECT_EQ(mismatch(t::integer(), 3), "ok");
  EXPECT_EQ(mismatch(t::integer(), 1.5), " must be an integer");
  EXPECT_EQ(mismatch(t::boolean(), nullptr), " must be a boolean");
  EXPECT_EQ(mismatch(t::bytes(), bytesValue("ab")), "ok");
  EXPECT_EQ(mismatch(t::bytes(), "ab"), " must be a Uint8Array, ArrayBuffer or ArrayBufferView");
  EXPECT_EQ(mismatch(t::null(), nullptr), "ok");
  EXPECT_EQ(mismatch(t::any(), Value::array()), "ok");
  EXPECT_EQ(mismatch(t::unknown(), nullptr), "ok");
  EXPECT_EQ(mismatch(t::ts("Date", t::number()), "x"), " must be a number") << "the escape hatch checks as told";
  EXPECT_EQ(mismatch(t::ts("Date"), "x"), "ok");
}

TEST(TypeCheck, LiteralsAndUnionsListTheChoices) {
  EXPECT_EQ(mismatch(t::literal("hex"), "hex"), "ok");
  EXPECT_EQ(mismatch(t::literal(4), 5), " must be 4");
  EXPECT_EQ(mismatch(t::enumOf({"md5", "sha1", "sha256"}), "sha3"), " must be 'md5', 'sha1' or 'sha256'");
  EXPECT_EQ(mismatch(t::oneOf({t::string(), t::bytes()}), 1), " must be a string, Uint8Array, ArrayBuffer or ArrayBufferView")
      << "the same words as Args::bytes";
  EXPECT_EQ(mismatch(t::nullable(t::string()), nullptr), "ok");
  EXPECT_EQ(mismatch(t::nullable(t::string()), 1), " must be a string or null");
  EXPECT_EQ(mismatch(t::optional(t::integer()), nullptr), "ok");
  EXPECT_EQ(mismatch(t::optional(t::integer()), "1"), " must be an integer");
}

TEST(TypeCheck, NestedValuesNameTheirPath) {
  const Type list = t::array(t::object({t::field("name", t::string()), t::field("tags", t::optional(t::array(t::string())))}));
  EXPECT_EQ(mismatch(list, Value::parse(R"([{"name":"a"},{"name":"b","tags":["x",2]}])")), "[1].tags[1] must be a string");
  EXPECT_EQ(mismatch(list, Value::parse(R"([{"tags":[]}])")), "[0].name is required");
  EXPECT_EQ(mismatch(list, Value::parse(R"({"name":"a"})")), " must be an array");
  EXPECT_EQ(mismatch(t::record(t::integer()), Value::parse(R"({"a":1,"b c":1.5})")), "[\"b c\"] must be an integer");
  EXPECT_EQ(mismatch(kPoint, Value::parse(R"({"x":1,"extra":true})")), "ok") << "unknown fields are allowed";
  // A union of an object and something else: the object's own, deeper message.
  EXPECT_EQ(mismatch(t::nullable(kPoint), Value::parse(R"({"x":"1"})")), ".x must be a number");
  EXPECT_EQ(mismatch(t::nullable(kPoint), "p"), " must be an object or null");
}

TEST(TypeCheck, ArgumentsGetDefaultsAndMessagesNamingTheArgument) {
  auto f = FunctionSpec::declared(
      "get", {param("key", t::string()), param("limit", t::integer(), 10), param("options", t::optional(kPoint))}, t::void_(), "");
  std::vector<Value> values = {"k"};
  checkArguments(f, "kv.get", values, {});
  ASSERT_EQ(values.size(), 2u);
  EXPECT_EQ(values[1], 10) << "an absent argument takes its default";
  auto message = [&](std::vector<Value> v, std::vector<bool> fn = {}) {
    try {
      checkArguments(f, "kv.get", v, fn);
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::INVALID_ARGUMENT);
      return std::string(e.what());
    }
    return std::string("ok");
  };
  EXPECT_EQ(message({1}), "kv.get: argument 1 (key) must be a string");
  EXPECT_EQ(message({}), "kv.get: argument 1 (key) must be a string") << "a missing argument is null";
  EXPECT_EQ(message({"k", 1.5}), "kv.get: argument 2 (limit) must be an integer");
  EXPECT_EQ(message({"k", nullptr, Value::parse(R"({"y":1})")}), "kv.get: argument 3 (options.x) is required");
  EXPECT_EQ(message({nullptr}, {true}), "kv.get: argument 1 (key) must be a string") << "a function is not null";

  auto call = FunctionSpec::declared("call", {param("fn", t::function("() => void")), rest("args", t::number())}, t::void_(), "");
  std::vector<Value> ok = {nullptr, 1, 2};
  EXPECT_NO_THROW(checkArguments(call, "m.call", ok, {true}));
  std::vector<Value> notFn = {nullptr};
  EXPECT_THROW(checkArguments(call, "m.call", notFn, {}), Error);
  std::vector<Value> badRest = {nullptr, 1, "2"};
  try {
    checkArguments(call, "m.call", badRest, {true});
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "m.call: argument 3 (args) must be a number");
  }
}

TEST(TypeCheck, TypesRoundTripThroughJson) {
  const Type type = t::nullable(t::oneOf({kPoint, t::array(t::enumOf({"a", "b"})), t::ts("Date", t::integer()),
                                          t::record(t::optional(t::bytes())), t::function("() => void")}));
  const Value json = type;
  const Type back = json.get<Type>();
  EXPECT_EQ(Value(back), json);
  EXPECT_EQ(out(back), out(type));
  EXPECT_EQ(json["items"][0]["items"][0]["kind"], "named");
  EXPECT_EQ(json["items"][0]["items"][0]["items"][0]["fields"][0]["doc"], "across");
  EXPECT_THROW(Value::parse(R"({"kind": "tuple"})").get<Type>(), std::invalid_argument);
}

// ---- printing ----------------------------------------------------------

TEST(TypeScript, PrintsEveryKind) {
  EXPECT_EQ(in(t::any()), "any");
  EXPECT_EQ(in(t::unknown()), "unknown");
  EXPECT_EQ(out(t::void_()), "void");
  EXPECT_EQ(in(t::null()), "null");
  EXPECT_EQ(in(t::string()), "string");
  EXPECT_EQ(in(t::integer()), "number");
  EXPECT_EQ(in(t::boolean()), "boolean");
  EXPECT_EQ(in(t::bytes()), "ArrayBuffer | ArrayBufferView");
  EXPECT_EQ(out(t::bytes()), "Uint8Array");
  EXPECT_EQ(in(t::function("(x: number) => void")), "(x: number) => void");
  EXPECT_EQ(in(t::literal("it's")), "'it\\'s'");
  EXPECT_EQ(in(t::literal(7)), "7");
  EXPECT_EQ(in(t::array(t::string())), "string[]");
  EXPECT_EQ(in(t::array(t::oneOf({t::string(), t::number()}))), "(string | number)[]");
  EXPECT_EQ(in(t::array(t::bytes())), "(ArrayBuffer | ArrayBufferView)[]");
  EXPECT_EQ(out(t::array(t::bytes())), "Uint8Array[]");
  EXPECT_EQ(in(t::record(t::number())), "Record<string, number>");
  EXPECT_EQ(in(t::object()), "Record<string, unknown>");
  EXPECT_EQ(in(t::object({t::field("a", t::string()), t::field("b", t::optional(t::number()))})), "{ a: string; b?: number }");
  EXPECT_EQ(in(t::enumOf({"a", "b"})), "'a' | 'b'");
  EXPECT_EQ(in(t::oneOf({t::string(), t::function("() => void")})), "string | (() => void)");
  EXPECT_EQ(in(t::optional(t::string())), "string | null | undefined");
  EXPECT_EQ(out(t::optional(t::string())), "string | null");
  EXPECT_EQ(out(t::nullable(kPoint)), "M3MPoint | null");
  EXPECT_EQ(out(t::promise(t::array(t::string()))), "Promise<string[]>");
  EXPECT_EQ(in(t::ts("Map<string, number>")), "Map<string, number>");
}

TEST(TypeScript, PrintsAModuleFromItsDeclaration) {
  auto schema = ModuleBuilder("geo", "Points.\nTwo lines.")
                    .function("move", {param("p", kPoint), param("by", t::number(), 1)}, kPoint, "Moves.",
                              [](CallContext&, const Args&) -> Value { return nullptr; })
                    .function("raw", {param("x", t::unknown())}, t::unknown(), "",
                              [](CallContext&, const Args&) -> Value { return nullptr; })
                    .internal()
                    .scriptFunction("around", {rest("points", kPoint)}, t::array(kPoint), "")
                    .scriptFunction("pick", {param("key", t::string())}, t::unknown(), "")
                    .typescript("pick<K extends keyof M3MPoint>(key: K): M3MPoint[K];")
                    .asyncFunction("later", {}, t::string(), "", [](CallContext&, const Args&) -> AsyncWork { return nullptr; })
                    .property("origin", kPoint, "(0, 0)")
                    .declarations("type M3MGeoHelper<T> = T[];\n")
                    .mergedWith("M3MGeoExtra")
                    .wrapper("(native) => native")
                    .build();
  const auto ts = printModule(schema);
  EXPECT_EQ(ts,
            "type M3MGeoHelper<T> = T[];\n"
            "/** A point. */\n"
            "interface M3MPoint {\n"
            "  /** across */\n"
            "  x: number;\n"
            "  y?: number;\n"
            "}\n"
            "/**\n * Points.\n * Two lines.\n */\n"
            "declare const geo: M3MGeoExtra & {\n"
            "  /** Moves. */\n"
            "  move(p: M3MPoint, by?: number): M3MPoint;\n"
            "  around(...points: M3MPoint[]): M3MPoint[];\n"
            "  pick<K extends keyof M3MPoint>(key: K): M3MPoint[K];\n"
            "  later(): Promise<string>;\n"
            "  /** (0, 0) */\n"
            "  readonly origin: M3MPoint;\n"
            "};\n")
      << "internal functions are left out; a named type is declared once";
}

// ---- the binding -------------------------------------------------------

namespace {
ModuleSchema typedProbe() {
  return ModuleBuilder("typed")
      .function("greet", {param("name", t::string()), param("times", t::integer(), 2)}, t::string(), "",
                [](CallContext&, const Args& a) -> Value {
                  std::string out;
                  for (auto i = a.at(1).get<int>(); i > 0; --i) out += "hi " + a.string(0) + ";";
                  return out;
                })
      .function("algo", {param("name", t::enumOf({"md5", "sha1"}))}, t::string(), "",
                [](CallContext&, const Args& a) -> Value { return a.string(0); })
      .build();
}
}  // namespace

TEST(ModuleBinding, ChecksArgumentsFromTheDeclaration) {
  Harness h(R"(
    service.start(() => router.get('/t', () => {
      const errors = []
      for (const f of [() => typed.greet(5), () => typed.greet('a', 1.5), () => typed.algo('sha3')]) {
        try { f() } catch (e) { errors.push([e.constructor.name, e.code, e.message]) }
      }
      return { greet: typed.greet('ann'), once: typed.greet('bob', 1), errors, frozen: Object.isFrozen(typed) }
    }))
  )",
            Harness::quick(), {typedProbe()});
  ASSERT_TRUE(h.rt->boot().ok);
  ASSERT_TRUE(h.rt->start().ok);
  auto r = h.call("/t");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["greet"], "hi ann;hi ann;") << "the default reached the function";
  EXPECT_EQ(j["once"], "hi bob;");
  EXPECT_EQ(j["errors"], Value::parse(R"([
    ["TypeError", "INVALID_ARGUMENT", "typed.greet: argument 1 (name) must be a string"],
    ["TypeError", "INVALID_ARGUMENT", "typed.greet: argument 2 (times) must be an integer"],
    ["TypeError", "INVALID_ARGUMENT", "typed.algo: argument 1 (name) must be 'md5' or 'sha1'"]])"));
  EXPECT_TRUE(j["frozen"]) << "a module without a wrapper is frozen, as wrapped ones are";
  h.rt->stop();
}

TEST(ModuleBinding, AWrapperMustDefineWhatTheDeclarationPromises) {
  auto broken = ModuleBuilder("broken")
                    .scriptFunction("promised", {}, t::void_(), "")
                    .wrapper("(native) => ({ other: () => 1 })")
                    .build();
  Harness h("service.start(() => {})", Harness::quick(), {broken});
  auto booted = h.rt->boot();
  EXPECT_FALSE(booted.ok);
  EXPECT_NE(booted.error.find("broken: the wrapper does not define the declared function promised"), std::string::npos)
      << booted.error;
  h.rt->stop();
}

TEST(ModuleBinding, EveryBuiltinPrintsOnceWithoutItsInternals) {
  // Every built-in prints; its named types are declared once and each module's global once.
  const auto all = printAll(Harness::builtins());
  for (const char* name : {"logger", "env", "database", "goals", "storage", "utils", "http", "crypto", "encoding", "smtp"})
    EXPECT_NE(all.find(std::string("declare const ") + name + ": "), std::string::npos) << name;
  EXPECT_EQ(all.find("interface M3MFileStat"), all.rfind("interface M3MFileStat"));
  EXPECT_EQ(all.find("requestAsync"), std::string::npos) << "no internal native leaks into the types";
  EXPECT_EQ(all.find("digest("), std::string::npos);
}

// ---- the registry ------------------------------------------------------

TEST(ModuleRegistry, TakesModulesFromOutsideAndKeepsSnapshots) {
  ModuleRegistry registry;
  registry.add(loggerModule());
  auto before = registry.snapshot();
  registry.add(ModuleBuilder("plugin").function("ping", {}, t::string(), "", [](CallContext&, const Args&) -> Value {
    return "pong";
  }).build());
  EXPECT_EQ(before->size(), 1u) << "a run's snapshot does not change under it";
  EXPECT_EQ(registry.names(), (std::vector<std::string>{"logger", "plugin"}));
  auto message = [&](ModuleSchema m) {
    try {
      registry.add(std::move(m));
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("added");
  };
  EXPECT_EQ(message(loggerModule()), "module \"logger\": a module of that name is registered");
  EXPECT_EQ(message(ModuleBuilder("router").build()), "module \"router\": the name is an engine global");
  EXPECT_EQ(message(ModuleBuilder("my-plugin").build()), "module \"my-plugin\": the name must be a JavaScript identifier");
  EXPECT_EQ(message(ModuleBuilder("nowrap").scriptFunction("f", {}, t::void_(), "").build()),
            "module \"nowrap\": f: a script function needs the module's JS wrapper");
  EXPECT_EQ(message(ModuleBuilder("noimpl").function("f", {}, t::void_(), "", nullptr).build()),
            "module \"noimpl\": f: a native function needs an implementation, a script function has none");
  registry.replace(ModuleBuilder("plugin").build());
  EXPECT_TRUE(registry.snapshot()->at(1).functions.empty()) << "replaced in place";
  EXPECT_TRUE(registry.remove("plugin"));
  EXPECT_FALSE(registry.remove("plugin"));
  EXPECT_EQ(registry.names(), (std::vector<std::string>{"logger"}));
}
