// The multipart/form-data encoder of `http` ({multipart: [...]}, fetch's
// FormData): round trips through the server's own parser (lib/multipart),
// quoting per RFC 7578 / HTML, refusals, and parts read from Values and storage.
#include "runtime/http/multipart.hpp"

#include <gtest/gtest.h>

#include <map>

#include "lib/multipart.hpp"

using namespace m3m;
using namespace m3m::runtime;
using m3m::runtime::http::encodeMultipart;
using m3m::runtime::http::FormPart;

namespace {

std::vector<lib::MultipartPart> parse(const http::MultipartBody& m) {
  auto boundary = lib::multipartBoundary(m.contentType);
  EXPECT_TRUE(boundary.has_value()) << m.contentType;
  auto parts = lib::parseMultipart(m.body, boundary.value_or(""));
  EXPECT_TRUE(parts.has_value()) << m.body;
  return parts.value_or(std::vector<lib::MultipartPart>{});
}

ErrorCode codeOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::INTERNAL;
}

class FakeStorage : public StorageBackend {
 public:
  std::map<std::string, std::string> files;
  std::string read(const std::string& projectId, const std::string& path) override {
    if (projectId != "p1") throw Error(ErrorCode::PERMISSION_DENIED, "another project");
    if (path.find("..") != std::string::npos) throw Error(ErrorCode::INVALID_ARGUMENT, "path leaves the storage");
    auto it = files.find(path);
    if (it == files.end()) throw Error(ErrorCode::NOT_FOUND, "no such file");
    return it->second;
  }
  void write(const std::string&, const std::string&, const std::string&) override {}
  bool exists(const std::string&, const std::string& path) override { return files.count(path) > 0; }
  void remove(const std::string&, const std::string&) override {}
  Value list(const std::string&, const std::string&) override { return Value::array(); }
  void mkdir(const std::string&, const std::string&) override {}
  Value stat(const std::string&, const std::string&) override { return nullptr; }
};

const std::vector<Param> kParams = {param("parts", t::unknown()), rest("bytes", t::bytes())};

}  // namespace

TEST(MultipartBody, FieldsAndFilesRoundTrip) {
  const std::string binary("\x89PNG\r\n\x1a\n\0\xff--x\r\n", 14);
  auto m = encodeMultipart({{"title", std::nullopt, "", "Привет"},
                            {"avatar", "me.png", "", binary},
                            {"doc", "notes.bin", "application/x-custom", "abc"},
                            {"raw", std::nullopt, "text/csv", "a,b"}});
  EXPECT_EQ(m.contentType.rfind("multipart/form-data; boundary=m3m-form-", 0), 0u) << m.contentType;
  auto parts = parse(m);
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_EQ(parts[0].name, "title");
  EXPECT_EQ(parts[0].data, "Привет");
  EXPECT_EQ(parts[0].filename, "");
  EXPECT_EQ(parts[0].contentType, "") << "a plain field has no Content-Type";
  EXPECT_EQ(parts[1].filename, "me.png");
  EXPECT_EQ(parts[1].contentType, "image/png") << "from the extension";
  EXPECT_EQ(parts[1].data, binary);
  EXPECT_EQ(parts[2].contentType, "application/x-custom");
  EXPECT_EQ(parts[3].contentType, "text/csv");
  EXPECT_NE(m.body.find("\r\n--" + m.contentType.substr(m.contentType.find('=') + 1) + "--\r\n"), std::string::npos);
}

TEST(MultipartBody, ExactBytesForAFixedBoundary) {
  auto m = encodeMultipart({{"a", std::nullopt, "", "1"}, {"f", "x.dat", "", "B"}}, "BND");
  EXPECT_EQ(m.contentType, "multipart/form-data; boundary=BND");
  EXPECT_EQ(m.body,
            "--BND\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
            "--BND\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.dat\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\nB\r\n"
            "--BND--\r\n");
  EXPECT_EQ(encodeMultipart({}, "BND").body, "--BND--\r\n");
}

TEST(MultipartBody, QuotesNamesAndKeepsUtf8Filenames) {
  auto m = encodeMultipart({{"say \"hi\"", "отчёт \"2026\".pdf", "", "%"}}, "B");
  EXPECT_NE(m.body.find("name=\"say %22hi%22\"; filename=\"отчёт %222026%22.pdf\""), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("Content-Type: application/pdf"), std::string::npos);
}

