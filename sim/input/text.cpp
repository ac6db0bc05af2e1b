#include "input/text.hpp"

#include <algorithm>
#include <charconv>
#include <cstdarg>
#include <cstdio>

namespace ccgrisk {

namespace {

// Length of the UTF-8 sequence starting at s[i] (1 to 4), or 0 when the
// bytes there are not one (overlong forms and surrogates included).
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t n = 0;
  unsigned min_second = 0x80, max_second = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) min_second = 0xA0;  // overlong
    if (c == 0xED) max_second = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) min_second = 0x90;  // overlong
    if (c == 0xF4) max_second = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (byte(i + 1) < min_second || byte(i + 1) > max_second) return 0;
  for (std::size_t k = 2; k < n; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  return n;
}

}  // namespace

std::string text_problem(std::string_view text, std::size_t max_bytes) {
  if (text.size() > max_bytes)
    return "is " + std::to_string(text.size()) + " bytes long (at most " +
           std::to_string(max_bytes) + ")";
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == 0) return "contains a NUL byte";
    if (c < 0x20 || c == 0x7F) {
      char code[8];
      std::snprintf(code, sizeof code, "%02X", static_cast<unsigned>(c));
      return std::string("contains the control character 0x") + code;
    }
    const std::size_t n = utf8_length(text, i);
    if (n == 0) return "is not valid UTF-8 (byte " + std::to_string(i + 1) + ")";
    i += n;
  }
  return "";
}

std::size_t utf8_prefix_length(std::string_view text, std::size_t max_bytes) {
  std::size_t end = std::min(text.size(), max_bytes);
  while (end > 0 && end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
    --end;  // not inside a UTF-8 sequence
  return end;
}

namespace {

// `text` cut after `max_bytes` (at a character boundary), its control
// characters as \xNN but for line breaks where `keep_newlines`; the caller
// marks a cut.
std::string escaped(std::string_view text, std::size_t max_bytes, bool keep_newlines) {
  std::string out;
  for (const char ch : text.substr(0, utf8_prefix_length(text, max_bytes))) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 0x20 && c != 0x7F) || (keep_newlines && ch == '\n')) {
      out.push_back(ch);
      continue;
    }
    char code[8];
    std::snprintf(code, sizeof code, "\\x%02X", static_cast<unsigned>(c));
    out.append(code);
  }
  return out;
}

}  // namespace

std::string printable(std::string_view text, std::size_t max_bytes) {
  std::string out = escaped(text, max_bytes, false);
  if (text.size() > max_bytes) out.append("...");
  return out;
}

std::string message_text(std::string_view text) {
  std::string out = escaped(text, kMaxMessageBytes, true);
  if (text.size() > kMaxMessageBytes) out.append("... (" + std::to_string(text.size()) + " bytes)");
  return out;
}

std::string with_commas(long long v) {
  // The magnitude in unsigned arithmetic: -v overflows for the most negative.
  const unsigned long long magnitude =
      v < 0 ? 0ull - static_cast<unsigned long long>(v) : static_cast<unsigned long long>(v);
  const std::string digits = std::to_string(magnitude);
  std::string s = v < 0 ? "-" : "";
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) s += ',';
    s += digits[i];
  }
  return s;
}

std::string strprintf(const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  va_list again;
  va_copy(again, args);
  const int length = std::vsnprintf(nullptr, 0, fmt, args);
  va_end(args);
  std::string out(length > 0 ? static_cast<std::size_t>(length) : 0, '\0');
  if (length > 0) std::vsnprintf(out.data(), out.size() + 1, fmt, again);
  va_end(again);
  return out;
}

std::string_view trim_blanks(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

std::string rounded_text(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

std::string number_text(double x) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
  return ec == std::errc{} ? std::string(buf, end) : std::string("nan");
}

}  // namespace ccgrisk
