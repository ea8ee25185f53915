#include "base/work_pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace quiver::base {

namespace {

struct Job {
  const std::function<void(size_t)>* fn;
  size_t n;
  std::atomic<size_t> next{0};
  std::atomic<size_t> done{0};
  std::mutex mu;
  std::condition_variable finished;

  // Claims and runs indices until none are left.
  void Drain() {
    size_t ran = 0;
    for (size_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) {
      (*fn)(i);
      ++ran;
    }
    if (ran == 0) return;
    if (done.fetch_add(ran) + ran == n) {
      std::lock_guard lock(mu);
      finished.notify_all();
    }
  }
};

std::atomic<int> g_busy{0};

// Waking a sleeping thread costs tens of microseconds here (more on a VM whose idle vCPU is
// halted), as much as a quarter of one segment's search. So a worker that has just finished
// keeps polling for new work for a moment, and a caller waiting for its helpers polls first:
// back-to-back requests from one client then find the worker awake. Both poll only while at
// most one request is being served, so they never take a core from another request.
constexpr auto kSpin = std::chrono::microseconds(300);

void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Polls `ready` until it holds, kSpin passes or more than one request is under way.
template <class Pred>
bool SpinUntil(const Pred& ready) {
  const auto deadline = std::chrono::steady_clock::now() + kSpin;
  for (int i = 0;; ++i) {
    if (ready()) return true;
    if ((i & 63) == 63) {
      if (g_busy.load(std::memory_order_relaxed) > 1 ||
          std::chrono::steady_clock::now() > deadline) {
        return ready();
      }
    }
    CpuRelax();
  }
}

}  // namespace

WorkPool::Busy::Busy() { g_busy.fetch_add(1, std::memory_order_relaxed); }
WorkPool::Busy::~Busy() { g_busy.fetch_sub(1, std::memory_order_relaxed); }
int WorkPool::Busy::Count() { return g_busy.load(std::memory_order_relaxed); }

struct WorkPool::State {
  std::mutex mu;
  std::condition_variable wake;
  std::deque<std::shared_ptr<Job>> queue;  // one entry per worker asked to help
  std::atomic<size_t> queued{0};           // queue.size(), readable without mu
  bool stop = false;
  std::atomic<size_t> callers{0};  // ParallelFor calls under way
  std::vector<std::thread> threads;
};

WorkPool& WorkPool::Shared() {
  static WorkPool pool(std::max(1u, std::thread::hardware_concurrency()) - 1);
  return pool;
}

WorkPool::WorkPool(size_t workers) : state_(new State) {
  for (size_t t = 0; t < workers; ++t) {
    state_->threads.emplace_back([s = state_] {
      for (;;) {
        std::shared_ptr<Job> job;
        SpinUntil([&] { return s->queued.load(std::memory_order_acquire) > 0; });
        {
          std::unique_lock lock(s->mu);
          s->wake.wait(lock, [&] { return s->stop || !s->queue.empty(); });
          if (s->queue.empty()) return;  // stopping
          job = std::move(s->queue.front());
          s->queue.pop_front();
          s->queued.store(s->queue.size(), std::memory_order_release);
        }
        job->Drain();
      }
    });
  }
}

WorkPool::~WorkPool() {
  {
    std::lock_guard lock(state_->mu);
    state_->stop = true;
  }
  state_->wake.notify_all();
  for (auto& t : state_->threads) t.join();
  delete state_;
}

size_t WorkPool::workers() const { return state_->threads.size(); }

void WorkPool::ParallelFor(size_t n, const std::function<void(size_t)>& fn) {
  if (n == 0) return;
  // With as many callers as workers already splitting their work, the cores are busy: helping
  // would only add hand-offs (two concurrent searches lost 15% throughput that way).
  struct Caller {
    std::atomic<size_t>& count;
    size_t before;
    explicit Caller(std::atomic<size_t>& c) : count(c), before(c.fetch_add(1)) {}
    ~Caller() { count.fetch_sub(1); }
  } caller(state_->callers);
  if (n == 1 || caller.before >= state_->threads.size() || Busy::Count() > 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  auto job = std::make_shared<Job>();
  job->fn = &fn;
  job->n = n;
  const size_t helpers = std::min(n - 1, state_->threads.size());
  {
    std::lock_guard lock(state_->mu);
    for (size_t h = 0; h < helpers; ++h) state_->queue.push_back(job);
    state_->queued.store(state_->queue.size(), std::memory_order_release);
  }
  for (size_t h = 0; h < helpers; ++h) state_->wake.notify_one();
  job->Drain();
  if (SpinUntil([&] { return job->done.load(std::memory_order_acquire) == n; })) return;
  std::unique_lock lock(job->mu);
  job->finished.wait(lock, [&] { return job->done.load() == n; });
  // Workers that pick this job up later find no index left and never touch fn.
}

}  // namespace quiver::base
