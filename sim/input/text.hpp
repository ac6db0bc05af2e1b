// Checks on the text of names and codes read from input files, so that every
// name can be written to HDF5 (UTF-8 strings, no NUL), a spreadsheet and an
// HTML report, and printed in a message; and how numbers are written in
// messages, summaries and exported tables.
#pragma once

#include <string>
#include <string_view>

namespace ccgrisk {

// What is wrong with `text` as a name or code, or "" when nothing is: a NUL
// byte or another control character (tab and line breaks included), bytes
// that are not UTF-8, or more than `max_bytes` bytes.
std::string text_problem(std::string_view text, std::size_t max_bytes);

// The length of the longest prefix of `text` of at most `max_bytes` bytes
// that does not end inside a UTF-8 sequence.
std::size_t utf8_prefix_length(std::string_view text, std::size_t max_bytes);

// `text` as messages show it: control characters as \xNN, and cut after
// `max_bytes` (at a character boundary) with "..." when longer.
std::string printable(std::string_view text, std::size_t max_bytes = 60);

// printf into a std::string of whatever length it needs (checked by the
// compiler as printf is).
[[gnu::format(printf, 1, 2)]] std::string strprintf(const char* fmt, ...);

// `text` without surrounding spaces and tabs.
std::string_view trim_blanks(std::string_view text);

// The shortest decimal that reads back as exactly `x` (0.6, not
// 0.59999999999999998): how parameter values, bounds and exported numbers
// are written. "nan", "inf" and "-inf" for those.
std::string number_text(double x);

// `x` to 6 significant digits, for limits the code derives (0.4, not
// 0.39999999999999997); a value the user gave is shown with number_text.
std::string rounded_text(double x);

// A whole number with thousands separators: 200000 -> "200,000".
std::string with_commas(long long v);

// A whole message as printed on stderr: line breaks kept, other control
// characters as \xNN (a path or value may hold any byte), and cut after
// kMaxMessageBytes with "... (N bytes)" when longer.
inline constexpr std::size_t kMaxMessageBytes = 1'000;
std::string message_text(std::string_view text);

}  // namespace ccgrisk
