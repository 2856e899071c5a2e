#include "output/text.h"

#include <cmath>
#include <cstdio>
#include <cctype>
#include <cstdlib>

namespace cradle {

double fen_per_unit(MoneyUnit unit) {
  switch (unit) {
    case MoneyUnit::yuan: return 100.0;
    case MoneyUnit::wan: return 1e6;
    case MoneyUnit::yi: return 1e10;
  }
  return 100.0;
}

int exact_decimals(MoneyUnit unit) { return unit == MoneyUnit::yuan ? 2 : unit == MoneyUnit::wan ? 6 : 10; }

int table_decimals(MoneyUnit unit) { return unit == MoneyUnit::yuan ? 0 : unit == MoneyUnit::wan ? 2 : 4; }

std::string unit_name(MoneyUnit unit, Language lang) {
  switch (unit) {
    case MoneyUnit::yuan: return say(lang, "yuan", "元");
    case MoneyUnit::wan: return say(lang, "10,000 yuan (wan)", "万元");
    case MoneyUnit::yi: return say(lang, "100 million yuan (yi)", "亿元");
  }
  return "";
}

namespace {

std::string group_digits(const std::string& digits) {
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

std::string grouped(double value, int decimals) {
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, std::fabs(value));
  const std::string text = buffer;
  const std::size_t point = text.find('.');
  const std::string integer = text.substr(0, point), rest = point == std::string::npos ? "" : text.substr(point);
  const bool zero = text.find_first_not_of("0.") == std::string::npos;
  std::string out = value < 0 && !zero ? "-" : "";
  out += group_digits(integer);
  out += rest;
  return out;
}

std::string exact_money(std::int64_t fen, MoneyUnit unit) {
  const int decimals = exact_decimals(unit);
  const std::uint64_t magnitude = fen < 0 ? 0 - static_cast<std::uint64_t>(fen) : static_cast<std::uint64_t>(fen);
  std::uint64_t scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  std::string fraction = std::to_string(magnitude % scale);
  fraction.insert(0, static_cast<std::size_t>(decimals) - fraction.size(), '0');
  std::string out = fen < 0 ? "-" : "";
  out += group_digits(std::to_string(magnitude / scale));
  out += '.';
  out += fraction;
  return out;
}

std::int64_t mean_fen(WideFen total, std::int64_t n) {
  if (n <= 0) return 0;
  const WideFen magnitude = total < 0 ? -total : total;
  const WideFen rounded = (2 * magnitude + n) / (2 * static_cast<WideFen>(n));
  return static_cast<std::int64_t>(total < 0 ? -rounded : rounded);
}

namespace {

bool wide(char32_t c) {
  return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) || (c >= 0x3041 && c <= 0x33FF) ||
         (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
         (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) ||
         (c >= 0xFF00 && c <= 0xFF60) || (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x20000 && c <= 0x3FFFD);
}

//! The code point starting at text[i], and how many bytes it takes (a stray byte counts as one).
char32_t decode(std::string_view text, std::size_t i, std::size_t& length) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char b = byte(i);
  length = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 1;
  if (i + length > text.size()) length = 1;
  if (length == 1) return b;
  char32_t c = b & (0x7F >> length);
  for (std::size_t k = 1; k < length; ++k) c = (c << 6) | (byte(i + k) & 0x3F);
  return c;
}

}  // namespace

std::size_t display_width(std::string_view text) {
  std::size_t width = 0;
  for (std::size_t i = 0, length = 0; i < text.size(); i += length) width += wide(decode(text, i, length)) ? 2 : 1;
  return width;
}

std::string pad_to(std::string_view text, std::size_t width, bool align_right) {
  const std::size_t used = display_width(text);
  const std::string fill(used < width ? width - used : 0, ' ');
  return align_right ? fill + std::string(text) : std::string(text) + fill;
}

std::string replications_said(int replications, int per_population, Language lang) {
  std::string text = std::to_string(replications) + say(lang, " replications", " 次模拟");
  if (per_population <= 1) return text;
  const std::string populations = std::to_string((replications + per_population - 1) / per_population);
  return text + (lang == Language::zh ? "（共用 " + populations + " 个基础人口）"
                                      : " on " + populations + " base populations");
}

std::string title_in(std::string_view title, Language lang) {
  bool chinese = false;
  for (std::size_t i = 0; i + 1 < title.size(); ++i) {
    chinese = chinese || static_cast<unsigned char>(title[i]) >= 0x80;
    const unsigned char next = static_cast<unsigned char>(title[i + 1]);
    if (chinese && title[i] == ' ' && next < 0x80 && std::isalnum(next)) {
      return std::string(lang == Language::zh ? title.substr(0, i) : title.substr(i + 1));
    }
  }
  return std::string(title);
}

}  // namespace cradle
