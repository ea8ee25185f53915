// A small shared pool of worker threads for splitting one request's work (e.g. searching the
// segments of a collection in parallel). The caller always takes part: when every worker is busy
// with other requests, the caller runs the whole job itself, so the pool never adds queueing.
#pragma once

#include <cstddef>
#include <functional>

namespace quiver::base {

class WorkPool {
 public:
  // The process-wide pool: hardware_concurrency() - 1 workers (none on a single core).
  static WorkPool& Shared();

  explicit WorkPool(size_t workers);
  ~WorkPool();
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  // Calls fn(0..n-1), each index once, on the caller and on idle workers; returns when all
  // calls have returned. With as many other callers under way as there are workers, the caller
  // runs everything itself. fn must not throw.
  void ParallelFor(size_t n, const std::function<void(size_t)>& fn);

  size_t workers() const;

  // Marks a thread busy with one unit of outside work while alive (the HTTP server wraps each
  // request in one). With more than one under way the cores are taken, and ParallelFor runs on
  // the caller alone: splitting then only adds hand-offs between threads.
  class Busy {
   public:
    Busy();
    ~Busy();
    Busy(const Busy&) = delete;
    Busy& operator=(const Busy&) = delete;
    static int Count();
  };

 private:
  struct State;
  State* state_;
};

}  // namespace quiver::base
