// Command-line overrides of scenario keys: KEY and VALUE parsing, applying
// an override to the parsed TOML table, and validation with the file's own
// messages (see overrides.hpp).
#include "input/overrides.hpp"

#include "input/error.hpp"
#include "input/horizon.hpp"
#include "input/input_file.hpp"
#include "input/overrides_toml.hpp"
#include "input/scenario_toml.hpp"
#include "input/text.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <optional>
#include <sstream>
#include <utility>

namespace ccgrisk {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kNone = std::string_view::npos;

// How messages about `o` start: "--set 'KEY=VALUE'", or its source.
std::string origin(const Override& o) {
  if (!o.source.empty()) return o.source;
  return std::string("--set '").append(o.key).append("=").append(o.value).append("'");
}

[[noreturn]] void fail(const Override& o, const std::string& what) {
  throw InputError(origin(o) + ": " + what);
}

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

// The first '=' of `arg` outside quotes, or kNone.
std::size_t find_equals(std::string_view arg) {
  char quote = 0;
  for (std::size_t i = 0; i < arg.size(); ++i) {
    const char c = arg[i];
    if (quote == 0 && c == '=') return i;
    if (quote == 0 && (c == '"' || c == '\'')) {
      quote = c;
    } else if (quote == '"' && c == '\\') {
      ++i;  // skips the escaped character
    } else if (c == quote) {
      quote = 0;
    }
  }
  return kNone;
}

// ------------------------------------------------------------------ KEY

// One step of a KEY: a table key (or, in an array of tables, an element's
// name) or an array index.
struct PathStep {
  bool is_index = false;
  std::string key;
  std::size_t index = 0;
};

// Reads a KEY: segments separated by '.', each bare (any characters but
// . [ ] " ', trimmed) or quoted ("..." with \" and \\, or '...'), each
// followed by any number of [N].
class KeyReader {
 public:
  explicit KeyReader(const Override& o) : o_(o), s_(o.key) {}

  std::vector<PathStep> read() {
    std::vector<PathStep> steps;
    do {
      skip_space();
      steps.push_back({false, segment(), 0});
      read_indexes(steps);
    } while (take('.'));
    if (pos_ < s_.size()) bad(std::string("unexpected '").append(1, s_[pos_]).append("'"));
    return steps;
  }

 private:
  void read_indexes(std::vector<PathStep>& steps) {
    skip_space();
    while (take('[')) {
      steps.push_back({true, "", number()});
      if (!take(']')) bad("expected ']' after the index");
      skip_space();
    }
  }

  std::string segment() {
    if (pos_ < s_.size() && (s_[pos_] == '"' || s_[pos_] == '\'')) return quoted(s_[pos_++]);
    return bare();
  }

  std::string bare() {
    const std::size_t start = pos_;
    while (pos_ < s_.size() && std::string_view(".[]\"'").find(s_[pos_]) == kNone)
      ++pos_;
    std::string key(trim_blanks(s_.substr(start, pos_ - start)));
    if (key.empty()) bad("empty key");
    return key;
  }

  std::string quoted(char quote) {
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != quote) {
      if (quote == '"' && s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;
      out += s_[pos_++];
    }
    if (!take(quote)) bad("unterminated quote");
    return out;
  }

  std::size_t number() {
    skip_space();
    std::size_t n = 0;
    const auto [end, ec] = std::from_chars(s_.data() + pos_, s_.data() + s_.size(), n);
    if (ec != std::errc()) bad("expected an index (0, 1, ...) in [ ]");
    pos_ = static_cast<std::size_t>(end - s_.data());
    skip_space();
    return n;
  }

  bool take(char c) {
    if (pos_ >= s_.size() || s_[pos_] != c) return false;
    ++pos_;
    return true;
  }

  void skip_space() {
    while (pos_ < s_.size() && is_space(s_[pos_]))
      ++pos_;
  }

  [[noreturn]] void bad(const std::string& what) const {
    fail(o_, std::string("bad KEY '")
                 .append(o_.key)
                 .append("': ")
                 .append(what)
                 .append(" at character ")
                 .append(std::to_string(pos_ + 1)));
  }

