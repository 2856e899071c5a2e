#include "output/report.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "output/summary.h"

namespace cradle {
namespace {

constexpr int label_width = 38;
constexpr int number_width = 14;

// Digits grouped in thousands with commas, independent of the global locale.
std::string grouped(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  std::string text = buffer;
  const bool negative = !text.empty() && text.front() == '-';
  if (negative) text.erase(0, 1);
  // "-0.00" is noise in a table of money.
  const bool zero = text.find_first_not_of("0.") == std::string::npos;
  const std::size_t point = text.find('.');
  const std::size_t integer_digits = point == std::string::npos ? text.size() : point;
  std::string result;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i > 0 && i < integer_digits && (integer_digits - i) % 3 == 0) result += ',';
    result += text[i];
  }
  return (negative && !zero ? "-" : "") + result;
}

std::string fit(const std::string& label, std::size_t width) {
  if (label.size() <= width) return label + std::string(width - label.size(), ' ');
  return label.substr(0, width - 1) + "~";
}

// One row: label, then mean, 5 % and 95 % of `sample` over replications.
void row(std::ostream& out, const std::string& label, const std::vector<double>& sample, int decimals) {
  out << fit(label, label_width);
  for (double value : {mean(sample), quantile(sample, 0.05), quantile(sample, 0.95)}) {
    const std::string text = grouped(value, decimals);
    out << std::string(text.size() < number_width ? number_width - text.size() : 1, ' ') << text;
  }
  out << '\n';
}

// Collects f(r) over replications r.
std::vector<double> over_replications(std::size_t replications, const std::function<double(std::size_t)>& f) {
  std::vector<double> sample(replications);
  for (std::size_t r = 0; r < replications; ++r) sample[r] = f(r);
  return sample;
}

constexpr double fen_per_million_yuan = 100.0 * 1'000'000.0;

void print_scenario(std::ostream& out, const ScenarioResults& s) {
  const std::size_t R = static_cast<std::size_t>(s.replications);
  const std::size_t M = s.n_measures(), P = s.n_payers();
  const auto B = static_cast<std::size_t>(s.birth_orders);
  out << "Scenario " << s.id << ": " << s.title << "\n"
      << "  " << R << " replication" << (R == 1 ? "" : "s")
      << "; mean, 5 % and 95 % over replications; money in million CNY\n";
  if (R == 0) return;

  for (std::size_t y = 0; y < s.n_years(); ++y) {
    out << '\n' << fit("  " + std::to_string(s.years[y]), label_width);
    for (const char* heading : {"mean", "5 %", "95 %"}) {
      out << std::string(number_width - std::string(heading).size(), ' ') << heading;
    }
    out << '\n';
    row(out, "    Births",
        over_replications(R,
                          [&](std::size_t r) {
                            std::int64_t total = 0;
                            for (std::size_t b = 0; b < B; ++b) total += s.births.at(s.births_index(r, y, b));
                            return static_cast<double>(total);
                          }),
        0);
    row(out, "    Children under 3 (avg of months)",
        over_replications(
            R, [&](std::size_t r) { return static_cast<double>(s.child_months_under3.at(s.year_index(r, y))) / 12.0; }),
        0);
    row(out, "    Childcare enrolled (avg of months)",
        over_replications(R,
                          [&](std::size_t r) {
                            return static_cast<double>(s.childcare_enrolled_months.at(s.year_index(r, y))) / 12.0;
                          }),
        0);

    out << "    Outlay by measure\n";
    auto outlay = [&](std::size_t r, std::size_t m, std::size_t p) {
      return static_cast<double>(s.outlay_fen.at(s.outlay_index(r, y, m, p)));
    };
    for (std::size_t m = 0; m < M; ++m) {
      row(out, "      " + s.measures[m].id,
          over_replications(R,
                            [&](std::size_t r) {
                              double fen = 0;
                              for (std::size_t p = 0; p < P; ++p) fen += outlay(r, m, p);
                              return fen / fen_per_million_yuan;
                            }),
          2);
    }
    // The total's band comes from per-replication totals, not from summing bands.
    row(out, "      Total",
        over_replications(R,
                          [&](std::size_t r) {
                            double fen = 0;
                            for (std::size_t m = 0; m < M; ++m)
                              for (std::size_t p = 0; p < P; ++p) fen += outlay(r, m, p);
                            return fen / fen_per_million_yuan;
                          }),
        2);
    out << "    Outlay by payer\n";
    for (std::size_t p = 0; p < P; ++p) {
      row(out, "      " + s.payers[p],
          over_replications(R,
                            [&](std::size_t r) {
                              double fen = 0;
                              for (std::size_t m = 0; m < M; ++m) fen += outlay(r, m, p);
                              return fen / fen_per_million_yuan;
                            }),
          2);
    }
  }
}

}  // namespace

void print_summary(std::ostream& out, const RunResults& results) {
  if (results.scenarios.empty()) {
    out << "No scenarios.\n";
    return;
  }
  for (std::size_t i = 0; i < results.scenarios.size(); ++i) {
    if (i > 0) out << '\n';
    print_scenario(out, results.scenarios[i]);
  }
}

}  // namespace cradle
