// The concrete file readers behind OpenFileReader (internal to ops/ingest).
#pragma once

#include <memory>

#include "ops/ingest/byte_source.h"
#include "ops/ingest/record_reader.h"

namespace quiver::ops::ingest {

base::Result<std::unique_ptr<RecordReader>> OpenJsonlReader(std::unique_ptr<ByteSource> source);
base::Result<std::unique_ptr<RecordReader>> OpenCsvReader(std::unique_ptr<ByteSource> source,
                                                          const FileReaderOptions& options);
// `payload` may be null.
base::Result<std::unique_ptr<RecordReader>> OpenNpyReader(std::unique_ptr<ByteSource> source,
                                                          std::unique_ptr<ByteSource> payload);
base::Result<std::unique_ptr<RecordReader>> OpenFvecsReader(std::unique_ptr<ByteSource> source,
                                                            std::unique_ptr<ByteSource> payload);

}  // namespace quiver::ops::ingest