  const Override& o_;
  std::string_view s_;
  std::size_t pos_ = 0;
};

// ---------------------------------------------------------- writing TOML

bool is_bare_key(std::string_view k) {
  return !k.empty() && std::ranges::all_of(k, [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

// A TOML basic string: quotes, backslashes and control characters escaped.
std::string quoted_string(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.append(1, '\\').append(1, c);
    } else if (c == '\n') {
      out.append("\\n");
    } else if (c == '\t') {
      out.append("\\t");
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(u));
      out.append(buf);
    } else {
      out.append(1, c);
    }
  }
  return out.append("\"");
}

std::string key_text(std::string_view k) {
  return is_bare_key(k) ? std::string(k) : quoted_string(k);
}

// The shortest text that reads back as `x` (0.6, not 0.59999999999999998).
std::string float_text(double x) {
  std::string s = number_text(x);
  if (std::isfinite(x) && s.find_first_of(".e") == kNone) s.append(".0");
  return s;
}

std::string value_text(const toml::node& n);

template <class Range, class Format>
std::string joined(const Range& items, Format format) {
  std::string out;
  for (const auto& item : items)
    out.append(out.empty() ? "" : ", ").append(format(item));
  return out;
}

std::string key_value(std::string_view key, const toml::node& value) {
  return key_text(key).append(" = ").append(value_text(value));
}

// A value written inline: arrays as [a, b], tables as { k = v }.
std::string value_text(const toml::node& n) {
  if (const auto* s = n.as_string()) return quoted_string(s->get());
  if (const auto* i = n.as_integer()) return std::to_string(i->get());
  if (const auto* f = n.as_floating_point()) return float_text(f->get());
  if (const auto* b = n.as_boolean()) return b->get() ? "true" : "false";
  if (const auto* a = n.as_array()) {
    const auto element = [](const toml::node& e) { return value_text(e); };
    return std::string("[").append(joined(*a, element)).append("]");
  }
  if (const auto* t = n.as_table()) {
    if (t->empty()) return "{}";
    const auto entry = [](const auto& kv) { return key_value(kv.first.str(), kv.second); };
    return std::string("{ ").append(joined(*t, entry)).append(" }");
  }
  std::ostringstream os;  // a date or time, as toml++ writes it
  n.visit([&os](const auto& v) { os << v; });
  return os.str();
}

// A node written as a [section] or [[section]]s rather than inline.
bool is_section(const toml::node& n) {
  const toml::array* a = n.as_array();
  return n.is_table() || (a && !a->empty() && a->is_array_of_tables());
}

void write_table(std::string& out, const toml::table& t, const std::string& name);

void write_section(std::string& out, const toml::table& t, const std::string& name) {
  // A table of sections alone needs no header: [drivers.x] implies [drivers].
  if (t.empty() || !std::ranges::all_of(t, [](const auto& kv) { return is_section(kv.second); }))
    out.append("\n[").append(name).append("]\n");
  write_table(out, t, name);
}

// Plain keys first, then sub-tables and arrays of tables under `name`.
void write_table(std::string& out, const toml::table& t, const std::string& name) {
  for (const auto& [k, v] : t)
    if (!is_section(v)) out.append(key_value(k.str(), v)).append("\n");
  for (const auto& [k, v] : t) {
    if (!is_section(v)) continue;
    const std::string sub = name.empty() ? key_text(k.str()) : name + "." + key_text(k.str());
    if (const toml::table* table = v.as_table()) {
      write_section(out, *table, sub);
      continue;
    }
    for (const toml::node& element : *v.as_array()) {
      out.append("\n[[").append(sub).append("]]\n");
      write_table(out, *element.as_table(), sub);
    }
  }
}

// ---------------------------------------------------------------- VALUE

// VALUE parsed: the table {v = VALUE} and VALUE as TOML text.
struct ParsedValue {
  toml::table doc;
  std::string text;
};

// Whether a VALUE that is not TOML may be read as a bare string (student_t,
// 05Q, data/x.csv): it is one line and does not start like an array, an
// inline table or a quoted string. Validation then reports a string where
// a number belongs ("12abc") as "expected a number".
bool may_be_bare_word(std::string_view v) {
  return !v.empty() && v.find_first_of("\r\n") == kNone &&
         std::string_view("[{\"'").find(v.front()) == kNone;
}

// An optional sign and digits only.
bool is_digits(std::string_view v) {
  if (!v.empty() && (v.front() == '+' || v.front() == '-')) v.remove_prefix(1);
  return !v.empty() && std::ranges::all_of(v, [](char c) { return c >= '0' && c <= '9'; });
}

bool fits_int64(std::string_view v) {
  if (!v.empty() && v.front() == '+') v.remove_prefix(1);
  std::int64_t x = 0;
  return std::from_chars(v.data(), v.data() + v.size(), x).ec != std::errc::result_out_of_range;
}

ParsedValue bare_string(const std::string& value) {
  ParsedValue p;
  p.doc.insert("v", value);
  p.text = quoted_string(value);
  return p;
}

ParsedValue parse_value(const Override& o) {
  if (o.value.empty()) fail(o, "missing VALUE (for an empty string write \"\")");
  std::string error = "more than one value";
  const std::string line = std::string("v = ").append(o.value);
  if (non_ascii_outside_strings(line)) {
    error = "a non-ASCII character outside quotes";  // never given to toml++ (scenario_toml.hpp)
  } else {
    try {
      toml::table doc = toml::parse(line);
      if (doc.size() == 1 && doc.contains("v")) return {std::move(doc), o.value};
    } catch (const toml::parse_error& e) {
      error = std::string(e.description());
    }
  }
  if (is_digits(o.value) && !fits_int64(o.value)) {
    fail(o, "VALUE " + o.value + " is out of the range of a TOML integer (64-bit)");
  }
  if (!is_digits(o.value) && may_be_bare_word(o.value)) return bare_string(o.value);
  fail(o, std::string("VALUE '")
              .append(o.value)
              .append("' is not a TOML value (")
              .append(error)
              .append("); write a string in quotes, e.g. \"text\""));
}

// --------------------------------------------------------------- walking

// The `name` of an element of an array of tables, if it has one.
const std::string* name_of(const toml::node& element) {
  const toml::table* t = element.as_table();
  const toml::node* name = t ? t->get("name") : nullptr;
  const auto* s = name ? name->as_string() : nullptr;
  return s ? &s->get() : nullptr;
}

// Walks a document along one override's KEY; `where_` is the path so far.
class Walker {
 public:
  Walker(const Override& o, const fs::path& path) : o_(o), file_(display_name(path)) {}

