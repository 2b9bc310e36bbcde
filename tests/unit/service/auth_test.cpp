#include <gtest/gtest.h>

#include "service/auth/login_limiter.hpp"
#include "service/auth/passwords.hpp"
#include "service/auth/tokens.hpp"

using namespace m3m;
using namespace m3m::service;
using namespace std::chrono_literals;

TEST(Passwords, HashesWithArgon2idAndVerifies) {
  auto h = hashPassword("correct horse");
  EXPECT_EQ(h.rfind("$argon2id$", 0), 0u) << h;
  EXPECT_TRUE(verifyPassword(h, "correct horse"));
  EXPECT_FALSE(verifyPassword(h, "correct horsf"));
  EXPECT_NE(hashPassword("correct horse"), h) << "salted";
  EXPECT_FALSE(verifyPassword("garbage", "x"));
}

TEST(Passwords, ValidatesLength) {
  EXPECT_THROW(validatePassword("short", "password"), Error);
  EXPECT_NO_THROW(validatePassword("eightch!", "password"));
  EXPECT_THROW(validatePassword(std::string(257, 'x'), "password"), Error);
  try {
    validatePassword("x", "new_password");
  } catch (const Error& e) {
    EXPECT_EQ(e.fields().count("new_password"), 1u);
  }
}

TEST(Tokens, IssuesAndVerifies) {
  TokenSigner s("secret-secret-secret-secret-secret", 1h);
  auto t = s.issue("user-1", "session-1", 7);
  auto c = s.verify(t);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->userId, "user-1");
  EXPECT_EQ(c->sessionId, "session-1");
  EXPECT_EQ(c->tokenVersion, 7);
  EXPECT_EQ(s.lifetimeSeconds(), 3600);
}

TEST(Tokens, RejectsAnotherSecret) {
  TokenSigner a("secret-a-secret-a-secret-a-secret-a", 1h), b("secret-b-secret-b-secret-b-secret-b", 1h);
  EXPECT_FALSE(b.verify(a.issue("u", "s", 0)).has_value());
}

TEST(Tokens, RejectsTamperedPayload) {
  TokenSigner s("secret-secret-secret-secret-secret", 1h);
  auto t = s.issue("u", "s", 0);
  auto dot = t.find('.');
  std::string tampered = t;
  tampered[dot + 5] = tampered[dot + 5] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(s.verify(tampered).has_value());
  EXPECT_FALSE(s.verify("").has_value());
  EXPECT_FALSE(s.verify("a.b.c").has_value());
  EXPECT_FALSE(s.verify(std::string(5000, 'a')).has_value());
}

TEST(Tokens, RejectsAlgNone) {
  TokenSigner s("secret-secret-secret-secret-secret", 1h);
  // {"alg":"none","typ":"JWT"} . {"sub":"u","sid":"s","typ":"access","ver":0,"exp":9999999999} .
  std::string none =
      "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0."
      "eyJzdWIiOiJ1Iiwic2lkIjoicyIsInR5cCI6ImFjY2VzcyIsInZlciI6MCwiZXhwIjo5OTk5OTk5OTk5fQ.";
  EXPECT_FALSE(s.verify(none).has_value());
}

TEST(Tokens, RejectsExpired) {
  TokenSigner s("secret-secret-secret-secret-secret", 0ms);
  auto t = s.issue("u", "s", 0);
  EXPECT_FALSE(s.verify(t).has_value());
}

TEST(LoginLimiter, BlocksAfterMaxFailuresWithinTheWindow) {
  LoginLimiter l(3, 60s);
  auto t0 = LoginLimiter::Clock::now();
  for (int i = 0; i < 3; ++i) {
    EXPECT_NO_THROW(l.check("a|1", t0));
    l.recordFailure("a|1", t0);
  }
  try {
    l.check("a|1", t0 + 10s);
    FAIL();
  } catch (const RateLimited& e) {
    EXPECT_EQ(e.code(), ErrorCode::LIMIT_EXCEEDED);
    EXPECT_EQ(e.retryAfterSeconds(), 51);
  }
  EXPECT_NO_THROW(l.check("b|1", t0)) << "other keys are not affected";
  EXPECT_NO_THROW(l.check("a|1", t0 + 61s)) << "the window expires";
}

TEST(LoginLimiter, SuccessResets) {
  LoginLimiter l(2, 60s);
  l.recordFailure("k");
  l.recordFailure("k");
  EXPECT_THROW(l.check("k"), RateLimited);
  l.reset("k");
  EXPECT_NO_THROW(l.check("k"));
}
