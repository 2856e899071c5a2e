// Charts as inline SVG for the standalone HTML page (output/html_report.h): a year axis,
// a value axis with round ticks, shaded bands, lines, stacked bars and error bars, a legend,
// and horizontal bars for a ranking. Written as text, so the page needs no script and no
// network; each mark carries a <title> that browsers show on hover.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "output/results.h"

namespace cradle {

//! `text` with &, <, >, " and ' replaced by character references, safe in HTML text and attributes.
std::string html_escape(std::string_view text);

//! The i-th colour of a palette that colour-blind readers can tell apart (cycles after eight).
const char* palette_colour(std::size_t i);

//! What a chart is and where it sits in the page.
struct ChartFrame {
  std::string id;          //!< unique in the page
  std::string kind;        //!< the CSS class that names what it shows, e.g. "fan-total-outlay"
  std::string title;       //!< accessible name (aria-label)
  std::string y_label;     //!< the value axis' unit, written above it
  std::vector<int> years;  //!< the category axis: one slot per year
  int decimals = 0;        //!< decimals of the values shown on hover
};

//! A chart over years. Marks are drawn in the order they are added; values that are NaN
//! leave a gap.
class SvgChart {
 public:
  //! A chart whose value axis covers [low, high] and 0, widened to round ticks.
  SvgChart(ChartFrame frame, double low, double high);

  //! A shaded area between `low` and `high`, one value per year.
  void band(const std::vector<double>& low, const std::vector<double>& high, const std::string& colour, double opacity,
            const std::string& label);
  //! A line through one value per year, with a marker per year.
  void line(const std::vector<double>& values, const std::string& colour, const std::string& label,
            bool dashed = false);
  //! Bars stacked per year, one series (label, values per year) after another, coloured by the palette.
  void stacked_bars(const std::vector<std::string>& labels, const std::vector<std::vector<double>>& values);
  //! A marker per year at `centre` with a whisker from `low` to `high`.
  void error_bars(const std::vector<double>& centre, const std::vector<double>& low, const std::vector<double>& high,
                  const std::string& colour, const std::string& label);

  //! The whole <svg> element: axes, marks and legend.
  std::string svg() const;

 private:
  enum class Key : unsigned char { swatch, line, dashed, whisker };
  struct LegendEntry {
    std::string label, colour;
    Key key;
    double opacity = 0.8;
  };

  double x(std::size_t year) const;
  double y(double value) const;
  std::string value_text(double value) const;
  std::string hover(std::size_t year, const std::string& label, double value) const;
  std::string axes() const;
  std::string legend(double top, double& height) const;

  ChartFrame frame_;
  double low_ = 0, high_ = 1, step_ = 1;
  std::string marks_;
  std::vector<LegendEntry> legend_;
};

//! Horizontal bars of a sensitivity ranking's shares (largest first, at most `limit`), with the
//! share below which an input is within sampling noise marked by a dashed line.
std::string ranking_chart(const ChartFrame& frame, const std::vector<SensitivityEntry>& ranking, double noise,
                          const std::string& noise_label, std::size_t limit = 15);

}  // namespace cradle