  // The node `step` names inside `at`; a missing table is created unless
  // `next` indexes into it.
  toml::node& descend(toml::node& at, const PathStep& step, const PathStep& next) {
    if (toml::table* t = at.as_table(); t && !step.is_index) return child(*t, step.key, next);
    toml::array& a = as_array(at, step);
    return *a.get(slot(a, step));
  }

  // Sets what `step` names inside `at` to `value`.
  void assign(toml::node& at, const PathStep& step, toml::node&& value) {
    if (toml::table* t = at.as_table(); t && !step.is_index) {
      t->insert_or_assign(step.key, std::move(value));
      return;
    }
    toml::array& a = as_array(at, step);
    const std::size_t i = slot(a, step);
    a.replace(a.cbegin() + static_cast<std::ptrdiff_t>(i), std::move(value));
  }

 private:
  std::string here() const { return where_.empty() ? std::string("the scenario") : where_; }

  toml::node& child(toml::table& t, const std::string& key, const PathStep& next) {
    if (!t.contains(key)) {
      if (next.is_index) {
        fail(o_, join(key) + " is not in " + file_ + ", so it has no element [" +
                     std::to_string(next.index) + "]");
      }
      t.insert(key, toml::table{});
    }
    where_ = join(key);
    return *t.get(key);
  }

  std::string join(const std::string& key) const {
    return where_.empty() ? key_text(key) : where_ + "." + key_text(key);
  }

  toml::array& as_array(toml::node& at, const PathStep& step) const {
    if (toml::array* a = at.as_array()) return *a;
    if (step.is_index) {
      fail(o_, here() + " is " + describe(at) + " in " + file_ + ", not an array, so it has no [" +
                   std::to_string(step.index) + "]");
    }
    fail(o_, here() + " = " + describe(at) + " in " + file_ +
                 " is not a table, so it has no key '" + step.key + "'");
  }

  // The index of the element `step` names in `a` (by index or by name).
  std::size_t slot(const toml::array& a, const PathStep& step) {
    const std::size_t i = step.is_index ? in_range(a, step.index) : named(a, step.key);
    where_.append("[").append(std::to_string(i)).append("]");
    return i;
  }

