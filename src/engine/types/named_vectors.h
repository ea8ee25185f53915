// Named vectors of one point; the default (unnamed) vector is stored under "".
#pragma once

#include <map>
#include <string>
#include <vector>

namespace quiver::engine {

using NamedVectors = std::map<std::string, std::vector<float>>;

}  // namespace quiver::engine
