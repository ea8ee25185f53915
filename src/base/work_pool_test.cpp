#include "base/work_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace quiver::base {
namespace {

TEST(WorkPoolTest, EveryIndexRunsExactlyOnce) {
  WorkPool pool(3);
  for (size_t n : {0u, 1u, 2u, 7u, 100u}) {
    std::vector<std::atomic<int>> hits(n);
    pool.ParallelFor(n, [&](size_t i) { hits[i].fetch_add(1); });
    for (size_t i = 0; i < n; ++i) EXPECT_EQ(hits[i].load(), 1) << n << " " << i;
  }
}

TEST(WorkPoolTest, WorkersShareTheJob) {
  WorkPool pool(1);
  std::set<std::thread::id> threads;
  std::mutex mu;
  std::atomic<int> started{0};
  pool.ParallelFor(2, [&](size_t) {
    started.fetch_add(1);
    // Each call waits (bounded) for the other to start: both run at once only with a helper.
    for (int spin = 0; spin < 2000 && started.load() < 2; ++spin) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::lock_guard lock(mu);
    threads.insert(std::this_thread::get_id());
  });
  EXPECT_EQ(threads.size(), 2u);
}

TEST(WorkPoolTest, ConcurrentCallersAllFinishWithBusyWorkers) {
  WorkPool pool(1);
  std::atomic<long> sum{0};
  std::vector<std::thread> callers;
  for (int c = 0; c < 6; ++c) {
    callers.emplace_back([&] {
      for (int r = 0; r < 200; ++r) {
        pool.ParallelFor(5, [&](size_t i) { sum.fetch_add(long(i) + 1); });
      }
    });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(sum.load(), 6L * 200 * 15);
}

TEST(WorkPoolTest, OtherBusyWorkKeepsTheJobOnTheCaller) {
  WorkPool pool(2);
  WorkPool::Busy mine, other;  // e.g. this request and another one being served
  std::set<std::thread::id> threads;
  pool.ParallelFor(8, [&](size_t) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // time for a worker to join in
    threads.insert(std::this_thread::get_id());
  });
  ASSERT_EQ(threads.size(), 1u);
  EXPECT_EQ(*threads.begin(), std::this_thread::get_id());
}

TEST(WorkPoolTest, NoWorkersRunsOnTheCaller) {
  WorkPool pool(0);
  std::set<std::thread::id> threads;
  pool.ParallelFor(4, [&](size_t) { threads.insert(std::this_thread::get_id()); });
  ASSERT_EQ(threads.size(), 1u);
  EXPECT_EQ(*threads.begin(), std::this_thread::get_id());
}

}  // namespace
}  // namespace quiver::base
