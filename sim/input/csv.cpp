#include "input/csv.hpp"

#include "input/error.hpp"
#include "input/text.hpp"

#include <charconv>
#include <cmath>

namespace ccgrisk {
namespace {

// A cursor over the text that counts lines as it goes.
class CsvParser {
 public:
  CsvParser(std::string_view text, const std::string& source) : text_(text), source_(source) {
    if (text_.starts_with("\xEF\xBB\xBF")) pos_ = 3;
  }

  std::vector<CsvRecord> records() {
    std::vector<CsvRecord> out;
    while (!at_end()) {
      if (at_line_end()) {  // an empty line: no record
        skip_line_end();
        continue;
      }
      if (text_[pos_] == '#') {  // a comment line: no record
        while (!at_end() && !at_line_end())
          ++pos_;
        if (!at_end()) skip_line_end();
        continue;
      }
      out.push_back(record());
    }
    return out;
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  bool at_line_end() const { return !at_end() && (text_[pos_] == '\n' || text_[pos_] == '\r'); }

  // Consumes LF, CRLF or a lone CR.
  void skip_line_end() {
    if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
  }

  [[noreturn]] void fail(int line, const std::string& what) const {
    throw InputError(source_ + ":" + std::to_string(line) + ": " + what);
  }

  CsvRecord record() {
    CsvRecord rec;
    rec.line = line_;
    for (;;) {
      rec.fields.push_back(field(static_cast<int>(rec.fields.size()) + 1));
      if (at_end()) break;
      if (at_line_end()) {
        skip_line_end();
        break;
      }
      ++pos_;  // the comma
    }
    return rec;
  }

  // Reads field `number` (1-based) and stops at the comma, line end or end
  // of text after it.
  std::string field(int number) {
    if (!at_end() && text_[pos_] == '"') return quoted_field();
    const std::size_t start = pos_;
    while (!at_end() && text_[pos_] != ',' && !at_line_end()) {
      if (text_[pos_] == '"') {
        fail(line_, "field " + std::to_string(number) +
                        ": quote inside an unquoted field (quote the whole field and double "
                        "the quote: \"\")");
      }
      ++pos_;
    }
    return std::string(text_.substr(start, pos_ - start));
  }

  std::string quoted_field() {
    const int start_line = line_;
    std::string value;
    ++pos_;  // opening quote
    for (;;) {
      if (at_end()) fail(start_line, "unterminated quoted field (missing closing \")");
      const char c = text_[pos_++];
      if (c == '"') {
        if (!at_end() && text_[pos_] == '"') {
          value += '"';
          ++pos_;
          continue;
        }
        break;
      }
      if (c == '\n' || (c == '\r' && (at_end() || text_[pos_] != '\n'))) ++line_;
      value += c;
    }
    if (!at_end() && text_[pos_] != ',' && !at_line_end()) {
      fail(line_, std::string("unexpected '") + text_[pos_] +
                      "' after a closing quote (expected a comma or the end of the line)");
    }
    return value;
  }

  std::string_view text_;
  const std::string& source_;
  std::size_t pos_ = 0;
  int line_ = 1;
};

}  // namespace

std::optional<double> parse_cell_number(std::string_view cell) {
  cell = trim_blanks(cell);
  if (cell.starts_with('+')) {  // from_chars takes a '-' sign only
    cell.remove_prefix(1);
    if (cell.starts_with('-')) return std::nullopt;
  }
  double value = 0.0;
  const char* end = cell.data() + cell.size();
  const auto [ptr, ec] = std::from_chars(cell.data(), end, value);
  if (ec != std::errc() || ptr != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::vector<CsvRecord> parse_csv(std::string_view text, const std::string& source) {
  return CsvParser(text, source).records();
}

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos && !s.starts_with('#'))
    return std::string(s);
  std::string q = "\"";
  for (char c : s)
    q.append(c == '"' ? "\"\"" : std::string(1, c));
  return q + "\"";
}

}  // namespace ccgrisk
