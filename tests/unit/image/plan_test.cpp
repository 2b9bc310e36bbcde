// The `image` module's plans: what the JS wrapper records, checked before any
// work (runtime/image/plan.hpp). Pure parsing, no libvips.
#include <gtest/gtest.h>

#include "runtime/image/plan.hpp"

using namespace m3m;
using namespace m3m::image;

namespace {

Value bytes(std::initializer_list<std::uint8_t> b) { return Value::binary(Value::binary_t::container_type(b)); }

Value spec(Value ops, Value output = Value::object()) {
  return {{"where", "image.test"}, {"source", "a.png"}, {"ops", std::move(ops)}, {"output", std::move(output)}};
}

std::string errorOf(const Value& s) {
  try {
    parsePlan(s);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::INVALID_ARGUMENT) << e.what();
    return e.what();
  }
  return "";
}

}  // namespace

TEST(ImagePlan, ParsesEveryOperation) {
  auto plan = parsePlan(spec(Value::array({
      {{"op", "resize"}, {"width", 100}, {"height", nullptr}, {"fit", "contain"}, {"background", "#ff000080"}},
      {{"op", "crop"}, {"x", 1}, {"y", 2}, {"width", 3}, {"height", 4}},
      {{"op", "rotate"}, {"degrees", -90}},
      {{"op", "thumbnail"}, {"size", 64}},
      {{"op", "composite"}, {"overlay", bytes({1, 2})}, {"x", -5}, {"opacity", 0.25}},
  })));
  EXPECT_EQ(plan.where, "image.test");
  EXPECT_EQ(plan.source.path, "a.png");
  ASSERT_EQ(plan.ops.size(), 5u);
  EXPECT_EQ(plan.ops[0].width, 100);
  EXPECT_EQ(plan.ops[0].height, 0);
  EXPECT_EQ(plan.ops[0].fit, Fit::Contain);
  EXPECT_EQ(*plan.ops[0].background, (Colour{255, 0, 0, 128}));
  EXPECT_EQ(plan.ops[1].x, 1);
  EXPECT_EQ(plan.ops[1].height, 4);
  EXPECT_EQ(plan.ops[2].degrees, 270);  // -90 is 270 clockwise
  EXPECT_EQ(plan.ops[3].size, 64);
  EXPECT_EQ(plan.ops[4].overlay.bytes, std::string("\x01\x02"));
  EXPECT_EQ(plan.ops[4].x, -5);
  EXPECT_DOUBLE_EQ(plan.ops[4].opacity, 0.25);
  EXPECT_EQ(plan.output.kind, Output::Kind::Bytes);
}

TEST(ImagePlan, BytesSourceAndOutputs) {
  Value s = {{"where", "image.convert"}, {"source", bytes({9})}, {"output", {{"format", "JPG"}, {"quality", 70}}}};
  auto plan = parsePlan(s);
  EXPECT_EQ(plan.source.bytes, "\x09");
  EXPECT_TRUE(plan.source.path.empty());
  EXPECT_EQ(*plan.output.format, Format::Jpeg);
  EXPECT_EQ(plan.output.quality, 70);

  auto file = parsePlan(spec(Value::array(), {{"to", "out/x.webp"}}));
  EXPECT_EQ(file.output.kind, Output::Kind::File);
  EXPECT_EQ(outputFormat(file, "png"), Format::Webp);  // the extension decides
  auto same = parsePlan(spec(Value::array()));
  EXPECT_EQ(outputFormat(same, "gif"), Format::Gif);    // else the input's format
  EXPECT_EQ(outputFormat(same, "tiff"), Format::Png);   // or PNG when it cannot be written
  auto noExt = parsePlan(spec(Value::array(), {{"to", "out/x"}}));
  EXPECT_EQ(outputFormat(noExt, "jpeg"), Format::Jpeg);
  EXPECT_EQ(parsePlan(spec(Value::array(), {{"kind", "info"}})).output.kind, Output::Kind::Info);
}

TEST(ImagePlan, RefusesWhatIsWrongNamingIt) {
  auto resize = [](Value fields) {
    fields["op"] = "resize";
    return spec(Value::array({fields}));
  };
  EXPECT_EQ(errorOf(resize({{"width", nullptr}, {"height", nullptr}})), "image.test: width and height cannot both be null");
  EXPECT_EQ(errorOf(resize({{"width", 0}})), "image.test: width must be a whole number from 1 to 100000");
  EXPECT_EQ(errorOf(resize({{"width", 1.5}})), "image.test: width must be a whole number from 1 to 100000");
  EXPECT_EQ(errorOf(resize({{"width", "10"}})), "image.test: width must be a number");
  EXPECT_EQ(errorOf(resize({{"width", 10}, {"fit", "stretch"}})),
            "image.test: fit must be 'cover', 'contain', 'fill' or 'inside'");
  EXPECT_NE(errorOf(resize({{"width", 10}, {"background", "red"}})).find("background must be a colour"), std::string::npos);
  EXPECT_EQ(errorOf(spec(Value::array({{{"op", "blur"}}}))), "image.test: unknown operation \"blur\"");
  EXPECT_EQ(errorOf(spec(Value::array(), {{"format", "bmp"}})),
            "image.test: format must be 'png', 'jpeg', 'webp', 'gif' or 'avif'");
  EXPECT_EQ(errorOf(spec(Value::array(), {{"quality", 101}})), "image.test: quality must be a whole number from 1 to 100");
  EXPECT_NE(errorOf(spec(Value::array(), {{"to", "a/b.bmp"}})).find("cannot tell the format from \"a/b.bmp\""),
            std::string::npos);
  EXPECT_EQ(errorOf({{"where", "image.info"}, {"source", 42}}),
            "image.info: the source must be a path in the project's storage or bytes (Uint8Array, ArrayBuffer)");
  EXPECT_EQ(errorOf({{"where", "image.info"}, {"source", bytes({})}}), "image.info: the source is empty (0 bytes)");
  EXPECT_EQ(errorOf(spec(Value::array({{{"op", "composite"}, {"overlay", bytes({1})}, {"opacity", 2}}}))),
            "image.test: opacity must be from 0 to 1");
}

TEST(ImagePlan, Colours) {
  EXPECT_EQ(parseColour("#fff", "c"), (Colour{255, 255, 255, 255}));
  EXPECT_EQ(parseColour("#0f08", "c"), (Colour{0, 255, 0, 136}));
  EXPECT_EQ(parseColour("#102030", "c"), (Colour{16, 32, 48, 255}));
  EXPECT_EQ(parseColour(Value::array({1, 2, 3, 4}), "c"), (Colour{1, 2, 3, 4}));
  EXPECT_THROW(parseColour("#12345", "c"), Error);
  EXPECT_THROW(parseColour("#ggg", "c"), Error);
  EXPECT_THROW(parseColour(Value::array({1, 2, 300}), "c"), Error);
}

TEST(ImagePlan, FormatsByNameAndPath) {
  EXPECT_EQ(*formatOfPath("a/b.JPEG"), Format::Jpeg);
  EXPECT_EQ(*formatOfPath("b.avif"), Format::Avif);
  EXPECT_FALSE(formatOfPath("a.b/c"));
  EXPECT_FALSE(formatOfPath("x.tiff"));
  EXPECT_EQ(formatName(Format::Webp), "webp");
}
