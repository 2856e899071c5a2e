// `cradle report --html`: a results file as one standalone HTML page that needs no network
// (no script, font or image from elsewhere; charts are inline SVG, output/svg_chart.h). Per
// scenario: total outlay by year with its 50 % and 90 % bands, outlay by paying level,
// budget shares, childcare wanted against places, births by order, the validation table,
// the sensitivity ranking and the measures with their sources; per comparison: the change
// in total outlay with its 90 % interval, its mechanical and behavioural parts, and its
// sensitivity ranking. Every number comes from the same functions as the terminal report.
#pragma once

#include <filesystem>
#include <string>

#include "output/results.h"
#include "output/text.h"

namespace cradle {

//! The page for `results` in the unit and language of `style`: UTF-8 HTML5, every text escaped.
//! Each chart is an <svg class="chart KIND">; KIND is one of fan-total-outlay, outlay-by-payer,
//! budget-share, childcare-places, births-by-order, sensitivity (per scenario, the last only
//! with a ranking) and comparison-outlay, comparison-sensitivity (per comparison). Tables:
//! totals, validation (when the scenario has observations) and measures.
std::string html_page(const RunResults& results, const ReportStyle& style);

//! Writes html_page() to `file` through a temporary file renamed into place, so that `file`
//! is either the whole page or left as it was. Throws std::runtime_error if it cannot write.
void write_html(const std::filesystem::path& file, const RunResults& results, const ReportStyle& style);

}  // namespace cradle