  std::size_t in_range(const toml::array& a, std::size_t i) const {
    if (i < a.size()) return i;
    fail(o_, here() + " has " + std::to_string(a.size()) + " element(s) in " + file_ +
                 ", so there is no " + here() + "[" + std::to_string(i) + "] (indexes start at 0)");
  }

  // `names: "a", "b"` for the elements of `a` that have a name, for messages.
  static std::string names_in(const toml::array& a) {
    std::string names;
    for (const toml::node& element : a) {
      const std::string* n = name_of(element);
      if (n) names.append(names.empty() ? "names: " : ", ").append(quoted_string(*n));
    }
    return names.empty() ? std::string("none has a name") : names;
  }

  std::size_t named(const toml::array& a, const std::string& name) const {
    std::optional<std::size_t> found;
    for (std::size_t i = 0; i < a.size(); ++i) {
      const std::string* n = name_of(*a.get(i));
      if (!n || *n != name) continue;
      if (found)
        fail(o_, here() + " in " + file_ +
                     " has more than one element with name = " + quoted_string(name));
      found = i;
    }
    if (!found) {
      fail(o_, std::string("no element of ").append(here()).append(" in ").append(file_) +
                   " has name = " + quoted_string(name) + " (" + names_in(a) + ")");
    }
    return *found;
  }

  const Override& o_;
  std::string file_;
  std::string where_;
};

// -------------------------------------------------------- the scenario

// `base` with every override but the one at `skip` applied, in order.
toml::table applied(const toml::table& base, const std::vector<Override>& overrides,
                    const fs::path& path, std::size_t skip = kNone) {
  toml::table doc = base;
  for (std::size_t i = 0; i < overrides.size(); ++i)
    if (i != skip) apply_override(doc, overrides[i], path);
  return doc;
}

// The scenario `doc` describes, validated; for a run of several years
// every year's too (its [year.LABEL] tables, input/horizon.hpp), so that a
// bad year table fails before any work, and its message can name the
// override that caused it.
Scenario checked(const toml::table& doc, const fs::path& path, std::string text) {
  Scenario s = scenario_from_table(doc, path, std::move(text));
  s.effective_toml = to_toml_text(doc);
  if (s.horizon.years > 1) year_scenarios(s);
  return s;
}

// Whether the validation error `message` goes away or changes without
// override `k`: then that override caused it. But when, without it, the
// file's own value of its key is what is refused (a wrong type the option
// replaced), that says nothing of `message`: the override caused it only
// if it names the override's key.
bool caused_by(const toml::table& base, const std::vector<Override>& overrides, std::size_t k,
               const fs::path& path, const std::string& message) {
  try {
    checked(applied(base, overrides, path, k), path, "");
  } catch (const InputError& e) {
    const std::string without = e.what();
    if (without == message) return false;
    const std::string& key = overrides[k].key;
    if (without.find(key) != std::string::npos) return message.find(key) != std::string::npos;
    return true;
  }
  return true;
}

// " (set on the command line by --set K=V)" for the overrides that caused
// `message`; empty when the file alone did.
std::string blame(const toml::table& base, const std::vector<Override>& overrides,
                  const fs::path& path, const std::string& message) {
  std::string culprits;
  bool command_line = true;  // every culprit an option (--set, --param, --trials ...)
  for (std::size_t k = 0; k < overrides.size(); ++k) {
    if (!caused_by(base, overrides, k, path, message)) continue;
    const std::string who = describe_override(overrides[k]);
    command_line = command_line && who.starts_with("--");
    culprits.append(culprits.empty() ? "" : " and ").append(who);
  }
  if (culprits.empty()) return culprits;
  return std::string(command_line ? " (set on the command line by " : " (set by ")
      .append(culprits)
      .append(")");
}

// Validates `doc` (`base` with the overrides applied); errors get a note
// naming the overrides that caused them.
Scenario validated(const toml::table& base, const toml::table& doc,
                   const std::vector<Override>& overrides, const fs::path& path, std::string text) {
  try {
    return checked(doc, path, std::move(text));
  } catch (const InputError& e) {
    throw InputError(std::string(e.what()).append(blame(base, overrides, path, e.what())));
  }
}

// A comment's continuation lines start with "# " too.
std::string commented(const std::string& text) {
  std::string out;
  for (char c : text)
    out.append(c == '\n' ? "\n# " : std::string(1, c));
  return out;
}

// The file text and, after it, the overrides as a comment block.
std::string provenance_text(std::string text, const std::vector<Override>& overrides) {
  if (overrides.empty()) return text;
  if (!text.empty() && text.back() != '\n') text += '\n';
  text.append("\n# --- overrides from the command line (ccgrisk --set) ---\n");
  for (const Override& o : overrides) {
    text.append("# ").append(o.key).append(" = ").append(commented(parse_value(o).text));
    text.append("\n");
  }
  return text;
}

}  // namespace

