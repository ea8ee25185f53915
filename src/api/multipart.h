// multipart/form-data: finding one file field in a request body held in memory.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace quiver::api {

struct MultipartPart {
  std::string_view data;  // a view into the body
  std::string filename;   // "" when the part has none
};

// The part named `field` of a multipart/form-data body. BadRequest when the content type is not
// multipart/form-data with a boundary, the body is malformed, or there is no such field.
base::Result<MultipartPart> FindMultipartPart(std::string_view content_type, std::string_view body,
                                              std::string_view field);

}  // namespace quiver::api
