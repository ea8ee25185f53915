#include "wire/limits.h"

namespace quiver::wire {
namespace {
RequestLimits g_limits;
}  // namespace

const RequestLimits& Limits() { return g_limits; }
void SetLimits(const RequestLimits& limits) { g_limits = limits; }

}  // namespace quiver::wire
