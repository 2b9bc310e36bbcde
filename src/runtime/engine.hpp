// The process-wide V8 platform (the only global the design allows). Created
// once by App before any project runtime, disposed after the last one.
#pragma once

#include <memory>

namespace v8 {
class Platform;
}

namespace m3m::runtime {

class Engine {
 public:
  Engine();
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

 private:
  std::unique_ptr<v8::Platform> platform_;
};

}  // namespace m3m::runtime
