// A small streaming JSON writer for machine-readable reports (ccgrisk bench
// --json): objects, arrays, strings (escaped; invalid UTF-8 becomes U+FFFD),
// shortest round-trip numbers (NaN and infinities become null), booleans.
#pragma once

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ccgrisk {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  // The next value's name; only inside an object.
  JsonWriter& key(std::string_view name);

  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
  JsonWriter& value(double number);
  JsonWriter& value(bool flag);
  JsonWriter& null();
  template <std::integral T>
  requires(!std::same_as<T, bool>) JsonWriter& value(T number) {
    return integer(std::to_string(number));
  }

  // The document so far, with a final newline once every container is closed.
  std::string str() const;

 private:
  JsonWriter& integer(const std::string& digits);
  void before_value();  // comma, newline and indentation as needed
  JsonWriter& open(char bracket);
  JsonWriter& close(char bracket);

  std::string out_;
  std::vector<bool> empty_;  // per open container: nothing written in it yet
  bool after_key_ = false;
};

// `text` as a quoted JSON string.
std::string json_quote(std::string_view text);

}  // namespace ccgrisk
