// Data URLs and gzip (see data_url.h). Media type parameters are ignored, as Ignition ignores them
// (coreos/ignition internal/resource/url.go uses vincent-petithory/dataurl and keeps only the
// data).
#include "data_url.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "base64.h"

namespace imageswitch {
namespace {

/// Value of one hex digit, or -1.
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// Percent-decodes `text` (RFC 3986 §2.1); an error on a truncated or non-hex escape.
Result<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    const int hi = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
    const int lo = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
    if (hi < 0 || lo < 0)
      return make_error(ErrorKind::Usage, "invalid percent escape at offset " + std::to_string(i));
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

/// True when the media-type part of a data URL ends in ";base64" (case-insensitive).
bool is_base64_header(std::string_view header) {
  if (header.size() < 7) return false;
  std::string tail(header.substr(header.size() - 7));
  std::transform(tail.begin(), tail.end(), tail.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return tail == ";base64";
}

struct InflateEnd {
  void operator()(z_stream* s) const {
    inflateEnd(s);
    delete s;
  }
};

}  // namespace

std::string url_scheme(std::string_view url) {
  const auto colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0) return "";
  std::string scheme(url.substr(0, colon));
  for (char& c : scheme) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return "";
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return scheme;
}

Result<std::string> decode_data_url(std::string_view url) {
  if (url_scheme(url) != "data")
    return make_error(ErrorKind::Usage,
                      "not a data URL (expected \"data:[<mediatype>][;base64],<data>\")");
  const auto comma = url.find(',');
  if (comma == std::string_view::npos)
    return make_error(ErrorKind::Usage, "data URL without a ',' before its data");
  const std::string_view header = url.substr(5, comma - 5);
  auto data = percent_decode(url.substr(comma + 1));
  if (!data) return data.error();
  if (data->size() > kMaxFileBytes) return make_error(ErrorKind::Usage, "data larger than 64 MiB");
  if (!is_base64_header(header)) return data;
  auto bytes = base64_decode(*data);
  if (!bytes) return make_error(ErrorKind::Usage, "invalid base64 data");
  return std::move(*bytes);
}

Result<std::string> gunzip(std::string_view compressed) {
  std::unique_ptr<z_stream, InflateEnd> stream(new z_stream{});
  if (inflateInit2(stream.get(), 16 + MAX_WBITS) != Z_OK) {
    delete stream.release();
    return make_error(ErrorKind::Usage, "cannot start gzip decompression");
  }
  stream->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream->avail_in = static_cast<uInt>(compressed.size());
  std::string out;
  char buffer[65536];
  for (;;) {
    stream->next_out = reinterpret_cast<Bytef*>(buffer);
    stream->avail_out = sizeof buffer;
    const int rc = inflate(stream.get(), Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - stream->avail_out);
    if (out.size() > kMaxFileBytes)
      return make_error(ErrorKind::Usage, "gzip data expands to more than 64 MiB");
    if (rc == Z_STREAM_END) break;
    if (rc != Z_OK)
      return make_error(ErrorKind::Usage, std::string("invalid gzip data (") +
                                              (stream->msg ? stream->msg : "truncated") + ")");
    if (stream->avail_in == 0 && stream->avail_out != 0)
      return make_error(ErrorKind::Usage, "invalid gzip data (truncated)");
  }
  if (stream->avail_in != 0)
    return make_error(ErrorKind::Usage, "trailing bytes after the gzip data");
  return out;
}

}  // namespace imageswitch
