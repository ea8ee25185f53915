// Input readers: JSONL/CSV/NPY/fvecs, compression, batching by count and bytes, resume positions.
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <fstream>

#include "ops/ingest/byte_source.h"
#include "ops/ingest/record_reader.h"

namespace quiver::ops::ingest {
namespace {

std::string TempPath(const std::string& name) {
  return testing::TempDir() + "/ingest_" + std::to_string(getpid()) + "_" + name;
}

std::string Write(const std::string& name, const std::string& data) {
  std::string path = TempPath(name);
  std::ofstream(path, std::ios::binary) << data;
  return path;
}

std::string Gzip(const std::string& data) {
  std::string path = TempPath("tmp.gz");
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, data.data(), static_cast<unsigned>(data.size()));
  gzclose(f);
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string Zstd(const std::string& data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3));
  return out;
}

std::string Text(const RawBatch& b, size_t i) {
  return b.data.substr(b.records[i].offset, b.records[i].size);
}

std::unique_ptr<RecordReader> Open(const std::string& path, InputFormat format = InputFormat::kAuto,
                                   const std::string& payload = "") {
  FileReaderOptions o;
  o.path = path;
  o.format = format;
  o.payload_path = payload;
  auto r = OpenFileReader(o);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r.value()) : nullptr;
}

const std::string kJsonl =
    "{\"id\":1}\n\n{\"id\":2}\r\n{\"id\":3}\n{\"id\":4}";  // no final newline

TEST(Readers, JsonlLinesAndNumbers) {
  for (const std::string& data : {kJsonl, Gzip(kJsonl), Zstd(kJsonl)}) {
    auto reader = Open(Write("a.jsonl", data));
    RawBatch b;
    ASSERT_TRUE(reader->Next(2, 1 << 20, b).value());
    ASSERT_EQ(b.records.size(), 2u);
    EXPECT_EQ(Text(b, 0), "{\"id\":1}");
    EXPECT_EQ(b.records[0].number, 1u);
    EXPECT_EQ(Text(b, 1), "{\"id\":2}");  // CR stripped, blank line 2 skipped
    EXPECT_EQ(b.records[1].number, 3u);
    EXPECT_EQ(b.end.records, 3u);
    ASSERT_TRUE(reader->Next(10, 1 << 20, b).value());
    ASSERT_EQ(b.records.size(), 2u);
    EXPECT_EQ(Text(b, 1), "{\"id\":4}");
    EXPECT_EQ(b.records[1].number, 5u);
    EXPECT_FALSE(reader->Next(10, 1 << 20, b).value());
  }
}

TEST(Readers, BatchesStopAtTheByteBudget) {
  std::string data;
  for (int i = 0; i < 100; ++i)
    data += "{\"id\":" + std::to_string(i) + ",\"pad\":\"xxxxxxxxxx\"}\n";
  auto reader = Open(Write("b.jsonl", data));
  RawBatch b;
  ASSERT_TRUE(reader->Next(1000, 100, b).value());
  EXPECT_EQ(b.records.size(), 4u);  // ~30 bytes each: stops once 100 bytes are reached
  size_t total = b.records.size();
  while (reader->Next(1000, 100, b).value()) total += b.records.size();
  EXPECT_EQ(total, 100u);
}

TEST(Readers, ResumesFromAPosition) {
  for (const std::string& data : {kJsonl, Gzip(kJsonl)}) {
    std::string path = Write("c.jsonl", data);
    SourcePosition pos;
    {
      auto reader = Open(path);
      RawBatch b;
      ASSERT_TRUE(reader->Next(2, 1 << 20, b).value());
      pos = b.end;
    }
    auto reader = Open(path);
    ASSERT_TRUE(reader->Seek(pos).ok());
    RawBatch b;
    ASSERT_TRUE(reader->Next(10, 1 << 20, b).value());
    ASSERT_EQ(b.records.size(), 2u);
    EXPECT_EQ(Text(b, 0), "{\"id\":3}");
    EXPECT_EQ(b.records[0].number, 4u);
  }
}

