// multipart/form-data: finding one file field in a request body, in memory or in a file.
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

// Streams the part named `field` of the multipart/form-data body stored in file `body_path` into
// file `out_path`, holding at most a few MiB in memory. Same errors as FindMultipartPart.
base::Status ExtractMultipartPartToFile(std::string_view content_type, const std::string& body_path,
                                        std::string_view field, const std::string& out_path);

}  // namespace quiver::api
