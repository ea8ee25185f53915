#include "api/multipart.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace quiver::api {
namespace {

TEST(MultipartTest, FindsTheNamedPart) {
  std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nabc\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"snapshot\"; filename=\"a.snapshot\"\r\n"
      "Content-Type: application/octet-stream\r\n\r\nbin\r\n--XyQ\r\n\r\n--XyZ--\r\n";
  auto p = FindMultipartPart("multipart/form-data; boundary=XyZ", body, "snapshot");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p.value().filename, "a.snapshot");
  EXPECT_EQ(p.value().data, "bin\r\n--XyQ\r\n");
  auto q = FindMultipartPart("multipart/form-data; boundary=\"XyZ\"", body, "other");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q.value().data, "abc");
}

TEST(MultipartTest, RejectsMissingFieldsAndMalformedBodies) {
  EXPECT_EQ(FindMultipartPart("application/json", "{}", "snapshot").status().code(),
            base::StatusCode::kBadRequest);
  EXPECT_FALSE(FindMultipartPart("multipart/form-data", "x", "snapshot").ok());
  EXPECT_FALSE(FindMultipartPart("multipart/form-data; boundary=b", "--b\r\nno end", "s").ok());
  std::string body = "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--b--\r\n";
  EXPECT_FALSE(FindMultipartPart("multipart/form-data; boundary=b", body, "snapshot").ok());
}

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("quiver-multipart-" + std::to_string(getpid()) + "-" + name))
      .string();
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary) << data;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The streaming extractor gives the same bytes as the in-memory one, also when parts and
// delimiters straddle its 1 MiB read chunks and the data holds near-delimiters.
TEST(MultipartTest, ExtractsAPartFromAFileAcrossChunks) {
  const std::string in = TempPath("in"), out = TempPath("out");
  for (size_t pad : {size_t{0}, size_t{1} << 20, (size_t{1} << 20) - 7, (size_t{3} << 20) + 5}) {
    std::string data;
    for (size_t i = 0; data.size() < (size_t{2} << 20) + 3; ++i) {
      data += (i % 1000 == 0) ? std::string("\r\n--XyQ\r\n") : std::string(1, char('a' + i % 26));
    }
    std::string body = "preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"pad\"\r\n\r\n" +
                       std::string(pad, 'p') +
                       "\r\n--XyZ\r\nContent-Disposition: form-data; name=\"snapshot\"; "
                       "filename=\"a.snapshot\"\r\n\r\n" +
                       data + "\r\n--XyZ--\r\n";
    WriteFile(in, body);
    base::Status st =
        ExtractMultipartPartToFile("multipart/form-data; boundary=XyZ", in, "snapshot", out);
    ASSERT_TRUE(st.ok()) << st.message();
    EXPECT_EQ(ReadFile(out), data) << "pad " << pad;
    auto mem = FindMultipartPart("multipart/form-data; boundary=XyZ", body, "snapshot");
    ASSERT_TRUE(mem.ok());
    EXPECT_EQ(mem.value().data, data);
  }
  WriteFile(in, "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--b--\r\n");
  EXPECT_EQ(
      ExtractMultipartPartToFile("multipart/form-data; boundary=b", in, "snapshot", out).code(),
      base::StatusCode::kBadRequest);
  WriteFile(in, "--b\r\nContent-Disposition: form-data; name=\"snapshot\"\r\n\r\nno end");
  EXPECT_FALSE(
      ExtractMultipartPartToFile("multipart/form-data; boundary=b", in, "snapshot", out).ok());
  EXPECT_FALSE(ExtractMultipartPartToFile("application/json", in, "snapshot", out).ok());
  std::filesystem::remove(in);
  std::filesystem::remove(out);
}

}  // namespace
}  // namespace quiver::api
