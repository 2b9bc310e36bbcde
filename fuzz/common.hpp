// Shared by the fuzz targets: the oracle "only m3m::Error may escape" — any
// other exception would reach the client as 500 INTERNAL, so it is a finding.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <m3m/error.hpp>

namespace m3m::fuzz {

[[noreturn]] inline void fail(const char* what) {
  std::fprintf(stderr, "fuzz oracle failed: %s\n", what);
  std::abort();
}

// Runs fn; m3m::Error is an expected refusal, anything else aborts (a crash for libFuzzer).
template <class Fn>
void expectOnlyErrors(Fn&& fn) {
  try {
    fn();
  } catch (const m3m::Error&) {
  } catch (const std::exception& e) {
    fail(e.what());
  }
}

}  // namespace m3m::fuzz
