// utils: the helpers of the seeds' runtime API (docs/runtime.md, "utils").
// utils.sleep is a waiting call; random numbers come from OpenSSL's CSPRNG,
// slugify/truncate/capitalize from ICU (runtime/utils/text.cpp), dates from
// Abseil's time zones (runtime/utils/dates.cpp). regexMatch/regexReplace and
// timestamp live in the JS wrapper: JavaScript's own RegExp is exactly the
// semantics wanted, and it runs under the CPU watchdog.
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <string>

#include <m3m/error.hpp>

#include "lib/random.hpp"
#include "lib/units.hpp"
#include "runtime/modules/builtin_modules.hpp"
#include "runtime/utils/dates.hpp"
#include "runtime/utils/ids.hpp"
#include "runtime/utils/text.hpp"

namespace m3m::runtime {
namespace {

constexpr const char* kWrapper = R"js((native) => {
  'use strict';
  const fail = (fn, i, name, what) => {
    const e = new TypeError('utils.' + fn + ': argument ' + i + ' (' + name + ') ' + what);
    e.code = 'INVALID_ARGUMENT';
    e.fields = {};
    throw e;
  };
  const opt = (v) => (v === undefined ? null : v);
  // A date argument: Date → ms, number → ms (truncated like new Date(n)), ISO string as is.
  const dateArg = (fn, v) => {
    if (v instanceof Date) {
      const t = v.getTime();
      if (Number.isNaN(t)) fail(fn, 1, 'date', 'is an invalid Date');
      return t;
    }
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) fail(fn, 1, 'date', 'must be a finite number of milliseconds');
      return Math.trunc(v);
    }
    if (typeof v === 'string') return v;
    fail(fn, 1, 'date', 'must be a Date, a number of milliseconds or an ISO 8601 string');
  };
  // A fresh RegExp (never the caller's: no shared lastIndex).
  const regex = (fn, pattern, flags, defaultFlags) => {
    if (flags !== undefined && flags !== null && typeof flags !== 'string') fail(fn, fn === 'regexMatch' ? 3 : 4, 'flags', 'must be a string');
    const f = flags === undefined || flags === null ? undefined : flags;
    try {
      if (pattern instanceof RegExp) return new RegExp(pattern, f === undefined ? pattern.flags : f);
      if (typeof pattern === 'string') return new RegExp(pattern, f === undefined ? defaultFlags : f);
    } catch (e) {
      if (/flags/i.test(String(e && e.message))) fail(fn, fn === 'regexMatch' ? 3 : 4, 'flags', 'are not valid RegExp flags: ' + e.message);
      fail(fn, 2, 'pattern', 'is not a valid regular expression: ' + (e && e.message));
    }
    fail(fn, 2, 'pattern', 'must be a string or a RegExp');
  };
  const text = (fn, v) => {
    if (typeof v !== 'string') fail(fn, 1, 'text', 'must be a string');
    return v;
  };
  function regexMatch(t, pattern, flags) {
    text('regexMatch', t);
    const re = regex('regexMatch', pattern, flags, '');
    if (re.global) {
      const all = t.match(re);
      return all ? Array.from(all) : [];
    }
    const m = re.exec(t);
    return m === null ? [] : m;
  }
  function regexReplace(t, pattern, replacement, flags) {
    text('regexReplace', t);
    if (typeof replacement !== 'string' && typeof replacement !== 'function')
      fail('regexReplace', 3, 'replacement', 'must be a string or a function');
    return t.replace(regex('regexReplace', pattern, flags, 'g'), replacement);
  }
  function uuid(options) {
    if (options === undefined || options === null) return native.uuid(4);
    if (typeof options !== 'object') fail('uuid', 1, 'options', 'must be an object such as {version: 7}');
    return native.uuid(options.version === undefined ? 4 : options.version);
  }
  return Object.freeze({
    sleep: (ms) => native.sleep(ms),
    random: () => native.random(),
    randomInt: (min, max) => native.randomInt(min, max),
    uuid,
    slugify: (t) => native.slugify(t),
    truncate: (t, length, suffix) => native.truncate(t, length, opt(suffix)),
    capitalize: (t) => native.capitalize(t),
    regexMatch,
    regexReplace,
    formatDate: (date, format, timezone) => native.formatDate(dateArg('formatDate', date), opt(format), opt(timezone)),
    parseDate: (t, format, timezone) => new Date(native.parseDate(t, opt(format), opt(timezone))),
    timestamp: () => Date.now(),
  });
})js";

// An Array with extra members (what RegExp.prototype.exec returns): an
// interface that extends Array, which the type descriptors cannot say.
constexpr const char* kDeclarations = R"ts(/** A match: the whole match, then the capture groups (undefined where a group did not take part);
 * without the g flag also `index`, `input` and `groups` (named groups), as RegExp.prototype.exec. Empty when nothing matches. */
interface M3MRegexMatch extends Array<string> {
  index?: number;
  input?: string;
  groups?: { [name: string]: string };
}
)ts";

