// quiver_s3_tool: a test-only driver of the S3 object store (not installed). Used by tests/s3.
//   quiver_s3_tool [options] put URL KEY FILE | put-bytes URL KEY TEXT | get URL KEY FILE |
//                            cat URL KEY | list URL [PREFIX] | delete URL KEY |
//                            abort-incomplete URL INITIATED_BEFORE_UNIX
// options: --endpoint E --region R --part-size N --parallel N --retries N --sse X --kms-key-id K
//          --storage-class C --path-style --virtual-host --page-size N --ca-file F
// Exit 0 on success; 1 with the error message on stderr otherwise; 2 on bad usage.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "ops/s3/s3_store.h"

namespace {

int Usage() {
  std::cerr << "usage: quiver_s3_tool [options] put|put-bytes|get|cat|list|delete URL ...\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  quiver::ops::S3Options options;
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--endpoint")
      options.endpoint = value();
    else if (a == "--region")
      options.region = value();
    else if (a == "--part-size")
      options.part_size = std::stoull(value());
    else if (a == "--parallel")
      options.parallel_parts = std::stoi(value());
    else if (a == "--retries")
      options.max_retries = std::stoi(value());
    else if (a == "--sse")
      options.sse = value();
    else if (a == "--kms-key-id")
      options.sse_kms_key_id = value();
    else if (a == "--storage-class")
      options.storage_class = value();
    else if (a == "--ca-file")
      options.ca_file = value();
    else if (a == "--page-size")
      options.list_page_size = std::stoi(value());
    else if (a == "--path-style")
      options.path_style = true;
    else if (a == "--virtual-host")
      options.virtual_host = true;
    else if (a.rfind("--", 0) == 0)
      return Usage();
    else
      args.push_back(a);
  }
  if (args.size() < 2) return Usage();
  const std::string& cmd = args[0];
  auto store = quiver::ops::OpenS3ObjectStore(args[1], options);
  if (!store.ok()) {
    std::cerr << "error: " << store.status().message() << "\n";
    return 1;
  }
  quiver::base::Status status;
  if (cmd == "put" && args.size() == 4) {
    status = (*store)->PutFile(args[2], args[3]);
  } else if (cmd == "put-bytes" && args.size() == 4) {
    status = (*store)->PutBytes(args[2], args[3]);
  } else if (cmd == "get" && args.size() == 4) {
    status = (*store)->GetToFile(args[2], args[3]);
  } else if (cmd == "cat" && args.size() == 3) {
    auto bytes = (*store)->GetBytes(args[2]);
    status = bytes.status();
    if (bytes.ok()) std::fwrite(bytes->data(), 1, bytes->size(), stdout);
  } else if (cmd == "list" && (args.size() == 2 || args.size() == 3)) {
    auto list = (*store)->List(args.size() == 3 ? args[2] : "");
    status = list.status();
    if (list.ok()) {
      for (const auto& info : *list) std::cout << info.size << " " << info.key << "\n";
    }
  } else if (cmd == "abort-incomplete" && args.size() == 3) {
    auto n = quiver::ops::AbortIncompleteS3Uploads(**store, std::stoll(args[2]));
    status = n.status();
    if (n.ok()) std::cout << *n << "\n";
  } else if (cmd == "delete" && args.size() == 3) {
    status = (*store)->Delete(args[2]);
  } else {
    return Usage();
  }
  if (!status.ok()) {
    std::cerr << "error: " << status.message() << "\n";
    return 1;
  }
  return 0;
}
