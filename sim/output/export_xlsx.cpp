// The Excel side of export.hpp, through libxlsxwriter (C API, Debian
// libxlsxwriter-dev).
#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "input/text.hpp"
#include "output/export.hpp"
#include "output/file_output.hpp"
#include "output/units.hpp"

namespace ccgrisk {
namespace {

namespace fs = std::filesystem;

// Cell formats shared by every sheet, by the units of a column.
struct Formats {
  lxw_format* header = nullptr;
  lxw_format* text = nullptr;
  std::map<std::string, lxw_format*> number;  // units -> number format

  explicit Formats(lxw_workbook* wb) {
    header = workbook_add_format(wb);
    format_set_bold(header);
    format_set_text_wrap(header);
    format_set_align(header, LXW_ALIGN_VERTICAL_TOP);
    text = workbook_add_format(wb);
    format_set_align(text, LXW_ALIGN_VERTICAL_TOP);
    add(wb, units::kMoneyHeader, "#,##0.0");
    add(wb, units::kProbability, "0.0000");
    add(wb, units::kCcgs, "0.00");
  }

  void add(lxw_workbook* wb, const std::string& units, const char* format) {
    lxw_format* f = workbook_add_format(wb);
    format_set_num_format(f, format);
    number[units] = f;
  }

  lxw_format* for_column(const Column& c) const {
    if (c.is_text()) return text;
    const auto it = number.find(c.units);
    return it == number.end() ? nullptr : it->second;
  }
};

void check(lxw_error err, const std::string& what) {
  if (err != LXW_NO_ERROR) throw std::runtime_error(what + ": " + lxw_strerror(err));
}

double column_width(const Column& c) {
  std::size_t width = std::min<std::size_t>(c.header().size(), 24);
  if (c.is_text())
    for (const std::string& s : c.text)
      width = std::max(width, std::min<std::size_t>(s.size(), 60));
  return static_cast<double>(std::max<std::size_t>(width, 10)) + 1.0;
}

// A text as a cell holds it: Excel's cells hold at most 32,767 characters
// (a long scenario text or name would fail the whole workbook), so a longer
// one is cut, on a UTF-8 character's start, and says so.
std::string cell_text(const std::string& text) {
  constexpr std::size_t kCellLimit = 32'767;
  if (text.size() <= kCellLimit) return text;
  static const std::string note =
      " [cut here: an Excel cell holds 32,767 characters; the whole text is in the results "
      "file and the CSV export]";
  return text.substr(0, utf8_prefix_length(text, kCellLimit - note.size())) + note;
}

void write_cell(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, const Column& c, std::size_t i,
                lxw_format* format, const std::string& where) {
  if (c.is_text()) {
    check(worksheet_write_string(ws, row, col, cell_text(c.text[i]).c_str(), format), where);
  } else if (std::isfinite(c.numbers[i])) {
    check(worksheet_write_number(ws, row, col, c.numbers[i], format), where);
  }
}

void write_sheet(lxw_workbook* wb, const Formats& formats, const Table& t) {
  lxw_worksheet* ws = workbook_add_worksheet(wb, t.name.c_str());
  if (ws == nullptr) throw std::runtime_error("cannot add sheet '" + t.name + "'");
  const std::string where = "sheet '" + t.name + "'";
  for (std::size_t j = 0; j < t.columns.size(); ++j) {
    const Column& c = t.columns[j];
    const auto col = static_cast<lxw_col_t>(j);
    lxw_format* format = formats.for_column(c);
    check(worksheet_set_column(ws, col, col, column_width(c), nullptr), where);
    check(worksheet_write_string(ws, 0, col, c.header().c_str(), formats.header), where);
    for (std::size_t i = 0; i < c.size(); ++i)
      write_cell(ws, static_cast<lxw_row_t>(i + 1), col, c, i, format, where);
  }
  worksheet_freeze_panes(ws, 1, 0);
  if (!t.columns.empty())
    check(worksheet_autofilter(ws, 0, 0, static_cast<lxw_row_t>(t.rows()),
                               static_cast<lxw_col_t>(t.columns.size() - 1)),
          where);
}

void write_workbook(const std::vector<Table>& tables, const fs::path& path) {
  lxw_workbook* wb = workbook_new(path.c_str());
  if (wb == nullptr) throw std::runtime_error("cannot create workbook");
  try {
    const Formats formats(wb);
    for (const Table& t : tables)
      write_sheet(wb, formats, t);
  } catch (...) {
    workbook_close(wb);  // frees it; the half-written file is removed by the caller
    throw;
  }
  check(workbook_close(wb), "cannot save workbook");
}

}  // namespace

void stage_xlsx(const std::vector<Table>& tables, const fs::path& path, StagedOutputs& outputs) {
  auto temp = std::make_unique<TempFile>(path);
  try {
    write_workbook(tables, temp->path());
  } catch (const std::exception& e) {
    throw OutputError("cannot write " + path.string() + ": " + e.what());
  }
  outputs.add(std::move(temp));
}

}  // namespace ccgrisk
