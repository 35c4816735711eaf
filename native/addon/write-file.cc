#include "write-file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "errors.h"

namespace berth {

namespace {

// What a file gets once its content is written.
struct Finish {
  uid_t uid;
  gid_t gid;
  mode_t mode;
  timespec mtime;
  std::vector<std::pair<std::string, std::vector<char>>> xattrs;
};

struct Job {
  int fd;
  std::string path;  // For error messages only: the fd is what is written.
  std::vector<iovec> iov;
  off_t position;
  std::optional<Finish> finish;
  bool close;
};

// The first failure of a batch: which call, on which file, and errno.
struct Failure {
  const char* syscall = nullptr;
  const Job* job = nullptr;
  int err = 0;
};

bool Fail(Failure* failure, const char* syscall, const Job& job) {
  if (failure->syscall == nullptr) *failure = {syscall, &job, errno};
  return false;
}

bool WriteAll(Job* job, Failure* failure) {
  size_t next = 0;
  while (next < job->iov.size()) {
    int count = static_cast<int>(std::min<size_t>(job->iov.size() - next, IOV_MAX));
    ssize_t n = ::pwritev(job->fd, &job->iov[next], count, job->position);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Fail(failure, "pwritev", *job);
    job->position += n;
    // Skip what was written; a short write resumes inside its chunk.
    for (size_t left = static_cast<size_t>(n); left > 0;) {
      iovec& v = job->iov[next];
      size_t used = std::min(left, v.iov_len);
      v.iov_base = static_cast<char*>(v.iov_base) + used;
      v.iov_len -= used;
      left -= used;
      if (v.iov_len == 0) next++;
    }
  }
  return true;
}

bool ApplyMetadata(const Job& job, Failure* failure) {
  const Finish& f = *job.finish;
  if (::fchown(job.fd, f.uid, f.gid) < 0) return Fail(failure, "fchown", job);
  if (::fchmod(job.fd, f.mode) < 0) return Fail(failure, "fchmod", job);
  for (const auto& [name, value] : f.xattrs) {
    if (::fsetxattr(job.fd, name.c_str(), value.data(), value.size(), 0) < 0) {
      return Fail(failure, "fsetxattr", job);
    }
  }
  timespec times[2] = {f.mtime, f.mtime};
  if (::futimens(job.fd, times) < 0) return Fail(failure, "futimens", job);
  return true;
}

// Runs on a pool thread and touches no JS value: the chunks' memory is kept
// alive by a reference to the jobs array, taken on the main thread.
class FilesWrite : public Napi::AsyncWorker {
 public:
  FilesWrite(Napi::Env env, Napi::Array jobs_array, std::vector<Job> jobs)
      : Napi::AsyncWorker(env, "berth:writeFiles"),
        deferred_(Napi::Promise::Deferred::New(env)),
        keep_(Napi::Persistent(jobs_array.As<Napi::Object>())),
        jobs_(std::move(jobs)) {}

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    for (Job& job : jobs_) {
      if (failure_.syscall == nullptr && WriteAll(&job, &failure_) && job.finish) {
        ApplyMetadata(job, &failure_);
      }
      if (job.close && ::close(job.fd) < 0 && errno != EINTR) Fail(&failure_, "close", job);
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    if (failure_.syscall == nullptr) {
      deferred_.Resolve(env.Undefined());
      return;
    }
    deferred_.Reject(SyscallError(env, failure_.err, failure_.syscall, failure_.job->path).Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference keep_;
  std::vector<Job> jobs_;
  Failure failure_;
};

bool TypeError(Napi::Env env, const std::string& message) {
  Napi::TypeError::New(env, message).ThrowAsJavaScriptException();
  return false;
}

bool IsCount(const Napi::Value& v, double max) {
  if (!v.IsNumber()) return false;
  double d = v.As<Napi::Number>().DoubleValue();
  return d >= 0 && d <= max && std::trunc(d) == d;
}

// Seconds (fractions allowed) as a timespec, truncated as libuv does for fs.futimes.
timespec ToTimespec(double seconds) {
  timespec ts;
  ts.tv_sec = static_cast<time_t>(std::floor(seconds));
  ts.tv_nsec = static_cast<long>((seconds - static_cast<double>(ts.tv_sec)) * 1e9);
  if (ts.tv_nsec >= 1000000000L) ts.tv_nsec = 999999999L;
  return ts;
}

bool ParseXattrs(Napi::Env env, Napi::Value value, Finish* out) {
  const char* shape = "finish.xattrs must hold [name, Buffer] pairs";
  if (!value.IsArray()) return TypeError(env, shape);
  Napi::Array pairs = value.As<Napi::Array>();
  for (uint32_t i = 0; i < pairs.Length(); i++) {
    Napi::Value pair = pairs.Get(i);
    if (!pair.IsArray()) return TypeError(env, shape);
    Napi::Value name = pair.As<Napi::Array>().Get(0u);
    Napi::Value data = pair.As<Napi::Array>().Get(1u);
    if (!name.IsString() || !data.IsBuffer()) return TypeError(env, shape);
    std::string text = name.As<Napi::String>().Utf8Value();
    if (text.find('\0') != std::string::npos) {
      return TypeError(env, "an xattr name must not contain NUL bytes");
    }
    auto buffer = data.As<Napi::Buffer<char>>();
    out->xattrs.emplace_back(std::move(text),
                             std::vector<char>(buffer.Data(), buffer.Data() + buffer.Length()));
  }
  return true;
}

bool ParseFinish(Napi::Env env, Napi::Value value, std::optional<Finish>* out) {
  if (value.IsNull() || value.IsUndefined()) return true;
  if (!value.IsObject()) return TypeError(env, "finish must be an object or null");
  Napi::Object o = value.As<Napi::Object>();
  Napi::Value uid = o.Get("uid"), gid = o.Get("gid"), mode = o.Get("mode"), mtime = o.Get("mtime");
  if (!IsCount(uid, 4294967295.0) || !IsCount(gid, 4294967295.0) || !IsCount(mode, 07777)) {
    return TypeError(env, "finish.uid, gid and mode must be integers in range");
  }
  if (!mtime.IsNumber() || !std::isfinite(mtime.As<Napi::Number>().DoubleValue())) {
    return TypeError(env, "finish.mtime must be a finite number of seconds");
  }
  Finish finish;
  finish.uid = static_cast<uid_t>(uid.As<Napi::Number>().DoubleValue());
  finish.gid = static_cast<gid_t>(gid.As<Napi::Number>().DoubleValue());
  finish.mode = static_cast<mode_t>(mode.As<Napi::Number>().DoubleValue());
  finish.mtime = ToTimespec(mtime.As<Napi::Number>().DoubleValue());
  if (!ParseXattrs(env, o.Get("xattrs"), &finish)) return false;
  *out = std::move(finish);
  return true;
}

bool ParseChunks(Napi::Env env, Napi::Value value, Job* job) {
  if (!value.IsArray()) return TypeError(env, "job.chunks must be an array of Buffers");
  Napi::Array chunks = value.As<Napi::Array>();
  for (uint32_t i = 0; i < chunks.Length(); i++) {
    Napi::Value chunk = chunks.Get(i);
    if (!chunk.IsBuffer()) return TypeError(env, "job.chunks must be an array of Buffers");
    auto buffer = chunk.As<Napi::Buffer<uint8_t>>();
    if (buffer.Length() > 0) job->iov.push_back({buffer.Data(), buffer.Length()});
  }
  return true;
}

bool ParseJob(Napi::Env env, Napi::Value value, Job* job) {
  if (!value.IsObject()) return TypeError(env, "each job must be an object");
  Napi::Object o = value.As<Napi::Object>();
  Napi::Value fd = o.Get("fd"), path = o.Get("path"), position = o.Get("position"), close = o.Get("close");
  if (!IsCount(fd, INT_MAX)) return TypeError(env, "job.fd must be a file descriptor");
  if (!path.IsString()) return TypeError(env, "job.path must be a string");
  if (!IsCount(position, 9007199254740991.0)) {
    return TypeError(env, "job.position must be a non-negative integer");
  }
  if (!close.IsBoolean()) return TypeError(env, "job.close must be a boolean");
  job->fd = static_cast<int>(fd.As<Napi::Number>().DoubleValue());
  job->path = path.As<Napi::String>().Utf8Value();
  job->position = static_cast<off_t>(position.As<Napi::Number>().DoubleValue());
  job->close = close.As<Napi::Boolean>().Value();
  return ParseChunks(env, o.Get("chunks"), job) && ParseFinish(env, o.Get("finish"), &job->finish);
}

}  // namespace

Napi::Value WriteFiles(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) {
    TypeError(env, "jobs must be an array");
    return env.Undefined();
  }
  Napi::Array array = info[0].As<Napi::Array>();
  std::vector<Job> jobs(array.Length());
  for (uint32_t i = 0; i < array.Length(); i++) {
    if (!ParseJob(env, array.Get(i), &jobs[i])) return env.Undefined();
  }
  auto* work = new FilesWrite(env, array, std::move(jobs));
  Napi::Promise promise = work->Promise();
  work->Queue();  // Deletes itself once settled.
  return promise;
}

}  // namespace berth
