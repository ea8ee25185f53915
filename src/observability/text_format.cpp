#include "observability/text_format.h"

#include <charconv>
#include <cmath>

namespace quiver::observability {

std::string EscapeLabel(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, r.ptr);
}

void AppendHeader(std::string& out, const std::string& name, const std::string& help,
                  const char* type) {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

namespace {

void AppendLabels(std::string& out, const Labels& labels, const char* extra_key = nullptr,
                  const std::string& extra_value = "") {
  if (labels.empty() && !extra_key) return;
  out += '{';
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out += ',';
    first = false;
    out += k + "=\"" + EscapeLabel(v) + "\"";
  }
  if (extra_key) {
    if (!first) out += ',';
    out += std::string(extra_key) + "=\"" + extra_value + "\"";
  }
  out += '}';
}

Labels Zip(const std::vector<std::string>& names, const std::vector<std::string>& values) {
  Labels labels;
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
    labels.emplace_back(names[i], values[i]);
  }
  return labels;
}

const char* TypeName(base::StatKind kind) {
  switch (kind) {
    case base::StatKind::kCounter:
      return "counter";
    case base::StatKind::kGauge:
      return "gauge";
    case base::StatKind::kHistogram:
      return "histogram";
  }
  return "untyped";
}

}  // namespace

void AppendSample(std::string& out, const std::string& name, const Labels& labels, double value) {
  out += name;
  AppendLabels(out, labels);
  out += ' ' + FormatValue(value) + '\n';
}

void AppendGauge(std::string& out, const std::string& name, const std::string& help, double v) {
  AppendHeader(out, name, help, "gauge");
  AppendSample(out, name, {}, v);
}

void AppendHistogram(std::string& out, const std::string& name, const Labels& labels,
                     const std::vector<double>& bounds, const std::vector<uint64_t>& cumulative,
                     uint64_t count, double sum) {
  const std::string bucket = name + "_bucket";
  for (size_t i = 0; i < bounds.size() && i < cumulative.size(); ++i) {
    out += bucket;
    AppendLabels(out, labels, "le", FormatValue(bounds[i]));
    out += ' ' + std::to_string(cumulative[i]) + '\n';
  }
  out += bucket;
  AppendLabels(out, labels, "le", "+Inf");
  out += ' ' + std::to_string(count) + '\n';
  AppendSample(out, name + "_sum", labels, sum);
  AppendSample(out, name + "_count", labels, static_cast<double>(count));
}

void AppendStats(std::string& out, const std::vector<base::StatFamilySnapshot>& families) {
  for (const auto& f : families) {
    std::vector<base::StatSample> zero;
    const std::vector<base::StatSample>* samples = &f.samples;
    if (samples->empty()) {
      if (!f.label_names.empty()) continue;
      zero.emplace_back();
      zero.back().cumulative.assign(f.bounds.size(), 0);
      samples = &zero;
    }
    AppendHeader(out, f.name, f.help, TypeName(f.kind));
    for (const auto& s : *samples) {
      Labels labels = Zip(f.label_names, s.label_values);
      if (f.kind == base::StatKind::kHistogram) {
        AppendHistogram(out, f.name, labels, f.bounds, s.cumulative, s.count, s.sum);
      } else {
        AppendSample(out, f.name, labels, s.value);
      }
    }
  }
}

}  // namespace quiver::observability
