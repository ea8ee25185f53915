// Process-wide named statistics: counters, gauges and fixed-bucket histograms, each a family with
// label names whose cells are created on first use. Hot paths are lock-free atomics on a cell
// reference obtained once; only creating a cell or taking a snapshot takes a lock. This layer knows
// no exposition format: observability/ renders a Snapshot() as Prometheus text.
//
//   static base::Counter& appends =
//       base::StatsRegistry::Global().Counter("quiver_wal_appends_total", "WAL records").With({});
//   appends.Inc();
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace quiver::base {

enum class StatKind { kCounter, kGauge, kHistogram };

// Monotonic count (resets only when the process restarts).
class Counter {
 public:
  void Inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down.
class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double d) { value_.fetch_add(d, std::memory_order_relaxed); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Observations counted into buckets with inclusive upper bounds (`v <= bound`), plus an
// overflow bucket, and their sum.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);

  const std::vector<double>& bounds() const { return bounds_; }
  // Cumulative counts per bound (size bounds().size()); `count` includes the overflow bucket, so
  // count >= the last cumulative value even while observations race with the read.
  void Read(std::vector<uint64_t>* cumulative, uint64_t* count, double* sum) const;

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1 (overflow last)
  std::atomic<double> sum_{0};
};

struct StatSample {
  std::vector<std::string> label_values;
  double value = 0;                  // counter and gauge
  std::vector<uint64_t> cumulative;  // histogram
  uint64_t count = 0;                // histogram
  double sum = 0;                    // histogram
};

struct StatFamilySnapshot {
  std::string name;
  std::string help;
  StatKind kind = StatKind::kCounter;
  std::vector<std::string> label_names;
  std::vector<double> bounds;  // histogram only
  std::vector<StatSample> samples;
};

// A metric name with its label names; one cell per distinct tuple of label values.
template <typename Cell>
class StatFamily {
 public:
  // The cell for these label values (as many as label names), created on first use. The
  // reference stays valid until Remove() of the same values.
  Cell& With(const std::vector<std::string>& label_values);
  // Forgets one cell (e.g. when its collection is deleted); no-op when absent.
  void Remove(const std::vector<std::string>& label_values);

  const std::string& name() const { return name_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

 private:
  friend class StatsRegistry;
  StatFamily(std::string name, std::string help, std::vector<std::string> label_names,
             std::vector<double> bounds)
      : name_(std::move(name)),
        help_(std::move(help)),
        label_names_(std::move(label_names)),
        bounds_(std::move(bounds)) {}
  StatFamilySnapshot Snapshot() const;

  const std::string name_;
  const std::string help_;
  const std::vector<std::string> label_names_;
  const std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<Cell>> cells_;
};

using CounterFamily = StatFamily<Counter>;
using GaugeFamily = StatFamily<Gauge>;
using HistogramFamily = StatFamily<Histogram>;

// Owns families by name. Registering a name again returns the existing family when kind, label
// names and bounds agree; a disagreement is a programming error and aborts with a message.
class StatsRegistry {
 public:
  static StatsRegistry& Global();

  CounterFamily& Counter(const std::string& name, const std::string& help,
                         const std::vector<std::string>& label_names = {});
  GaugeFamily& Gauge(const std::string& name, const std::string& help,
                     const std::vector<std::string>& label_names = {});
  HistogramFamily& Histogram(const std::string& name, const std::string& help,
                             const std::vector<double>& bounds,
                             const std::vector<std::string>& label_names = {});

  // Every family, sorted by name; families without cells are included with no samples.
  std::vector<StatFamilySnapshot> Snapshot() const;

 private:
  struct Entry {
    StatKind kind;
    std::unique_ptr<CounterFamily> counter;
    std::unique_ptr<GaugeFamily> gauge;
    std::unique_ptr<HistogramFamily> histogram;
  };
  Entry& Find(const std::string& name, StatKind kind, const std::vector<std::string>& labels,
              const std::vector<double>& bounds);

  mutable std::mutex mu_;
  std::map<std::string, Entry> families_;
};

}  // namespace quiver::base
