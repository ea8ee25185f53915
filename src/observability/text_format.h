// Prometheus text exposition format (version 0.0.4): escaping, numbers, families, and the
// rendering of base::StatsRegistry snapshots.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "base/stats.h"

namespace quiver::observability {

using Labels = std::vector<std::pair<std::string, std::string>>;

// Escapes a label value (backslash, double quote, newline).
std::string EscapeLabel(const std::string& v);
// Shortest round-trip decimal; "+Inf", "-Inf", "NaN" for the special values.
std::string FormatValue(double v);

// "# HELP name help\n# TYPE name type\n".
void AppendHeader(std::string& out, const std::string& name, const std::string& help,
                  const char* type);
// "name{k="v",...} value\n" (no braces without labels).
void AppendSample(std::string& out, const std::string& name, const Labels& labels, double value);
// A whole single-sample family without labels.
void AppendGauge(std::string& out, const std::string& name, const std::string& help, double v);

// One histogram's _bucket (cumulative, then +Inf), _sum and _count lines.
void AppendHistogram(std::string& out, const std::string& name, const Labels& labels,
                     const std::vector<double>& bounds, const std::vector<uint64_t>& cumulative,
                     uint64_t count, double sum);

// Every family of the snapshot. Families without samples are skipped unless they have no labels,
// in which case their zero sample is written (so a counter that has not moved yet still exists).
void AppendStats(std::string& out, const std::vector<base::StatFamilySnapshot>& families);

}  // namespace quiver::observability