// A library error (INVALID_ARGUMENT without a position) as this call's argument error.
template <class F>
auto argument(const Args& args, size_t i, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const Error& e) {
    if (e.code() != ErrorCode::INVALID_ARGUMENT) throw;
    args.fail(i, e.what());
  }
}

constexpr double kMaxSafe = 9007199254740991.0;

std::int64_t safeInteger(const Args& args, size_t i) {
  const double d = args.number(i);
  if (!std::isfinite(d) || std::trunc(d) != d || std::fabs(d) > kMaxSafe)
    args.fail(i, "must be a safe integer (|n| <= 2^53 - 1)");
  return static_cast<std::int64_t>(d);
}

}  // namespace

ModuleSchema utilsModule(UtilsSettings settings) {
  const auto maxWait = settings.maxWait;
  const Type uuidOptions =
      t::named("M3MUuidOptions",
               t::object({t::field("version", t::optional(t::oneOf({t::literal(4), t::literal(7)})),
                                   "4: random (default); 7: time-ordered (RFC 9562: Unix milliseconds first, "
                                   "increasing within a process).")}));
  const Type optionalText = t::optional(t::nullable(t::string()));
  ModuleBuilder b("utils", "Helpers. Wrong argument types throw a TypeError with code 'INVALID_ARGUMENT'.");
  // The wrapper's own functions (JavaScript's RegExp and Date are the semantics wanted).
  b.scriptFunction("uuid", {param("options", t::optional(uuidOptions))}, t::string(),
                   "A UUID string in lower case: v4 (random) by default, or v7 (time-ordered) with {version: 7}.\n"
                   "@example utils.uuid() // '9b2e…-4…'; utils.uuid({version: 7}) // '0190…-7…'");
  b.scriptFunction("regexMatch",
                   {param("text", t::string()), param("pattern", t::oneOf({t::string(), t::ts("RegExp")})),
                    param("flags", t::optional(t::string()))},
                   t::ts("M3MRegexMatch"),
                   "JavaScript RegExp matching. Without g: the match and its groups (named ones in .groups); with g: every match.\n"
                   "@example utils.regexMatch('v1.25', '(?<major>\\\\d+)\\\\.(?<minor>\\\\d+)').groups?.minor // '25'");
  b.scriptFunction("regexReplace",
                   {param("text", t::string()), param("pattern", t::oneOf({t::string(), t::ts("RegExp")})),
                    param("replacement", t::oneOf({t::string(), t::function("(match: string, ...rest: any[]) => string")})),
                    param("flags", t::optional(t::string()))},
                   t::string(),
                   "JavaScript String.prototype.replace ($1, $<name>, $& or a function). A string pattern without flags replaces every match (flags 'g'); a RegExp keeps its own flags unless `flags` is given.\n"
                   "@example utils.regexReplace('a-b-c', '-', '+') // 'a+b+c'");
  b.scriptFunction("formatDate",
                   {param("date", t::oneOf({t::ts("Date"), t::number(), t::string()})), param("format", optionalText),
                    param("timezone", optionalText)},
                   t::string(),
                   "Formats a date with tokens (YYYY MM DD HH mm ss SSS Z …; docs/runtime.md) in a time zone (IANA name, '+03:00' or 'UTC', the default). Default format: ISO 8601 with offset.\n"
                   "@example utils.formatDate(new Date(0), 'YYYY-MM-DD HH:mm', 'Europe/Moscow') // '1970-01-01 03:00'");
  b.scriptFunction("parseDate", {param("text", t::string()), param("format", optionalText), param("timezone", optionalText)},
                   t::ts("Date"),
                   "Parses text laid out as `format` (the same tokens; default ISO 8601); wall-clock times are read in `timezone` (default UTC). Throws INVALID_ARGUMENT when the text does not match.\n"
                   "@example utils.parseDate('24.12.2026 18:30', 'DD.MM.YYYY HH:mm', 'Europe/Berlin')");
  b.scriptFunction("timestamp", {}, t::integer(),
                   "Milliseconds since the Unix epoch (an integer), as Date.now().\n@example const t = utils.timestamp()");
  // Natives: public ones (the wrapper passes them on) and the wrapper's own.
  return b
      .function("sleep", {param("ms", t::number())}, t::void_(),
                "Waits `ms` milliseconds (0 up to runtime.max_wait, default 10 minutes). A waiting call: while it "
                "waits, other tasks of the project (route calls, timers, delayed tasks, schedule jobs) run.\n"
                "@example utils.sleep(1000)",
                [maxWait](CallContext& ctx, const Args& args) -> Value {
                  const double ms = args.number(0);
                  if (!std::isfinite(ms) || ms < 0 || ms > static_cast<double>(maxWait.count()))
                    args.fail(0, "must be a number of milliseconds from 0 to " + std::to_string(maxWait.count()) +
                                     " (runtime.max_wait = " + lib::formatDuration(maxWait) + ")");
                  const auto wait = std::chrono::microseconds(static_cast<long long>(ms * 1000));
                  ctx.blocking([wait](std::stop_token stop) {
                    std::mutex m;
                    std::condition_variable_any cv;
                    std::unique_lock lock(m);
                    cv.wait_for(lock, stop, wait, [] { return false; });
                  });
                  return nullptr;
                })
      .function("random", {}, t::number(),
                "A float in [0, 1) from a cryptographically secure generator (53 random bits).\n@example const p = utils.random()",
                [](CallContext&, const Args&) -> Value { return utils::randomUnit(); })
      .function("randomInt", {param("min", t::number()), param("max", t::number())}, t::integer(),
                "An integer in [min, max], both included, uniform (no modulo bias; CSPRNG). min and max are safe integers, min <= max.\n"
                "@example utils.randomInt(1, 6) // a die",
                [](CallContext&, const Args& args) -> Value {
                  const auto min = safeInteger(args, 0);
                  const auto max = safeInteger(args, 1);
                  if (min > max) args.fail(1, "must be >= min (" + std::to_string(min) + ")");
                  return utils::randomInclusive(min, max);
                })
      .function("uuid", {param("options.version", t::unknown())}, t::string(), "",
                [](CallContext&, const Args& args) -> Value {
                  const auto& v = args.at(0);
                  if (v.is_number() && v.get<double>() == 4) return lib::uuid4();
                  if (v.is_number() && v.get<double>() == 7) return utils::uuid7();
                  args.fail(0, "must be 4 or 7, got " + v.dump());
                })
      .internal()
      .function("slugify", {param("text", t::string())}, t::string(),
                "A URL slug: letters and digits of any script transliterated to ASCII (ICU), lower case, runs joined by '-'.\n"
                "@example utils.slugify('Привет, мир!') // 'privet-mir'",
                [](CallContext&, const Args& args) -> Value {
                  const auto text = args.string(0);
                  return argument(args, 0, [&] { return utils::slugify(text); });
                })
      .function("truncate", {param("text", t::string()), param("length", t::number()), param("suffix", t::string(), "...")},
                t::string(),
                "At most `length` characters (code points), ending in `suffix` (default '...') when cut.\n"
                "@example utils.truncate('Hello, world', 8) // 'Hello...'",
                [](CallContext&, const Args& args) -> Value {
                  const auto text = args.string(0);
                  const auto length = safeInteger(args, 1);
                  if (length < 0) args.fail(1, "must be >= 0");
                  const auto suffix = args.string(2);
                  return argument(args, 0, [&] { return utils::truncate(text, static_cast<size_t>(length), suffix); });
                })
      .function("capitalize", {param("text", t::string())}, t::string(),
                "The first character in upper (title) case; the rest unchanged.\n@example utils.capitalize('élan') // 'Élan'",
                [](CallContext&, const Args& args) -> Value {
                  const auto text = args.string(0);
                  return argument(args, 0, [&] { return utils::capitalize(text); });
                })
      .function("formatDate",
                {param("date", t::oneOf({t::number(), t::string()})), param("format", t::optional(t::string())),
                 param("timezone", t::optional(t::string()))},
                t::string(), "",
                [](CallContext&, const Args& args) -> Value {
                  const auto format = args.optionalString(1).value_or(std::string(utils::kIsoFormat));
                  const auto zone = args.optionalString(2).value_or("");
                  argument(args, 1, [&] { utils::checkFormat(format, false); });
                  argument(args, 2, [&] { utils::checkZone(zone); });
                  std::int64_t ms = 0;
                  if (args.at(0).is_string()) {
                    const auto text = args.string(0);
                    ms = argument(args, 0, [&] { return utils::parseIsoDate(text, zone); });
                  } else {
                    ms = safeInteger(args, 0);
                    if (ms < -utils::kMaxDateMs || ms > utils::kMaxDateMs)
                      args.fail(0, "is outside the range of a JavaScript Date (±8.64e15 ms)");
                  }
                  return argument(args, 1, [&] { return utils::formatDate(ms, format, zone); });
                })
      .internal()
      .function("parseDate",
                {param("text", t::string()), param("format", t::optional(t::string())), param("timezone", t::optional(t::string()))},
                t::number(), "",
                [](CallContext&, const Args& args) -> Value {
                  const auto text = args.string(0);
                  const auto format = args.optionalString(1);
                  const auto zone = args.optionalString(2).value_or("");
                  if (format) argument(args, 1, [&] { utils::checkFormat(*format, true); });
                  argument(args, 2, [&] { utils::checkZone(zone); });
                  if (!format) return argument(args, 0, [&] { return utils::parseIsoDate(text, zone); });
                  return argument(args, 0, [&] { return utils::parseDate(text, *format, zone); });
                })
      .internal()
      .declarations(kDeclarations)
      .wrapper(kWrapper)
      .build();
}

}  // namespace m3m::runtime