Override parse_override(const std::string& arg) {
  const std::size_t eq = find_equals(arg);
  Override o;
  if (eq != kNone) {
    o.key = trim_blanks(std::string_view(arg).substr(0, eq));
    o.value = trim_blanks(std::string_view(arg).substr(eq + 1));
  }
  if (eq == kNone || o.key.empty()) {
    throw InputError(std::string("--set '").append(arg).append("': expected KEY=VALUE"));
  }
  KeyReader(o).read();  // a malformed KEY or VALUE fails now, before any work
  parse_value(o);
  return o;
}

Override option_override(std::string_view option, std::string key, std::string value) {
  std::string source = std::string(option).append(" ").append(value);
  return {std::move(key), std::move(value), std::move(source)};
}

std::string describe_override(const Override& o) {
  if (!o.source.empty()) return o.source;
  return std::string("--set ").append(o.key).append("=").append(o.value);
}

void apply_override(toml::table& doc, const Override& o, const fs::path& scenario_path) {
  const std::vector<PathStep> steps = KeyReader(o).read();
  ParsedValue value = parse_value(o);
  Walker walker(o, scenario_path);
  toml::node* at = &doc;
  for (std::size_t i = 0; i + 1 < steps.size(); ++i)
    at = &walker.descend(*at, steps[i], steps[i + 1]);
  walker.assign(*at, steps.back(), std::move(*value.doc.get("v")));
}

const toml::node* find_key(const toml::table& doc, const std::string& key,
                           const std::string& source) {
  const Override o{key, "", source};
  const toml::node* at = &doc;
  for (const PathStep& step : KeyReader(o).read()) {
    if (const toml::table* t = at->as_table(); t && !step.is_index) {
      at = t->get(step.key);
    } else if (const toml::array* a = at->as_array(); a && step.is_index) {
      at = a->get(step.index);
    } else if (a) {  // the one element of an array of tables with this name
      const toml::node* found = nullptr;
      for (const toml::node& element : *a) {
        const std::string* name = name_of(element);
        if (name && *name == step.key) {
          if (found) return nullptr;
          found = &element;
        }
      }
      at = found;
    } else {
      return nullptr;
    }
    if (!at) return nullptr;
  }
  return at;
}

std::string describe(const toml::node& n) {
  if (n.is_table()) return "a table";
  if (n.is_array()) return "an array";
  if (const auto* s = n.as_string()) return '"' + printable(s->get()) + '"';
  return value_text(n);
}

std::string to_toml_text(const toml::table& table) {
  std::string out;
  write_table(out, table, "");
  if (!out.empty() && out.front() == '\n') out.erase(0, 1);
  return out;
}

