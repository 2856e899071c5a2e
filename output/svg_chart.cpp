#include "output/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

#include "output/text.h"

namespace cradle {

namespace {

constexpr double WIDTH = 760, LEFT = 84, RIGHT = 16, TOP = 30, PLOT_HEIGHT = 240, AXIS_HEIGHT = 26;
constexpr double LEGEND_ROW = 20, CHAR_WIDTH = 7;

//! The parts appended in order (appending rather than `"literal" + std::string`, which GCC 12
//! under ASan flags with false -Wrestrict warnings).
template <class... Parts>
std::string cat(const Parts&... parts) {
  std::string out;
  ((out += parts), ...);
  return out;
}

//! A coordinate: one decimal is finer than a pixel.
std::string num(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", v);
  return text;
}

//! A round step that splits `range` into about five.
double nice_step(double range) {
  const double raw = range / 5;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  for (double f : {1.0, 2.0, 2.5, 5.0}) {
    if (f * magnitude >= raw * (1 - 1e-9)) return f * magnitude;
  }
  return 10 * magnitude;
}

//! The fewest decimals that show every multiple of `step` exactly.
int step_decimals(double step) {
  for (int d = 0; d < 10; ++d) {
    const double scaled = step * std::pow(10.0, d);
    if (std::fabs(scaled - std::round(scaled)) < 1e-6 * std::max(1.0, scaled)) return d;
  }
  return 10;
}

double text_width(const std::string& text) { return CHAR_WIDTH * static_cast<double>(display_width(text)); }

std::string text_at(double x, double y, const char* anchor, const std::string& text, const char* css_class) {
  return cat("<text x=\"", num(x), "\" y=\"", num(y), "\" text-anchor=\"", anchor, "\" class=\"", css_class, "\">",
             html_escape(text), "</text>");
}

std::string vertical(double x, double y1, double y2, const char* css_class) {
  return cat("<line x1=\"", num(x), "\" x2=\"", num(x), "\" y1=\"", num(y1), "\" y2=\"", num(y2), "\" class=\"",
             css_class, "\"/>");
}

std::string svg_open(const ChartFrame& f, double width, double height) {
  return cat("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"", html_escape(f.id), "\" class=\"chart ",
             html_escape(f.kind), "\" viewBox=\"0 0 ", num(width), " ", num(height), "\" width=\"", num(width),
             "\" height=\"", num(height), "\" role=\"img\" aria-label=\"", html_escape(f.title), "\">");
}

std::string hover_title(const std::string& text) { return cat("<title>", html_escape(text), "</title>"); }

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

const char* palette_colour(std::size_t i) {
  // Okabe and Ito's palette, yellow last: it is faint on white.
  static const char* const COLOURS[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                        "#56B4E9", "#D55E00", "#000000", "#F0E442"};
  return COLOURS[i % 8];
}

SvgChart::SvgChart(ChartFrame frame, double low, double high) : frame_(std::move(frame)) {
  if (!std::isfinite(low)) low = 0;
  if (!std::isfinite(high)) high = 0;
  low = std::min(low, 0.0);
  high = std::max(high, 0.0);
  if (high - low <= 0) high = low + 1;
  step_ = nice_step(high - low);
  low_ = std::floor(low / step_ * (1 + 1e-12)) * step_;
  high_ = std::ceil(high / step_ * (1 - 1e-12)) * step_;
  if (high_ <= low_) high_ = low_ + step_;
}

double SvgChart::x(std::size_t year) const {
  const double slot = (WIDTH - LEFT - RIGHT) / static_cast<double>(std::max<std::size_t>(1, frame_.years.size()));
  return LEFT + (static_cast<double>(year) + 0.5) * slot;
}

double SvgChart::y(double value) const { return TOP + PLOT_HEIGHT * (high_ - value) / (high_ - low_); }

std::string SvgChart::value_text(double value) const { return grouped(value, frame_.decimals); }

std::string SvgChart::hover(std::size_t year, const std::string& label, double value) const {
  return hover_title(cat(std::to_string(frame_.years[year]), " ", label, ": ", value_text(value)));
}

void SvgChart::band(const std::vector<double>& low, const std::vector<double>& high, const std::string& colour,
                    double opacity, const std::string& label) {
  std::string points;
  for (std::size_t i = 0; i < frame_.years.size(); ++i) points += cat(num(x(i)), ",", num(y(high[i])), " ");
  for (std::size_t i = frame_.years.size(); i-- > 0;) points += cat(num(x(i)), ",", num(y(low[i])), " ");
  marks_ += cat("<polygon class=\"band\" points=\"", points, "\" fill=\"", colour, "\" fill-opacity=\"", num(opacity),
                "\">", hover_title(label), "</polygon>");
  legend_.push_back({label, colour, Key::swatch, std::min(1.0, 2 * opacity)});
}

void SvgChart::line(const std::vector<double>& values, const std::string& colour, const std::string& label,
                    bool dashed) {
  std::string path, markers;
  bool open = false;
  for (std::size_t i = 0; i < frame_.years.size(); ++i) {
    if (!std::isfinite(values[i])) {
      open = false;
      continue;
    }
    path += cat(open ? "L" : "M", num(x(i)), " ", num(y(values[i])), " ");
    open = true;
    markers += cat("<circle cx=\"", num(x(i)), "\" cy=\"", num(y(values[i])), "\" r=\"3\" fill=\"", colour, "\">",
                   hover(i, label, values[i]), "</circle>");
  }
  marks_ += cat("<path class=\"line\" d=\"", path, "\" fill=\"none\" stroke=\"", colour, "\" stroke-width=\"2\"",
                dashed ? " stroke-dasharray=\"6 4\"" : "", "/>", markers);
  legend_.push_back({label, colour, dashed ? Key::dashed : Key::line});
}

void SvgChart::stacked_bars(const std::vector<std::string>& labels, const std::vector<std::vector<double>>& values) {
  const double slot = (WIDTH - LEFT - RIGHT) / static_cast<double>(std::max<std::size_t>(1, frame_.years.size()));
  std::vector<double> below(frame_.years.size(), 0.0), above(frame_.years.size(), 0.0);
  for (std::size_t s = 0; s < labels.size(); ++s) {
    const std::string colour = palette_colour(s);
    for (std::size_t i = 0; i < frame_.years.size(); ++i) {
      const double v = values[s][i];
      if (!std::isfinite(v) || v == 0) continue;
      // Positive parts stack upwards from 0, negative ones downwards.
      double& base = v > 0 ? above[i] : below[i];
      const double top = y(base + std::max(v, 0.0)), bottom = y(base + std::min(v, 0.0));
      marks_ += cat("<rect class=\"bar\" x=\"", num(x(i) - 0.35 * slot), "\" y=\"", num(top), "\" width=\"",
                    num(0.7 * slot), "\" height=\"", num(std::max(bottom - top, 0.0)), "\" fill=\"", colour, "\">",
                    hover(i, labels[s], v), "</rect>");
      base += v;
    }
    legend_.push_back({labels[s], colour, Key::swatch});
  }
}

void SvgChart::error_bars(const std::vector<double>& centre, const std::vector<double>& low,
                          const std::vector<double>& high, const std::string& colour, const std::string& label) {
  for (std::size_t i = 0; i < frame_.years.size(); ++i) {
    const std::string xs = num(x(i)), lo = num(y(low[i])), hi = num(y(high[i]));
    const std::string text = cat(std::to_string(frame_.years[i]), " ", label, ": ", value_text(centre[i]), " [",
                                 value_text(low[i]), ", ", value_text(high[i]), "]");
    marks_ += cat("<g class=\"whisker\"><path d=\"M", xs, " ", lo, " L", xs, " ", hi, " M", num(x(i) - 5), " ", lo,
                  " h10 M", num(x(i) - 5), " ", hi, " h10\" stroke=\"", colour,
                  "\" stroke-width=\"1.5\" fill=\"none\"/><circle cx=\"", xs, "\" cy=\"", num(y(centre[i])),
                  "\" r=\"4\" fill=\"", colour, "\">", hover_title(text), "</circle></g>");
  }
  legend_.push_back({label, colour, Key::whisker});
}

std::string SvgChart::axes() const {
  std::string out = text_at(8, TOP - 14, "start", frame_.y_label, "axis-label");
  const int decimals = step_decimals(step_);
  const auto ticks = static_cast<int>(std::lround((high_ - low_) / step_));
  for (int k = 0; k <= ticks; ++k) {
    const double v = low_ + k * step_, at = y(v);
    const bool zero = std::fabs(v) < step_ * 1e-9;
    out += cat("<line x1=\"", num(LEFT), "\" x2=\"", num(WIDTH - RIGHT), "\" y1=\"", num(at), "\" y2=\"", num(at),
               "\" class=\"", zero ? "zero" : "grid", "\"/>");
    out += text_at(LEFT - 6, at + 4, "end", grouped(zero ? 0.0 : v, decimals), "tick");
  }
  const std::size_t every = frame_.years.size() > 14 ? 2 : 1;
  for (std::size_t i = 0; i < frame_.years.size(); i += every) {
    out += text_at(x(i), TOP + PLOT_HEIGHT + 17, "middle", std::to_string(frame_.years[i]), "tick");
  }
  return out;
}

std::string SvgChart::legend(double top, double& height) const {
  std::string out;
  double at = LEFT, row = top;
  for (const LegendEntry& e : legend_) {
    const double width = 26 + text_width(e.label) + 18;
    if (at > LEFT && at + width > WIDTH - RIGHT) {
      at = LEFT;
      row += LEGEND_ROW;
    }
    const std::string mid = num(row + 6);
    if (e.key == Key::swatch) {
      out += cat("<rect x=\"", num(at), "\" y=\"", num(row), "\" width=\"18\" height=\"12\" fill=\"", e.colour,
                 "\" fill-opacity=\"", num(e.opacity), "\"/>");
    } else if (e.key == Key::whisker) {
      out += cat("<path d=\"M", num(at + 9), " ", num(row), " v12\" stroke=\"", e.colour,
                 "\" stroke-width=\"1.5\"/><circle cx=\"", num(at + 9), "\" cy=\"", mid, "\" r=\"4\" fill=\"",
                 e.colour, "\"/>");
    } else {
      out += cat("<path d=\"M", num(at), " ", mid, " h18\" stroke=\"", e.colour, "\" stroke-width=\"2\"",
                 e.key == Key::dashed ? " stroke-dasharray=\"5 3\"" : "", "/>");
    }
    out += text_at(at + 24, row + 11, "start", e.label, "legend");
    at += width;
  }
  height = legend_.empty() ? 0 : row - top + LEGEND_ROW;
  return cat("<g class=\"legend\">", out, "</g>");
}

std::string SvgChart::svg() const {
  double legend_height = 0;
  const std::string key = legend(TOP + PLOT_HEIGHT + AXIS_HEIGHT + 4, legend_height);
  const double height = TOP + PLOT_HEIGHT + AXIS_HEIGHT + 4 + legend_height + 4;
  return cat(svg_open(frame_, WIDTH, height), axes(), "<g class=\"marks\">", marks_, "</g>", key, "</svg>");
}

std::string ranking_chart(const ChartFrame& frame, const std::vector<SensitivityEntry>& ranking, double noise,
                          const std::string& noise_label, std::size_t limit) {
  constexpr double ROW = 22, TOP_SPACE = 28, AXIS = 24, VALUE_SPACE = 48;
  const std::size_t n = std::min(limit, ranking.size());
  double label_width = 60, largest = std::isfinite(noise) ? noise : 0;
  for (std::size_t i = 0; i < n; ++i) {
    label_width = std::max(label_width, text_width(ranking[i].parameter));
    largest = std::max(largest, ranking[i].share);
  }
  const double left = std::min(label_width, 340.0) + 12, plot = WIDTH - left - VALUE_SPACE;
  const double step = nice_step(std::max(largest, 0.01)), high = std::max(step, std::ceil(largest / step) * step);
  const double bottom = TOP_SPACE + ROW * static_cast<double>(n);
  const auto at = [&](double share) { return left + plot * std::clamp(share, 0.0, high) / high; };
  std::string out = svg_open(frame, WIDTH, bottom + AXIS);
  for (int k = 0; k * step <= high * (1 + 1e-9); ++k) {
    out += vertical(at(k * step), TOP_SPACE, bottom, "grid");
    out += text_at(at(k * step), bottom + 16, "middle", grouped(k * step, step_decimals(step)), "tick");
  }
  for (std::size_t i = 0; i < n; ++i) {
    const SensitivityEntry& e = ranking[i];
    const double row = TOP_SPACE + ROW * static_cast<double>(i);
    const char* colour = e.share >= noise ? palette_colour(0) : "#9e9e9e";
    out += text_at(left - 6, row + 15, "end", e.parameter, "tick");
    out += cat("<rect class=\"bar\" x=\"", num(left), "\" y=\"", num(row + 4), "\" width=\"", num(at(e.share) - left),
               "\" height=\"", num(ROW - 8), "\" fill=\"", colour, "\">",
               hover_title(cat(e.parameter, ": ", grouped(e.share, 3), " (", grouped(e.coefficient, 3), ")")),
               "</rect>");
    out += text_at(at(e.share) + 4, row + 15, "start", grouped(e.share, 3), "tick");
  }
  if (std::isfinite(noise)) {
    const double x = at(noise);
    out += cat("<g class=\"noise-floor\">", vertical(x, TOP_SPACE - 6, bottom, "noise"),
               text_at(x, TOP_SPACE - 10, x > WIDTH / 2 ? "end" : "start", noise_label, "legend"), "</g>");
  }
  return cat(out, "</svg>");
}

}  // namespace cradle