TEST(Readers, DamagedCompressionIsAnError) {
  std::string gz = Gzip(kJsonl + kJsonl + kJsonl);
  auto reader = Open(Write("d.jsonl.gz", gz.substr(0, gz.size() - 12)));
  RawBatch b;
  base::Status st = base::Status::Ok();
  while (true) {
    auto r = reader->Next(10, 1 << 20, b);
    if (!r.ok()) {
      st = r.status();
      break;
    }
    if (!r.value()) break;
  }
  EXPECT_EQ(st.code(), base::StatusCode::kCorruption);
}

TEST(Readers, CsvQuotedFieldsSpanLines) {
  std::string csv = "id,vector,title\n1,\"[1,2]\",\"a \"\"quoted\"\"\ntitle\"\n2,\"[3,4]\",b\n";
  auto reader = Open(Write("e.csv", csv));
  const CsvSchema& s = reader->layout().csv;
  EXPECT_EQ(reader->layout().kind, RecordLayout::Kind::kCsv);
  EXPECT_EQ(s.id_column, 0);
  EXPECT_EQ(s.vector_column, 1);
  RawBatch b;
  ASSERT_TRUE(reader->Next(10, 1 << 20, b).value());
  ASSERT_EQ(b.records.size(), 2u);
  EXPECT_EQ(b.records[0].number, 2u);
  EXPECT_EQ(b.records[1].number, 4u);  // the first record spans lines 2-3
  std::vector<std::string_view> fields;
  std::string scratch;
  ASSERT_TRUE(SplitCsvRecord(Text(b, 0), ',', fields, scratch).ok());
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[1], "[1,2]");
  EXPECT_EQ(fields[2], "a \"quoted\"\ntitle");
}

TEST(Readers, CsvHeaderSchema) {
  auto s =
      CsvSchema::FromHeader("id,vector_1,vector_0,year:int,tags:json,name", ',', "id", "vector");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s.value().element_columns, (std::vector<int>{2, 1}));
  EXPECT_EQ(s.value().columns[3].name, "year");
  EXPECT_EQ(s.value().columns[3].type, CsvType::kInt);
  EXPECT_EQ(s.value().columns[4].type, CsvType::kJson);
  EXPECT_FALSE(CsvSchema::FromHeader("id,vector_0,vector_2", ',', "id", "vector").ok());
  EXPECT_FALSE(CsvSchema::FromHeader("id,title", ',', "id", "vector").ok());
  std::vector<std::string_view> f;
  std::string scratch;
  ASSERT_TRUE(SplitCsvRecord("a,,c,", ',', f, scratch).ok());
  EXPECT_EQ(f.size(), 4u);
  EXPECT_FALSE(SplitCsvRecord("\"a\"b,c", ',', f, scratch).ok());
}

std::string Npy(const std::string& descr, int rows, int dims, const std::string& data) {
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" +
                     std::to_string(rows) + ", " + std::to_string(dims) + "), }";
  size_t total = 10 + dict.size() + 1;
  dict += std::string((64 - total % 64) % 64, ' ') + "\n";
  std::string out = "\x93NUMPY\x01";
  out.push_back('\0');
  out.push_back(static_cast<char>(dict.size() & 0xFF));
  out.push_back(static_cast<char>(dict.size() >> 8));
  return out + dict + data;
}

TEST(Readers, NpyFloat32WithPayloads) {
  float v[6] = {1, 2, 3, 4, 5, 6};
  std::string path = Write("f.npy", Npy("<f4", 3, 2, std::string(reinterpret_cast<char*>(v), 24)));
  std::string payload = Write("f.jsonl", "{\"a\":1}\n\n");
  auto reader = Open(path, InputFormat::kAuto, payload);
  EXPECT_EQ(reader->layout().kind, RecordLayout::Kind::kDense);
  EXPECT_EQ(reader->total_records().value(), 3u);
  RawBatch b;
  ASSERT_TRUE(reader->Next(10, 1 << 20, b).value());
  ASSERT_EQ(b.records.size(), 3u);
  EXPECT_EQ(b.records[0].size, 8u);
  EXPECT_EQ(b.data.substr(b.records[0].payload_offset, b.records[0].payload_size), "{\"a\":1}");
  EXPECT_EQ(b.records[1].payload_size, 0u);  // blank payload line
  EXPECT_FALSE(b.records[1].missing_payload);
  EXPECT_TRUE(b.records[2].missing_payload);  // the payload file ended
  EXPECT_EQ(ReadElement(b.data.data() + b.records[2].offset, DType::kF32, 1), 6.0f);
}

