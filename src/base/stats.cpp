#include "base/stats.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace quiver::base {
namespace {

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "stats registry: %s\n", message.c_str());
  std::abort();
}

template <typename Cell>
std::unique_ptr<Cell> MakeCell(const std::vector<double>& bounds);
template <>
std::unique_ptr<Counter> MakeCell(const std::vector<double>&) {
  return std::make_unique<Counter>();
}
template <>
std::unique_ptr<Gauge> MakeCell(const std::vector<double>&) {
  return std::make_unique<Gauge>();
}
template <>
std::unique_ptr<Histogram> MakeCell(const std::vector<double>& bounds) {
  return std::make_unique<Histogram>(bounds);
}

void Fill(const Counter& c, StatSample& s) { s.value = static_cast<double>(c.Value()); }
void Fill(const Gauge& g, StatSample& s) { s.value = g.Value(); }
void Fill(const Histogram& h, StatSample& s) { h.Read(&s.cumulative, &s.count, &s.sum); }

template <typename Cell>
constexpr StatKind KindOf();
template <>
constexpr StatKind KindOf<Counter>() {
  return StatKind::kCounter;
}
template <>
constexpr StatKind KindOf<Gauge>() {
  return StatKind::kGauge;
}
template <>
constexpr StatKind KindOf<Histogram>() {
  return StatKind::kHistogram;
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      buckets_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {
  if (!std::is_sorted(bounds_.begin(), bounds_.end()) ||
      std::adjacent_find(bounds_.begin(), bounds_.end()) != bounds_.end()) {
    Die("histogram bounds must be strictly increasing");
  }
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double v) {
  // Few bounds (about a dozen): a linear scan beats a binary search here.
  size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

void Histogram::Read(std::vector<uint64_t>* cumulative, uint64_t* count, double* sum) const {
  cumulative->assign(bounds_.size(), 0);
  uint64_t running = 0;
  for (size_t i = 0; i < bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    (*cumulative)[i] = running;
  }
  *count = running + buckets_[bounds_.size()].load(std::memory_order_relaxed);
  *sum = sum_.load(std::memory_order_relaxed);
}

template <typename Cell>
Cell& StatFamily<Cell>::With(const std::vector<std::string>& label_values) {
  if (label_values.size() != label_names_.size()) {
    Die(name_ + ": " + std::to_string(label_values.size()) + " label values for " +
        std::to_string(label_names_.size()) + " label names");
  }
  std::lock_guard lock(mu_);
  auto& cell = cells_[label_values];
  if (!cell) cell = MakeCell<Cell>(bounds_);
  return *cell;
}

template <typename Cell>
void StatFamily<Cell>::Remove(const std::vector<std::string>& label_values) {
  std::lock_guard lock(mu_);
  cells_.erase(label_values);
}

template <typename Cell>
StatFamilySnapshot StatFamily<Cell>::Snapshot() const {
  StatFamilySnapshot snap;
  snap.name = name_;
  snap.help = help_;
  snap.kind = KindOf<Cell>();
  snap.label_names = label_names_;
  snap.bounds = bounds_;
  std::lock_guard lock(mu_);
  snap.samples.reserve(cells_.size());
  for (const auto& [values, cell] : cells_) {
    StatSample s;
    s.label_values = values;
    Fill(*cell, s);
    snap.samples.push_back(std::move(s));
  }
  return snap;
}

template class StatFamily<Counter>;
template class StatFamily<Gauge>;
template class StatFamily<Histogram>;

StatsRegistry& StatsRegistry::Global() {
  static StatsRegistry* registry = new StatsRegistry();  // never destroyed: used until exit
  return *registry;
}

StatsRegistry::Entry& StatsRegistry::Find(const std::string& name, StatKind kind,
                                          const std::vector<std::string>& labels,
                                          const std::vector<double>& bounds) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    Entry& e = families_[name];
    e.kind = kind;
    return e;
  }
  Entry& e = it->second;
  const std::vector<std::string>* existing_labels = nullptr;
  bool same_bounds = true;
  switch (e.kind) {
    case StatKind::kCounter:
      existing_labels = &e.counter->label_names();
      break;
    case StatKind::kGauge:
      existing_labels = &e.gauge->label_names();
      break;
    case StatKind::kHistogram:
      existing_labels = &e.histogram->label_names();
      same_bounds = e.histogram->bounds_ == bounds;
      break;
  }
  if (e.kind != kind || *existing_labels != labels || !same_bounds) {
    Die(name + " registered twice with a different kind, label names or bounds");
  }
  return e;
}

CounterFamily& StatsRegistry::Counter(const std::string& name, const std::string& help,
                                      const std::vector<std::string>& label_names) {
  std::lock_guard lock(mu_);
  Entry& e = Find(name, StatKind::kCounter, label_names, {});
  if (!e.counter) e.counter.reset(new CounterFamily(name, help, label_names, {}));
  return *e.counter;
}

GaugeFamily& StatsRegistry::Gauge(const std::string& name, const std::string& help,
                                  const std::vector<std::string>& label_names) {
  std::lock_guard lock(mu_);
  Entry& e = Find(name, StatKind::kGauge, label_names, {});
  if (!e.gauge) e.gauge.reset(new GaugeFamily(name, help, label_names, {}));
  return *e.gauge;
}

HistogramFamily& StatsRegistry::Histogram(const std::string& name, const std::string& help,
                                          const std::vector<double>& bounds,
                                          const std::vector<std::string>& label_names) {
  std::lock_guard lock(mu_);
  Entry& e = Find(name, StatKind::kHistogram, label_names, bounds);
  if (!e.histogram) {
    base::Histogram check(bounds);  // dies on bad bounds at registration, not first use
    e.histogram.reset(new HistogramFamily(name, help, label_names, bounds));
  }
  return *e.histogram;
}

std::vector<StatFamilySnapshot> StatsRegistry::Snapshot() const {
  std::vector<StatFamilySnapshot> out;
  std::lock_guard lock(mu_);
  out.reserve(families_.size());
  for (const auto& [name, e] : families_) {
    switch (e.kind) {
      case StatKind::kCounter:
        out.push_back(e.counter->Snapshot());
        break;
      case StatKind::kGauge:
        out.push_back(e.gauge->Snapshot());
        break;
      case StatKind::kHistogram:
        out.push_back(e.histogram->Snapshot());
        break;
    }
  }
  return out;
}

}  // namespace quiver::base