TEST(MultipartBody, RefusesLineBreaksInHeaders) {
  EXPECT_EQ(codeOf([] { encodeMultipart({{"a\r\nX-Evil: 1", std::nullopt, "", "v"}}); }), ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(codeOf([] { encodeMultipart({{"a", "f\n.txt", "", "v"}}); }), ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(codeOf([] { encodeMultipart({{"a", std::string("f\0.txt", 6), "", "v"}}); }), ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(codeOf([] { encodeMultipart({{"a", "f.txt", "text/plain\r\nX: 1", "v"}}); }), ErrorCode::INVALID_ARGUMENT);
  // Line breaks in the data are data.
  EXPECT_EQ(parse(encodeMultipart({{"a", std::nullopt, "", "x\r\ny\r\n"}}))[0].data, "x\r\ny\r\n");
}

TEST(MultipartBody, BoundaryNeverInTheData) {
  for (int i = 0; i < 20; ++i) {
    auto b = http::randomBoundary();
    EXPECT_EQ(b.size(), 9u + 32u);
    EXPECT_NE(b, http::randomBoundary());
  }
  EXPECT_EQ(codeOf([] { encodeMultipart({{"a", std::nullopt, "", "xx--BNDxx"}}, "BND"); }), ErrorCode::INVALID_ARGUMENT);
}

TEST(MultipartBody, TooLarge) {
  std::vector<FormPart> parts{{"a", "big.bin", "", std::string(http::kMaxMultipartBytes, 'x')}};
  EXPECT_EQ(codeOf([&] { encodeMultipart(parts); }), ErrorCode::PAYLOAD_TOO_LARGE);
  std::vector<FormPart> many(http::kMaxMultipartParts + 1, FormPart{"a", std::nullopt, "", ""});
  EXPECT_EQ(codeOf([&] { encodeMultipart(many); }), ErrorCode::INVALID_ARGUMENT);
}

TEST(MultipartBody, ReadsPartsFromValuesBytesAndStorage) {
  FakeStorage storage;
  storage.files["docs/report.pdf"] = std::string("%PDF\0\x01", 6);
  Value parts = Value::array({
      {{"name", "a"}, {"value", "1"}},
      {{"name", "t"}, {"filename", "t.txt"}, {"content", "text"}},
      {{"name", "b"}, {"filename", "b.bin"}, {"content", {{"bytes", 0}}}, {"contentType", "image/x-b"}},
      {{"name", "s"}, {"path", "docs/report.pdf"}},
      {{"name", "s2"}, {"path", "docs/report.pdf"}, {"filename", "renamed.pdf"}},
  });
  std::vector<Value> values{parts, Value::binary({0, 1, 2, 255})};
  Args args("http.multipart", kParams, values);
  auto read = http::readFormParts(args, &storage, "p1");
  ASSERT_EQ(read.size(), 5u);
  EXPECT_EQ(read[0].data, "1");
  EXPECT_FALSE(read[0].filename.has_value());
  EXPECT_EQ(read[1].filename, "t.txt");
  EXPECT_EQ(read[2].data, std::string("\0\x01\x02\xff", 4));
  EXPECT_EQ(read[2].contentType, "image/x-b");
  EXPECT_EQ(read[3].filename, "report.pdf") << "the path's last segment";
  EXPECT_EQ(read[3].data, std::string("%PDF\0\x01", 6));
  EXPECT_EQ(read[4].filename, "renamed.pdf");
}

TEST(MultipartBody, RefusesBadPartsNamingThem) {
  FakeStorage storage;
  auto fails = [&](Value parts, ErrorCode code, const std::string& mention) {
    std::vector<Value> values{std::move(parts)};
    Args args("http.multipart", kParams, values);
    try {
      http::readFormParts(args, &storage, "p1");
      ADD_FAILURE() << "accepted: " << values[0].dump();
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), code) << e.what();
      EXPECT_NE(std::string(e.what()).find(mention), std::string::npos) << e.what();
    }
  };
  fails(Value("x"), ErrorCode::INVALID_ARGUMENT, "multipart must be an array");
  fails(Value::array({1}), ErrorCode::INVALID_ARGUMENT, "multipart[0]");
  fails(Value::array({{{"value", "1"}}}), ErrorCode::INVALID_ARGUMENT, "multipart[0].name");
  fails(Value::array({{{"name", "a"}}}), ErrorCode::INVALID_ARGUMENT, "exactly one of value, content or path");
  fails(Value::array({{{"name", "a"}, {"value", "1"}, {"path", "x"}}}), ErrorCode::INVALID_ARGUMENT, "exactly one");
  fails(Value::array({{{"name", "a"}, {"value", 1}}}), ErrorCode::INVALID_ARGUMENT, "multipart[0].value must be a string");
  fails(Value::array({{{"name", "a"}, {"value", "1"}, {"filename", "f"}}}), ErrorCode::INVALID_ARGUMENT, "filename");
  fails(Value::array({{{"name", "a"}, {"content", {{"bytes", 3}}}}}), ErrorCode::INVALID_ARGUMENT, ".content");
  fails(Value::array({{{"name", "a"}, {"content", 5}}}), ErrorCode::INVALID_ARGUMENT, ".content");
  fails(Value::array({{{"name", "a"}, {"path", "missing.txt"}}}), ErrorCode::NOT_FOUND, "multipart[0].path (missing.txt)");
  fails(Value::array({{{"name", "a"}, {"path", "../etc/passwd"}}}), ErrorCode::INVALID_ARGUMENT, "multipart[0].path");
  fails(Value::array({{{"name", "a"}, {"path", ""}}}), ErrorCode::INVALID_ARGUMENT, "multipart[0].path");
}
