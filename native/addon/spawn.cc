#include "spawn.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "args.h"
#include "errors.h"

extern char** environ;

namespace berth {

namespace {

enum class Stdio { kNull, kIn, kOut };

// Our ends and the child's ends of the pipes, -1 where none.
struct Pipes {
  std::vector<int> ours;
  std::vector<int> theirs;
  ~Pipes() {
    for (int fd : theirs)
      if (fd >= 0) close(fd);
  }
  void CloseOurs() {
    for (int& fd : ours) {
      if (fd >= 0) close(fd);
      fd = -1;
    }
  }
};

// The exit watch of one child, shared by the waiting thread and JavaScript.
struct Watch {
  pid_t pid;
  Napi::ThreadSafeFunction tsfn;
  // Set on the JS thread once onExit ran; the tsfn may be gone after.
  bool delivered = false;
  // Set, under `lock`, by the env's cleanup hook: Node is tearing down and
  // is about to free the tsfn, so the waiting thread must not touch it.
  std::mutex lock;
  bool closed = false;
  // The hook's own reference, while the hook is registered.
  std::shared_ptr<Watch>* hooked = nullptr;
};

// Registered after the tsfn was made, so it runs before Node's own cleanup
// of the tsfn (hooks run in reverse order).
void OnEnvCleanup(void* arg) {
  auto* hooked = static_cast<std::shared_ptr<Watch>*>(arg);
  {
    std::lock_guard<std::mutex> guard((*hooked)->lock);
    (*hooked)->closed = true;
    (*hooked)->hooked = nullptr;
  }
  delete hooked;
}

bool ParseStdio(const Napi::CallbackInfo& info, std::vector<Stdio>* out) {
  std::vector<std::string> kinds;
  if (!ArgStringArray(info, 2, "stdio", &kinds)) return false;
  for (const std::string& s : kinds) {
    if (s == "null") out->push_back(Stdio::kNull);
    else if (s == "in") out->push_back(Stdio::kIn);
    else if (s == "out") out->push_back(Stdio::kOut);
    else {
      Napi::TypeError::New(info.Env(), "stdio entries are null, in or out").ThrowAsJavaScriptException();
      return false;
    }
  }
  return true;
}

// Above the child's stdio numbers: posix_spawn's dup2 onto the same number
// would leave close-on-exec set, and the fd would vanish at exec.
int Above(int fd, int floor) {
  if (fd >= floor) return fd;
  int moved = fcntl(fd, F_DUPFD_CLOEXEC, floor);
  int err = errno;
  close(fd);
  errno = err;
  return moved;
}

int MakePipes(const std::vector<Stdio>& stdio, Pipes* p) {
  int floor = static_cast<int>(stdio.size());
  for (Stdio kind : stdio) {
    int ends[2] = {-1, -1};
    int err = 0;
    if (kind != Stdio::kNull) {
      if (pipe2(ends, O_CLOEXEC) < 0) return errno;
      ends[0] = Above(ends[0], floor);
      if (ends[0] < 0) err = errno;
      ends[1] = Above(ends[1], floor);
      if (ends[1] < 0 && err == 0) err = errno;
    }
    // Recorded even when half failed, so Pipes closes whatever was opened.
    bool child_reads = kind == Stdio::kIn;
    p->ours.push_back(ends[child_reads ? 1 : 0]);
    p->theirs.push_back(ends[child_reads ? 0 : 1]);
    if (err != 0) return err;
  }
  return 0;
}

int Spawn(const std::string& file, const std::vector<std::string>& args, const Pipes& p, pid_t* pid) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  sigset_t all, none;
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  sigfillset(&all);
  sigemptyset(&none);
  int rc = posix_spawn_file_actions_init(&actions);
  if (rc != 0) return rc;
  rc = posix_spawnattr_init(&attr);
  if (rc != 0) {
    posix_spawn_file_actions_destroy(&actions);
    return rc;
  }
  for (size_t i = 0; i < p.theirs.size() && rc == 0; i++) {
    int target = static_cast<int>(i);
    rc = p.theirs[i] < 0 ? posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_RDWR, 0)
                         : posix_spawn_file_actions_adddup2(&actions, p.theirs[i], target);
  }
  if (rc == 0) rc = posix_spawnattr_setsigdefault(&attr, &all);
  if (rc == 0) rc = posix_spawnattr_setsigmask(&attr, &none);
  if (rc == 0) rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  if (rc == 0) rc = posix_spawn(pid, file.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  return rc;
}

// waitid for one child, again after a signal interrupted it.
int WaitFor(pid_t pid, siginfo_t* info, int options) {
  int rc;
  do rc = waitid(P_PID, pid, info, options);
  while (rc < 0 && errno == EINTR);
  return rc;
}

// Reaps the child (it has exited) and tells JavaScript how it ended. With
// no env the process is tearing down: only reap.
void Deliver(Napi::Env env, Napi::Function on_exit, std::shared_ptr<Watch>* data) {
  std::shared_ptr<Watch> watch = *data;
  delete data;
  siginfo_t info{};
  int rc = WaitFor(watch->pid, &info, WEXITED);
  watch->delivered = true;
  if (env == nullptr || on_exit.IsEmpty()) return;
  if (watch->hooked != nullptr) {
    napi_remove_env_cleanup_hook(env, OnEnvCleanup, watch->hooked);
    delete watch->hooked;
    watch->hooked = nullptr;
  }
  bool exited = rc == 0 && info.si_code == CLD_EXITED;
  int code = exited ? info.si_status : -1;
  int sig = rc == 0 && !exited ? info.si_status : 0;
  napi_value argv[] = {Napi::Number::New(env, code), Napi::Number::New(env, sig)};
  napi_value ignored;
  // Raw, not Function::Call: while Node tears down, calling into JS fails,
  // and node-addon-api would turn that into a fatal error. A throw from
  // the callback stays pending and Node reports it as uncaught.
  napi_call_function(env, env.Undefined(), on_exit, 2, argv, &ignored);
}

// On its own thread: waits for the exit without reaping (WNOWAIT), so the
// pid cannot be reused before JavaScript knows it is gone.
void AwaitExit(std::shared_ptr<Watch> watch) {
  siginfo_t info{};
  WaitFor(watch->pid, &info, WEXITED | WNOWAIT);
  {
    std::lock_guard<std::mutex> guard(watch->lock);
    if (!watch->closed) {
      auto* data = new std::shared_ptr<Watch>(watch);
      // The queue is unbounded: this never blocks while holding the lock.
      napi_status queued = watch->tsfn.NonBlockingCall(data, Deliver);
      watch->tsfn.Release();
      if (queued == napi_ok) return;
      delete data;
    }
  }
  // Node is going away and will never run Deliver: reap here.
  WaitFor(watch->pid, &info, WEXITED);
}

Napi::Object WatchHandle(Napi::Env env, const std::shared_ptr<Watch>& watch) {
  Napi::Object handle = Napi::Object::New(env);
  handle.Set("ref", Napi::Function::New(env, [watch](const Napi::CallbackInfo& info) {
               if (!watch->delivered) watch->tsfn.Ref(info.Env());
             }));
  handle.Set("unref", Napi::Function::New(env, [watch](const Napi::CallbackInfo& info) {
               if (!watch->delivered) watch->tsfn.Unref(info.Env());
             }));
  return handle;
}

}  // namespace

