#include "sim/input/csv.h"

#include <cctype>
#include <charconv>
#include <cmath>

#include "sim/input/error.h"

namespace cradle {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

std::string_view trim(std::string_view s) {
  const auto is_space = [](char ch) { return std::isspace(static_cast<unsigned char>(ch)) != 0; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::optional<std::int64_t> parse_integer(std::string_view s) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<double> parse_double(std::string_view s) {
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

CsvReader::CsvReader(const std::filesystem::path& file) : file_(file.string()), in_(file, std::ios::binary) {
  if (!in_) throw ScenarioError(file_, 0, 0, "", "cannot open the file");
}

bool CsvReader::next() {
  std::string text;
  while (std::getline(in_, text)) {
    ++line_;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    // A byte-order mark, as spreadsheet programs write, is not part of the first field.
    if (line_ == 1 && text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
    const std::string_view t = trim(text);
    if (t.empty() || t.front() == '#') continue;
    split(text);
    if (header_.empty()) header_ = fields_;
    return true;
  }
  if (in_.bad()) throw ScenarioError(file_, line_, 0, "", "cannot read the file");
  return false;
}

std::string CsvReader::column_name(std::size_t k) const {
  if (k < header_.size() && !header_[k].empty()) return header_[k];
  return "column " + std::to_string(k + 1);
}

std::string CsvReader::field_count_message(std::size_t found, std::size_t expected) const {
  std::string what = "the line has " + std::to_string(found) + (found == 1 ? " field" : " fields") +
                     " but the header has " + std::to_string(expected);
  for (const std::string& f : fields_) {
    if (f.find("\xEF\xBC\x8C") != std::string::npos) return what + " (a Chinese '，' where ',' belongs?)";
    if (f.find(';') != std::string::npos || f.find('\t') != std::string::npos)
      return what + " (fields are separated by ',' only)";
  }
  return what;
}

void CsvReader::split(std::string_view text) {
  fields_.clear();
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (true) {
    const int column = static_cast<int>(fields_.size()) + 1;
    while (i < n && (text[i] == ' ' || text[i] == '\t')) ++i;
    std::string field;
    if (i < n && text[i] == '"') {
      ++i;
      bool closed = false;
      while (i < n) {
        if (text[i] == '"') {
          if (i + 1 < n && text[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        field += text[i++];
      }
      const auto name = [&] { return column_name(static_cast<std::size_t>(column) - 1); };
      if (!closed) throw ScenarioError(file_, line_, column, name(), "unterminated quoted field (a '\"' is missing)");
      while (i < n && (text[i] == ' ' || text[i] == '\t')) ++i;
      if (i < n && text[i] != ',') throw ScenarioError(file_, line_, column, name(), "text after a closing quote");
      field = std::string(trim(field));
    } else {
      const std::size_t start = i;
      while (i < n && text[i] != ',') ++i;
      field = std::string(trim(text.substr(start, i - start)));
    }
    fields_.push_back(std::move(field));
    if (i >= n) break;
    ++i;  // the comma; a trailing comma leaves an empty last field
  }
}

}  // namespace cradle
