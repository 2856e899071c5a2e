// Text for people: money in the unit a planner budgets in, digits grouped, Chinese and
// English labels, and columns aligned by the width a terminal gives each character.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cradle {

//! The unit money is shown in: 元, 万元 (10,000 yuan, what planners budget in) or 亿元 (10^8).
enum class MoneyUnit : std::uint8_t { yuan, wan, yi };
//! The language of labels.
enum class Language : std::uint8_t { en, zh };

//! How a report is written.
struct ReportStyle {
  MoneyUnit unit = MoneyUnit::wan;
  Language lang = Language::en;
};

//! Fen in one unit (1 yuan = 100 fen).
double fen_per_unit(MoneyUnit unit);
//! The decimals that show one fen exactly in a unit: 2 (yuan), 6 (万元), 10 (亿元).
int exact_decimals(MoneyUnit unit);
//! The decimals a table shows: 0 (yuan), 2 (万元), 4 (亿元).
int table_decimals(MoneyUnit unit);
//! The unit's name in a language: "yuan" / "元", "10,000 yuan" / "万元", "100 million yuan" / "亿元".
std::string unit_name(MoneyUnit unit, Language lang);

//! A number with its integer digits grouped by thousands ("1,234,567.89"); "-0.00" shown as "0.00".
std::string grouped(double value, int decimals);
//! An exact amount of fen in a unit, to the fen: every digit, grouped ("1,234.567800" 万元).
std::string exact_money(std::int64_t fen, MoneyUnit unit);
//! A sum of fen too large for int64 (over replications and years).
__extension__ using WideFen = __int128;
//! The mean of a sum of fen over n replications, rounded half away from zero to the fen.
std::int64_t mean_fen(WideFen total, std::int64_t n);

//! Terminal columns of UTF-8 text: 2 for East Asian wide characters (CJK, full-width forms), else 1.
std::size_t display_width(std::string_view text);
//! `text` padded with spaces to `width` columns, on the right (left-aligned) or on the left.
std::string pad_to(std::string_view text, std::size_t width, bool align_right = false);

//! The Chinese or the English part of a bilingual title "中文 English" (the whole title when it
//! is not bilingual).
std::string title_in(std::string_view title, Language lang);

//! A fixed label in a language: `english` for en, `chinese` for zh.
inline std::string say(Language lang, const char* english, const char* chinese) {
  return lang == Language::zh ? chinese : english;
}

//! "40 replications", or with groups sharing a base population "40 replications on 10 base
//! populations" (and in Chinese), as the reports head a scenario.
std::string replications_said(int replications, int per_population, Language lang);

}  // namespace cradle