Napi::Value SpawnProcess(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string file;
  std::vector<std::string> args;
  std::vector<Stdio> stdio;
  if (!ArgString(info, 0, "file", &file) || !ArgStringArray(info, 1, "args", &args) || !ParseStdio(info, &stdio)) return env.Undefined();
  if (!info[3].IsFunction()) {
    Napi::TypeError::New(env, "onExit must be a function").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Pipes pipes;
  int err = MakePipes(stdio, &pipes);
  pid_t pid = -1;
  if (err == 0) err = Spawn(file, args, pipes, &pid);
  if (err != 0) {
    pipes.CloseOurs();
    ThrowSyscallError(env, err, "posix_spawn", file);
    return env.Undefined();
  }
  auto watch = std::make_shared<Watch>();
  watch->pid = pid;
  watch->tsfn = Napi::ThreadSafeFunction::New(env, info[3].As<Napi::Function>(), "berth-child-exit", 0, 1);
  watch->hooked = new std::shared_ptr<Watch>(watch);
  napi_add_env_cleanup_hook(env, OnEnvCleanup, watch->hooked);
  std::thread(AwaitExit, watch).detach();
  Napi::Object result = Napi::Object::New(env);
  Napi::Array fds = Napi::Array::New(env, pipes.ours.size());
  for (size_t i = 0; i < pipes.ours.size(); i++) fds.Set(i, Napi::Number::New(env, pipes.ours[i]));
  result.Set("pid", Napi::Number::New(env, pid));
  result.Set("fds", fds);
  result.Set("watch", WatchHandle(env, watch));
  return result;
}

}  // namespace berth
