#include "runtime/modules/image/job.hpp"

namespace m3m::runtime::imaging {

namespace {

// Storage's own errors (a missing file, "..") named after the public function.
template <typename Fn>
auto inStorage(const image::Plan& plan, Fn&& fn) {
  try {
    return fn();
  } catch (const Error& e) {
    throw Error(e.code(), plan.where + ": " + e.what(), e.fields());
  }
}

void resolve(image::Source& source, const image::Plan& plan, StorageBackend* storage, const std::string& projectId) {
  if (source.path.empty()) return;
  if (!storage) throw Error(ErrorCode::UNAVAILABLE, plan.where + ": storage is not available in this runtime");
  source.bytes = inStorage(plan, [&] { return storage->read(projectId, source.path); });
  if (source.bytes.empty()) throw Error(ErrorCode::UNSUPPORTED_MEDIA_TYPE, plan.where + ": " + source.path + " is empty");
}

}  // namespace

image::Pool::Work makeWork(image::Plan plan, std::shared_ptr<StorageBackend> storage, std::string projectId,
                           std::uint64_t maxPixels) {
  return [plan = std::move(plan), storage = std::move(storage), projectId = std::move(projectId),
          maxPixels](image::Task& task) mutable -> Value {
    // Files are read here, on the worker: a large file never blocks the isolate.
    resolve(plan.source, plan, storage.get(), projectId);
    for (auto& op : plan.ops)
      if (op.kind == image::Op::Kind::Composite) resolve(op.overlay, plan, storage.get(), projectId);
    image::Result r = image::execute(plan, maxPixels, &task);
    switch (plan.output.kind) {
      case image::Output::Kind::Info:
        return r.info;
      case image::Output::Kind::Bytes:
        return bytesValue(r.bytes);
      case image::Output::Kind::File:
        if (!task.claim()) return nullptr;  // answered meanwhile (timed out): write nothing
        if (!storage) throw Error(ErrorCode::UNAVAILABLE, plan.where + ": storage is not available in this runtime");
        inStorage(plan, [&] {
          storage->write(projectId, plan.output.to, r.bytes);
          return 0;
        });
        r.info["path"] = plan.output.to;
        return r.info;
    }
    return nullptr;
  };
}

}  // namespace m3m::runtime::imaging
