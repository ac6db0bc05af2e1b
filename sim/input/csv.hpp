// RFC 4180 CSV: a small reader for the input tables, and the fields that
// `template` and `export` write.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccgrisk {

// One record (row) of a CSV file and the 1-based line on which it starts.
struct CsvRecord {
  std::vector<std::string> fields;
  int line = 0;
};

// Splits `text` into records. Fields are separated by commas; a field in
// double quotes may hold commas, line breaks and doubled quotes ("" -> ").
// Records end at LF, CRLF or a lone CR; completely empty lines are skipped,
// and so are comment lines: a line whose first character is '#' (not a
// line inside a quoted field), which may hold any text up to its end. A
// leading UTF-8 byte order mark is ignored. Field text is returned as
// written (no trimming). Throws InputError "<source>:<line>: ..." for an
// unterminated quoted field, a character after a closing quote, or a quote
// inside an unquoted field.
std::vector<CsvRecord> parse_csv(std::string_view text, const std::string& source);

// The finite number written in `cell` (decimal or exponent form, optional
// sign, surrounding blanks allowed), or nothing when the whole cell is not
// one number: "12x", "1,000", "nan" and "inf" are all rejected.
std::optional<double> parse_cell_number(std::string_view cell);

// A field as written: in double quotes (a quote doubled) when it holds a
// comma, quote or line break, or starts with '#' (which would make a first
// field read as a comment line); as it is otherwise.
std::string csv_field(std::string_view s);

}  // namespace ccgrisk