TEST(Readers, NpyHeaders) {
  auto h = ParseNpyHeader(Npy("<f2", 10, 384, ""));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h.value().dtype, DType::kF16);
  EXPECT_EQ(h.value().rows, 10u);
  EXPECT_EQ(h.value().dims, 384u);
  EXPECT_EQ(h.value().data_offset % 64, 0u);
  EXPECT_FALSE(ParseNpyHeader(Npy("<i4", 10, 3, "")).ok());
  EXPECT_FALSE(ParseNpyHeader(Npy("<f4", 10, 0, "")).ok());
  EXPECT_FALSE(ParseNpyHeader("not numpy at all").ok());
  EXPECT_EQ(HalfToFloat(0x3e00), 1.5f);
  EXPECT_EQ(HalfToFloat(0x7bff), 65504.0f);
  EXPECT_EQ(HalfToFloat(0x0001), 5.9604645e-08f);
  EXPECT_EQ(HalfToFloat(0x8400), -6.1035156e-05f);
}

TEST(Readers, Fvecs) {
  std::string data;
  for (int row = 0; row < 5; ++row) {
    int32_t dim = 3;
    data.append(reinterpret_cast<char*>(&dim), 4);
    for (int i = 0; i < 3; ++i) {
      float f = row * 10.0f + i;
      data.append(reinterpret_cast<char*>(&f), 4);
    }
  }
  auto reader = Open(Write("g.fvecs", data));
  RawBatch b;
  ASSERT_TRUE(reader->Next(2, 1 << 20, b).value());
  EXPECT_EQ(reader->total_records().value(), 5u);
  ASSERT_EQ(b.records.size(), 2u);
  EXPECT_EQ(b.records[1].number, 2u);
  EXPECT_EQ(ReadElement(b.data.data() + b.records[1].offset, DType::kF32, 2), 12.0f);
  SourcePosition pos = b.end;
  auto again = Open(Write("g.fvecs", data));
  ASSERT_TRUE(again->Seek(pos).ok());
  ASSERT_TRUE(again->Next(10, 1 << 20, b).value());
  ASSERT_EQ(b.records.size(), 3u);
  EXPECT_EQ(b.records[0].number, 3u);
  EXPECT_EQ(ReadElement(b.data.data() + b.records[0].offset, DType::kF32, 0), 20.0f);
  auto truncated = Open(Write("h.fvecs", data.substr(0, data.size() - 2)));
  while (true) {
    auto r = truncated->Next(10, 1 << 20, b);
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), base::StatusCode::kFormat);
      break;
    }
    ASSERT_TRUE(r.value()) << "a truncated fvecs file must be an error";
  }
}

TEST(Readers, FormatFromNames) {
  char d = ',';
  EXPECT_EQ(FormatFromFileName("x/data.jsonl.zst", &d), InputFormat::kJsonl);
  EXPECT_EQ(FormatFromFileName("data.CSV.gz", &d), InputFormat::kCsv);
  EXPECT_EQ(FormatFromFileName("data.tsv", &d), InputFormat::kCsv);
  EXPECT_EQ(d, '\t');
  EXPECT_EQ(FormatFromFileName("base.fvecs", &d), InputFormat::kFvecs);
  EXPECT_EQ(FormatFromFileName("data.bin", &d), InputFormat::kAuto);
}

}  // namespace
}  // namespace quiver::ops::ingest
