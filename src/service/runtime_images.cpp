#include "service/runtime_images.hpp"

#include <memory>

#include "lib/units.hpp"
#include "service/images_log.hpp"

namespace m3m::service {

namespace {

// A pipeline's view of its ImageWorkers job.
class JobTask final : public image::Task {
 public:
  explicit JobTask(ImageJob& job) : job_(job) {}
  bool cancelled() const override { return job_.cancelled(); }
  void setCanceller(std::function<void()> kill) override { job_.setCanceller(std::move(kill)); }
  void clearCanceller() override { job_.clearCanceller(); }
  bool claim() override { return job_.claim(); }

 private:
  ImageJob& job_;
};

}  // namespace

RuntimeImages::RuntimeImages(int threads, std::chrono::milliseconds timeout)
    : workers_(
          ImageWorkers::Options{
              threads,
              // Projects queue many at once (Promise.all of thumbnails): a deeper queue than the
              // file manager's. A waiting job holds its input bytes, or only a path.
              32 * threads,
              timeout,
              "image: the operation took longer than " + lib::formatDuration(timeout) +
                  " (runtime.image.timeout) and was stopped",
              std::chrono::milliseconds(1'000),
          },
          [] { flushVipsLog(); }) {}

void RuntimeImages::submit(Work work, Done done) {
  // ImageWorkers carries strings; the Value travels beside it.
  auto result = std::make_shared<Value>();
  workers_.submit(
      [work = std::move(work), result](ImageJob& job) -> std::string {
        JobTask task(job);
        *result = work(task);
        return {};
      },
      [result, done = std::move(done)](std::exception_ptr e, std::string) { done(e, e ? Value() : std::move(*result)); });
}

}  // namespace m3m::service