namespace {

// A value of the original text to rewrite: its region there, and its text.
struct ValueEdit {
  toml::source_region where;
  std::string text;
};

// The edits that turn `before` into `after`; false if they differ in more
// than values.
bool value_edits(const toml::node& before, const toml::node& after, std::vector<ValueEdit>& edits) {
  if (const toml::table* a = before.as_table()) {
    const toml::table* b = after.as_table();
    if (!b || a->size() != b->size()) return false;
    for (const auto& [key, value] : *a) {
      const toml::node* other = b->get(key.str());
      if (!other || !value_edits(value, *other, edits)) return false;
    }
    return true;
  }
  if (const toml::array* a = before.as_array()) {
    const toml::array* b = after.as_array();
    if (!b || a->size() != b->size()) return false;
    for (std::size_t i = 0; i < a->size(); ++i)
      if (!value_edits((*a)[i], (*b)[i], edits)) return false;
    return true;
  }
  if (after.is_table() || after.is_array()) return false;
  const std::string text = value_text(after);
  if (text != value_text(before)) edits.push_back({before.source(), text});
  return true;
}

// Byte offset of a source position (lines from 1; columns from 1, in
// UTF-8 code points) in `text`, whose lines start at `line_starts`.
std::optional<std::size_t> byte_offset(const std::string& text,
                                       const std::vector<std::size_t>& line_starts,
                                       toml::source_position at) {
  if (at.line < 1 || at.line > line_starts.size() || at.column < 1) return std::nullopt;
  std::size_t offset = line_starts[at.line - 1];
  for (toml::source_index column = 1; column < at.column; ++column) {
    if (offset >= text.size()) return std::nullopt;
    do
      ++offset;  // past one code point: its lead byte and continuation bytes
    while (offset < text.size() && (static_cast<unsigned char>(text[offset]) & 0xC0) == 0x80);
  }
  return offset;
}

}  // namespace

std::optional<std::string> edit_in_place(const std::string& text, const fs::path& path,
                                         const toml::table& edited) {
  toml::table original;
  try {
    original = toml::parse(text, path.string());
  } catch (const toml::parse_error&) {
    return std::nullopt;
  }
  std::vector<ValueEdit> edits;
  if (!value_edits(original, edited, edits)) return std::nullopt;
  std::vector<std::size_t> line_starts{0};
  for (std::size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') line_starts.push_back(i + 1);
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  for (const ValueEdit& e : edits) {
    const auto from = byte_offset(text, line_starts, e.where.begin);
    const auto to = byte_offset(text, line_starts, e.where.end);
    if (!from || !to || *to < *from) return std::nullopt;
    spans.emplace_back(*from, *to);
  }
  std::string out = text;
  std::vector<std::size_t> order(edits.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::ranges::sort(order, [&](std::size_t a, std::size_t b) { return spans[a] > spans[b]; });
  for (std::size_t k = 0; k < order.size(); ++k) {
    const auto [from, to] = spans[order[k]];
    if (k > 0 && to > spans[order[k - 1]].first) return std::nullopt;  // overlapping
    std::string value = edits[order[k]].text;
    // A comment after the value keeps its column where the spaces allow.
    std::size_t end = to;
    while (end < text.size() && text[end] == ' ')
      ++end;
    if (end > to && end < text.size() && text[end] == '#') {
      const std::size_t column = (to - from) + (end - to);
      value.append(column > value.size() ? column - value.size() : 1, ' ');
    } else {
      end = to;
    }
    out.replace(from, end - from, value);
  }
  try {
    if (toml::parse(out, path.string()) != edited) return std::nullopt;
  } catch (const toml::parse_error&) {
    return std::nullopt;
  }
  return out;
}

toml::table scenario_document(const fs::path& path) {
  return parse_toml(read_input_file(path, "the scenario file"), path);
}

Scenario scenario_with_overrides(const std::string& text, const fs::path& path,
                                 const std::vector<Override>& overrides) {
  const toml::table base = parse_toml(text, path);
  const toml::table doc = applied(base, overrides, path);
  return validated(base, doc, overrides, path, provenance_text(text, overrides));
}

Scenario load_scenario_with_overrides(const fs::path& path,
                                      const std::vector<Override>& overrides) {
  return scenario_with_overrides(read_input_file(path, "the scenario file"), path, overrides);
}

std::string canonical_key(const std::string& key) {
  std::string out;
  for (const PathStep& step : KeyReader(Override{key, ""}).read()) {
    if (step.is_index)
      out.append("[").append(std::to_string(step.index)).append("]");
    else
      out.append(out.empty() ? "" : ".").append(key_text(step.key));
  }
  return out;
}

std::string fixed_key_reason(const std::string& written) {
  std::string key;
  try {
    key = canonical_key(written);
  } catch (const InputError&) {
    return "";  // a malformed KEY: its reader says so
  }
  if (key == "run.seed" || key == "run.trials")
    return "cannot vary the seed or the number of trials: every point must use the same random "
           "numbers";
  if (key == "horizon.years")
    return "cannot vary the number of years: every point must cover the same years";
  return "";
}

}  // namespace ccgrisk
