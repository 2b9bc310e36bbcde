// server.uri when not set: the server's own address and bound port.
#include <gtest/gtest.h>

#include "app/app.hpp"

using m3m::app::derivedUri;

TEST(DerivedUri, WildcardHostsBecomeLoopback) {
  EXPECT_EQ(derivedUri("0.0.0.0", 3000), "http://127.0.0.1:3000");
  EXPECT_EQ(derivedUri("::", 8080), "http://127.0.0.1:8080");
}

TEST(DerivedUri, NamedHostsAndIpv6AreKept) {
  EXPECT_EQ(derivedUri("127.0.0.1", 41234), "http://127.0.0.1:41234");
  EXPECT_EQ(derivedUri("localhost", 3000), "http://localhost:3000");
  EXPECT_EQ(derivedUri("::1", 3000), "http://[::1]:3000");
}
