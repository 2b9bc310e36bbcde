// Bytes across the module boundary (include/m3m/module.hpp): any ArrayBuffer
// or view becomes a binary Value at any depth of an argument, a binary Value
// comes back as a Uint8Array, and the project's own JSON.stringify is unchanged.
#include <gtest/gtest.h>

#include "lib/hex.hpp"
#include "runtime_harness.hpp"

using namespace m3m;
using namespace m3m::runtime;

namespace {

// The Value as JSON, bytes shown as {"$bytes": [...]}.
Value described(const Value& v) {
  if (v.is_binary()) {
    Value list = Value::array();
    for (auto b : v.get_binary()) list.push_back(b);
    return {{"$bytes", list}};
  }
  if (v.is_array()) {
    Value out = Value::array();
    for (const auto& item : v) out.push_back(described(item));
    return out;
  }
  if (v.is_object()) {
    Value out = Value::object();
    for (const auto& [k, item] : v.items()) out[k] = described(item);
    return out;
  }
  return v;
}

ModuleSchema probe() {
  return ModuleBuilder("probe")
      .function("describe", {param("value", t::unknown())}, t::unknown(), "",
                [](CallContext&, const Args& a) -> Value { return described(a.at(0)); })
      .function("echo", {param("value", t::unknown())}, t::unknown(), "", [](CallContext&, const Args& a) -> Value { return a.at(0); })
      .function("hex", {param("data", t::oneOf({t::string(), t::bytes()}))}, t::string(), "",
                [](CallContext&, const Args& a) -> Value { return lib::hexEncode(a.bytes(0)); })
      .function("bytes", {param("hex", t::string())}, t::bytes(), "",
                [](CallContext&, const Args& a) -> Value { return bytesValue(*lib::hexDecode(a.string(0))); })
      .build();
}

}  // namespace

TEST(BytesBoundary, NestedViewsAndBuffersBecomeBytesAndComeBackAsUint8Arrays) {
  Harness h(R"(
    service.start(() => router.get('/t', () => {
      const buf = new Uint8Array([1, 2, 3, 4, 5, 6]);
      const d = probe.describe({
        u8: new Uint8Array([1, 2, 255]),
        sub: buf.subarray(2, 4),
        i16: new Int16Array([0x0201, -1]),
        dv: new DataView(buf.buffer, 1, 2),
        ab: new Uint8Array([9, 8]).buffer,
        list: [new Uint8Array([7]), 'x', { deep: [new Uint8Array(0)] }],
        text: 'plain', n: 1, nothing: undefined, when: new Date(0),
        lookalike: '\u0001m3m-bytes-0',
      });
      const top = probe.describe(new Float32Array([1]));
      const echoed = probe.echo({ a: { b: new Uint8Array([4, 5]) }, list: [new Uint8Array([6])] });
      // A getter that calls a module while the outer argument is being read.
      const nested = probe.describe({ a: new Uint8Array([1]), get b() { return probe.describe({ c: new Uint8Array([2]) }) } });
      const userJson = JSON.stringify({ u8: new Uint8Array([1, 2]), ab: new ArrayBuffer(2), dv: new DataView(new ArrayBuffer(1)) });
      const own = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), 'toJSON');
      let tooBig;
      const mib = new Uint8Array(1 << 20);
      try { probe.describe([Array(40).fill(mib)]) } catch (e) { tooBig = [e.constructor.name, e.code] }
      let cycle;
      const o = { u: new Uint8Array(1) };
      o.self = o;
      try { probe.describe(o) } catch (e) { cycle = e.constructor.name }
      return {
        d, top, nested, userJson, tooBig, cycle, enumerable: own.enumerable,
        echoed: [echoed.a.b instanceof Uint8Array, Array.from(echoed.a.b), echoed.list[0] instanceof Uint8Array],
        fromHost: probe.bytes('00ff') instanceof Uint8Array && Array.from(probe.bytes('00ff')),
      };
    }))
  )",
            Harness::quick(), {probe()});
  ASSERT_TRUE(h.rt->boot().ok);
  ASSERT_TRUE(h.rt->start().ok);
  auto r = h.call("/t");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = nlohmann::json::parse(r.body);
  auto bytes = [](std::vector<int> v) { return Value{{"$bytes", v}}; };
  const auto& d = j["d"];
  EXPECT_EQ(d["u8"], bytes({1, 2, 255}));
  EXPECT_EQ(d["sub"], bytes({3, 4})) << "a subarray: its own window only";
  EXPECT_EQ(d["i16"], bytes({1, 2, 255, 255})) << "other typed arrays: their raw bytes";
  EXPECT_EQ(d["dv"], bytes({2, 3}));
  EXPECT_EQ(d["ab"], bytes({9, 8}));
  EXPECT_EQ(d["list"], Value::parse(R"([{"$bytes":[7]},"x",{"deep":[{"$bytes":[]}]}])"));
  EXPECT_EQ(d["text"], "plain");
  EXPECT_EQ(d["n"], 1);
  EXPECT_FALSE(d.contains("nothing")) << "the rest is still JSON";
  EXPECT_EQ(d["when"], "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(d["lookalike"], "\u0001m3m-bytes-0") << "a string like the internal marker stays a string";
  EXPECT_EQ(j["top"], bytes({0, 0, 128, 63}));
  EXPECT_EQ(j["nested"], Value::parse(R"({"a":{"$bytes":[1]},"b":{"c":{"$bytes":[2]}}})"));
  EXPECT_EQ(j["echoed"], Value::parse("[true,[4,5],true]"));
  EXPECT_EQ(j["fromHost"], Value::parse("[0,255]"));
  EXPECT_EQ(j["userJson"], R"({"u8":{"0":1,"1":2},"ab":{},"dv":{}})") << "JSON.stringify in the project is unchanged";
  EXPECT_EQ(j["enumerable"], false);
  EXPECT_EQ(j["tooBig"], Value::parse(R"(["RangeError","PAYLOAD_TOO_LARGE"])")) << "40 MiB of bytes past a 32 MB heap";
  EXPECT_EQ(j["cycle"], "TypeError");
  h.rt->stop();
}

TEST(BytesBoundary, ArgsBytesTakesBinaryOrUtf8TextAndNamesTheArgumentOtherwise) {
  Harness h(R"(
    service.start(() => router.get('/t', () => {
      const wrong = [];
      for (const x of [5, null, [1, 2], { a: 1 }]) {
        try { probe.hex(x) } catch (e) { wrong.push([e.constructor.name, e.code, e.message]) }
      }
      return { text: probe.hex('hé'), u16: probe.hex(new Uint16Array([0x0201])), ab: probe.hex(new ArrayBuffer(2)),
               dv: probe.hex(new DataView(new Uint8Array([7, 8, 9]).buffer, 2)), wrong };
    }))
  )",
            Harness::quick(), {probe()});
  ASSERT_TRUE(h.rt->boot().ok);
  ASSERT_TRUE(h.rt->start().ok);
  auto r = h.call("/t");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["text"], "68c3a9");
  EXPECT_EQ(j["u16"], "0102");
  EXPECT_EQ(j["ab"], "0000");
  EXPECT_EQ(j["dv"], "09");
  ASSERT_EQ(j["wrong"].size(), 4u);
  for (const auto& w : j["wrong"]) {
    EXPECT_EQ(w[0], "TypeError");
    EXPECT_EQ(w[1], "INVALID_ARGUMENT");
    EXPECT_EQ(w[2], "probe.hex: argument 1 (data) must be a string, Uint8Array, ArrayBuffer or ArrayBufferView");
  }
  h.rt->stop();
}
