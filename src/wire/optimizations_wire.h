// GET /collections/{name}/optimizations: the `with` query option and the OptimizationsResponse
// body.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "engine/collection/optimization.h"

namespace quiver::wire {

struct OptimizationsOptions {
  bool queued = false, completed = false, idle_segments = false;
  size_t completed_limit = 16;
};

// `with`: comma-separated queued, completed, idle_segments (Validation error otherwise).
base::Result<OptimizationsOptions> ParseOptimizationsWith(std::string_view with);
std::string RenderOptimizations(const engine::OptimizationsReport& report,
                                const OptimizationsOptions& options);

}  // namespace quiver::wire
