#include "ops/s3/s3_xml.h"

#include <tinyxml2.h>

#include <charconv>
#include <ctime>

namespace quiver::ops::s3xml {
namespace {

using base::Result;
using base::Status;
using tinyxml2::XMLDocument;
using tinyxml2::XMLElement;

Status Bad(std::string_view what, std::string_view detail) {
  return Status::Corruption("S3: malformed " + std::string(what) +
                            " response: " + std::string(detail));
}

// Parses `body` into `doc`; the root element must be one of `roots` (first match returned).
Result<const XMLElement*> ParseRoot(XMLDocument& doc, std::string_view body, std::string_view what,
                                    std::initializer_list<const char*> roots) {
  if (body.size() > kMaxXmlBytes) return Bad(what, "document larger than 16 MiB");
  if (doc.Parse(body.data(), body.size()) != tinyxml2::XML_SUCCESS) {
    return Bad(what, std::string("not XML (") + doc.ErrorName() + ")");
  }
  const XMLElement* root = doc.RootElement();
  if (root == nullptr) return Bad(what, "no root element");
  for (const char* name : roots) {
    if (std::string_view(root->Name()) == name) return root;
  }
  return Bad(what, "unexpected root element <" + std::string(root->Name()) + ">");
}

// Text of the child element `name`, "" when absent or empty.
std::string ChildText(const XMLElement* parent, const char* name) {
  const XMLElement* e = parent->FirstChildElement(name);
  if (e == nullptr || e->GetText() == nullptr) return "";
  return e->GetText();
}

bool ParseUint(std::string_view text, uint64_t& out) {
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

void AppendEscaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
}

}  // namespace

Result<S3Error> ParseError(std::string_view body) {
  XMLDocument doc;
  auto root = ParseRoot(doc, body, "error", {"Error", "ErrorResponse"});
  if (!root.ok()) return root.status();
  const XMLElement* error = *root;
  if (std::string_view(error->Name()) == "ErrorResponse") {
    error = error->FirstChildElement("Error");
    if (error == nullptr) return Bad("error", "<ErrorResponse> without <Error>");
  }
  S3Error out;
  out.code = ChildText(error, "Code");
  out.message = ChildText(error, "Message");
  out.request_id = ChildText(error, "RequestId");
  if (out.request_id.empty()) out.request_id = ChildText(*root, "RequestId");
  if (out.code.empty()) return Bad("error", "<Error> without <Code>");
  return out;
}

Status ErrorStatus(std::string_view what, long http_status, std::string_view body) {
  std::string message = std::string(what) + " failed: ";
  auto parsed = ParseError(body);
  std::string code;
  if (parsed.ok()) {
    code = parsed->code;
    message += code;
    if (!parsed->message.empty()) message += " (" + parsed->message + ")";
    message += ", HTTP " + std::to_string(http_status);
    if (!parsed->request_id.empty()) message += ", request id " + parsed->request_id;
  } else {
    message += "HTTP " + std::to_string(http_status);
  }
  if (code == "PermanentRedirect" || code == "AuthorizationHeaderMalformed" ||
      code == "IllegalLocationConstraintException") {
    message += "; the bucket is probably in another region: set AWS_REGION (or --s3-region)";
  }
  if (code == "NoSuchBucket" || code == "NoSuchKey" || code == "NoSuchUpload" ||
      (code.empty() && http_status == 404)) {
    return Status::NotFound(message);
  }
  if (code == "AccessDenied" || code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch" ||
      code == "ExpiredToken" || code == "InvalidToken" || code == "TokenRefreshRequired" ||
      code == "AllAccessDisabled" || code == "AccountProblem" ||
      (code.empty() && (http_status == 401 || http_status == 403))) {
    return Status::Forbidden(message);
  }
  return Status::Internal(message);
}

Result<ListPage> ParseListObjectsV2(std::string_view body) {
  XMLDocument doc;
  auto root = ParseRoot(doc, body, "ListObjectsV2", {"ListBucketResult"});
  if (!root.ok()) return root.status();
  ListPage page;
  const std::string truncated = ChildText(*root, "IsTruncated");
  if (truncated == "true") {
    page.truncated = true;
  } else if (!truncated.empty() && truncated != "false") {
    return Bad("ListObjectsV2", "IsTruncated is not true/false");
  }
  page.next_continuation_token = ChildText(*root, "NextContinuationToken");
  if (page.truncated && page.next_continuation_token.empty()) {
    return Bad("ListObjectsV2", "truncated listing without NextContinuationToken");
  }
  for (const XMLElement* c = (*root)->FirstChildElement("Contents"); c != nullptr;
       c = c->NextSiblingElement("Contents")) {
    ObjectInfo info;
    info.key = ChildText(c, "Key");
    if (info.key.empty()) return Bad("ListObjectsV2", "<Contents> without <Key>");
    const std::string size = ChildText(c, "Size");
    if (!ParseUint(size, info.size)) return Bad("ListObjectsV2", "bad <Size> for " + info.key);
    page.objects.push_back(std::move(info));
  }
  return page;
}

Result<std::string> ParseInitiateMultipartUpload(std::string_view body) {
  XMLDocument doc;
  auto root = ParseRoot(doc, body, "CreateMultipartUpload", {"InitiateMultipartUploadResult"});
  if (!root.ok()) return root.status();
  std::string id = ChildText(*root, "UploadId");
  if (id.empty()) return Bad("CreateMultipartUpload", "no <UploadId>");
  return id;
}

Result<UploadsPage> ParseListMultipartUploads(std::string_view body) {
  XMLDocument doc;
  auto root = ParseRoot(doc, body, "ListMultipartUploads", {"ListMultipartUploadsResult"});
  if (!root.ok()) return root.status();
  UploadsPage page;
  const std::string truncated = ChildText(*root, "IsTruncated");
  if (truncated == "true") {
    page.truncated = true;
  } else if (!truncated.empty() && truncated != "false") {
    return Bad("ListMultipartUploads", "IsTruncated is not true/false");
  }
  page.next_key_marker = ChildText(*root, "NextKeyMarker");
  page.next_upload_id_marker = ChildText(*root, "NextUploadIdMarker");
  if (page.truncated && page.next_key_marker.empty()) {
    return Bad("ListMultipartUploads", "truncated listing without NextKeyMarker");
  }
  for (const XMLElement* u = (*root)->FirstChildElement("Upload"); u != nullptr;
       u = u->NextSiblingElement("Upload")) {
    UploadInfo info;
    info.key = ChildText(u, "Key");
    info.upload_id = ChildText(u, "UploadId");
    if (info.key.empty() || info.upload_id.empty()) {
      return Bad("ListMultipartUploads", "<Upload> without <Key> or <UploadId>");
    }
    auto initiated = ParseIso8601Utc(ChildText(u, "Initiated"));
    if (!initiated.ok()) return Bad("ListMultipartUploads", initiated.status().message());
    info.initiated_unix = *initiated;
    page.uploads.push_back(std::move(info));
  }
  return page;
}

Status ParseCompleteMultipartUpload(std::string_view body) {
  XMLDocument doc;
  auto root =
      ParseRoot(doc, body, "CompleteMultipartUpload", {"CompleteMultipartUploadResult", "Error"});
  if (!root.ok()) return root.status();
  if (std::string_view((*root)->Name()) == "Error") {
    return ErrorStatus("CompleteMultipartUpload", 200, body);
  }
  return Status::Ok();
}

std::string BuildCompleteMultipartUpload(const std::vector<std::string>& etags) {
  std::string out = "<CompleteMultipartUpload>";
  for (size_t i = 0; i < etags.size(); ++i) {
    out += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>";
    AppendEscaped(out, etags[i]);
    out += "</ETag></Part>";
  }
  out += "</CompleteMultipartUpload>";
  return out;
}

Result<StsCredentials> ParseAssumeRoleWithWebIdentity(std::string_view body) {
  XMLDocument doc;
  auto root =
      ParseRoot(doc, body, "AssumeRoleWithWebIdentity", {"AssumeRoleWithWebIdentityResponse"});
  if (!root.ok()) return root.status();
  const XMLElement* result = (*root)->FirstChildElement("AssumeRoleWithWebIdentityResult");
  const XMLElement* creds = result ? result->FirstChildElement("Credentials") : nullptr;
  if (creds == nullptr) return Bad("AssumeRoleWithWebIdentity", "no <Credentials>");
  StsCredentials out;
  out.access_key_id = ChildText(creds, "AccessKeyId");
  out.secret_access_key = ChildText(creds, "SecretAccessKey");
  out.session_token = ChildText(creds, "SessionToken");
  if (out.access_key_id.empty() || out.secret_access_key.empty() || out.session_token.empty()) {
    return Bad("AssumeRoleWithWebIdentity", "incomplete <Credentials>");
  }
  auto expiration = ParseIso8601Utc(ChildText(creds, "Expiration"));
  if (!expiration.ok()) return Bad("AssumeRoleWithWebIdentity", expiration.status().message());
  out.expiration_unix = *expiration;
  return out;
}

Result<int64_t> ParseIso8601Utc(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fff]Z
  auto bad = [&] {
    return Status::BadInput("not an ISO 8601 UTC time: '" + std::string(text) + "'");
  };
  if (text.size() < 20 || text.back() != 'Z' || text[4] != '-' || text[7] != '-' ||
      text[10] != 'T' || text[13] != ':' || text[16] != ':') {
    return bad();
  }
  std::string_view frac = text.substr(19, text.size() - 20);
  if (!frac.empty() && (frac[0] != '.' || !AllDigits(frac.substr(1)))) return bad();
  const std::string_view parts[] = {text.substr(0, 4),  text.substr(5, 2),  text.substr(8, 2),
                                    text.substr(11, 2), text.substr(14, 2), text.substr(17, 2)};
  uint64_t v[6];
  for (int i = 0; i < 6; ++i) {
    if (!AllDigits(parts[i]) || !ParseUint(parts[i], v[i])) return bad();
  }
  if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 60) {
    return bad();
  }
  std::tm tm{};
  tm.tm_year = static_cast<int>(v[0]) - 1900;
  tm.tm_mon = static_cast<int>(v[1]) - 1;
  tm.tm_mday = static_cast<int>(v[2]);
  tm.tm_hour = static_cast<int>(v[3]);
  tm.tm_min = static_cast<int>(v[4]);
  tm.tm_sec = static_cast<int>(v[5]);
  return static_cast<int64_t>(timegm(&tm));
}

}  // namespace quiver::ops::s3xml
