// Node-to-node forwarding: which advertise URLs the proxy client can reach.
#include <gtest/gtest.h>

#include "http/proxy/client.hpp"

using m3m::http::proxy::parseOrigin;

TEST(ProxyOrigin, HostAndPort) {
  auto o = parseOrigin("http://127.0.0.1:3000");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->host, "127.0.0.1");
  EXPECT_EQ(o->port, "3000");
  EXPECT_EQ(o->key(), "127.0.0.1:3000");
}

TEST(ProxyOrigin, DefaultPortPathAndCase) {
  auto o = parseOrigin("HTTP://node-a.internal/m3m?x=1");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->host, "node-a.internal");
  EXPECT_EQ(o->port, "80");
}

TEST(ProxyOrigin, Ipv6InBrackets) {
  auto o = parseOrigin("http://[fd00::7]:8080/");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->host, "fd00::7");
  EXPECT_EQ(o->port, "8080");
  EXPECT_FALSE(parseOrigin("http://[fd00::7"));
  EXPECT_FALSE(parseOrigin("http://[fd00::7]x"));
}

TEST(ProxyOrigin, RefusesWhatItCannotReach) {
  EXPECT_FALSE(parseOrigin("https://node-a:3000"));  // no TLS between nodes
  EXPECT_FALSE(parseOrigin("http://"));
  EXPECT_FALSE(parseOrigin("http://:3000"));
  EXPECT_FALSE(parseOrigin("http://user@node-a:3000"));
  EXPECT_FALSE(parseOrigin("http://node-a:30a0"));
  EXPECT_FALSE(parseOrigin("http://node-a:123456"));
  EXPECT_FALSE(parseOrigin("node-a:3000"));
}
