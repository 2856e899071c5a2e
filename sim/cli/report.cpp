// `cradle report`: a results file for people, on screen, as CSV and as an HTML page.
#include <iostream>

#include "output/csv_export.h"
#include "output/html_report.h"
#include "output/overview.h"
#include "output/report.h"
#include "output/results_reader.h"
#include "sim/cli/cli.h"
#include "sim/cli/commands.h"

namespace cradle {

int command_report(const ReportArgs& args) {
  RunResults results;
  try {
    results = read_results(args.file);
  } catch (const ResultsFileError& e) {
    std::cerr << "cradle: error: " << e.what() << "\n";
    return EXIT_BAD_INPUT;
  }
  if (!args.csv_dir.empty()) {
    const std::size_t files = write_csv(args.csv_dir, results);
    std::cout << "wrote " << files << " CSV files into " << args.csv_dir << "\n";
  }
  if (!args.html_file.empty()) {
    write_html(args.html_file, results, args.style);
    std::cout << "wrote " << args.html_file << "\n";
  }
  if (!args.csv_dir.empty() || !args.html_file.empty()) return EXIT_OK;
  std::cout << "Results file " << args.file << " (Cradle " << results.cradle_version << ", " << results.created_utc
            << ", seed " << results.seed << ")\n";
  print_overview(std::cout, results, args.style, true);
  if (args.detail) print_summary(std::cout, results, args.style.unit);
  for (const ComparisonResults& c : results.comparisons) print_comparison(std::cout, c, args.style);
  return EXIT_OK;
}

}  // namespace cradle
