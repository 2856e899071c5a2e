#include "output/results_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "output/h5.h"
#include "output/summary.h"

namespace cradle {
namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void invalid(const std::string& what) { throw std::runtime_error("inconsistent results: " + what); }

// HDF5 stores the bytes as given but declares them UTF-8; a reader (h5py,
// xarray) then fails to decode anything else, so refuse it at the source.
// NUL is refused too: variable-length strings end at the first one.
bool valid_utf8(const std::string& text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;
    std::uint32_t code = 0;
    if (c == 0) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0) {
      extra = 1;
      code = c & 0x1Fu;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      code = c & 0x0Fu;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      code = c & 0x07u;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;  // truncated sequence
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3Fu);
    }
    static constexpr std::uint32_t smallest[] = {0, 0x80, 0x800, 0x10000};
    if (code < smallest[extra] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

void check_text(const std::string& text, const std::string& what) {
  if (!valid_utf8(text)) invalid(what + " is not valid UTF-8 text (or contains NUL)");
}

void check_size(std::size_t actual, std::size_t expected, const std::string& what) {
  if (actual != expected) {
    invalid(what + " has " + std::to_string(actual) + " values, expected " + std::to_string(expected));
  }
}

// Everything that could make the file wrong or the write fail half-way is
// checked here, before the temporary file exists.
void validate(const RunResults& results) {
  if (results.replications < 1) invalid("replications must be at least 1");
  check_text(results.cradle_version, "cradle_version");
  check_text(results.git_revision, "git_revision");
  check_text(results.created_utc, "created_utc");
  std::set<std::string> ids;
  for (const ScenarioResults& s : results.scenarios) {
    const std::string where = "scenario '" + s.id + "'";
    check_text(s.id, "a scenario id");
    if (s.id.empty() || s.id == "." || s.id == ".." || s.id.find('/') != std::string::npos) {
      invalid(where + ": an id must be non-empty, not '.' or '..', and contain no '/'");
    }
    if (!ids.insert(s.id).second) invalid(where + " appears twice");
    check_text(s.title, where + " title");
    check_text(s.resolved_text, where + " scenario text");
    if (s.replications != results.replications) {
      invalid(where + " has " + std::to_string(s.replications) + " replications, the run " +
              std::to_string(results.replications));
    }
    if (s.birth_orders < 1) invalid(where + ": birth_orders must be at least 1");
    if (std::set<int>(s.years.begin(), s.years.end()).size() != s.years.size()) {
      invalid(where + ": years repeat");
    }
    std::set<std::string> measure_ids;
    for (const MeasureLabel& m : s.measures) {
      check_text(m.id, where + " measure id");
      check_text(m.kind, where + " measure '" + m.id + "' kind");
      check_text(m.title, where + " measure '" + m.id + "' title");
      check_text(m.source, where + " measure '" + m.id + "' source");
      check_text(m.caseload_unit, where + " measure '" + m.id + "' caseload_unit");
      if (!measure_ids.insert(m.id).second) invalid(where + ": measure '" + m.id + "' appears twice");
    }
    std::set<std::string> payers;
    for (const std::string& p : s.payers) {
      check_text(p, where + " payer");
      if (!payers.insert(p).second) invalid(where + ": payer '" + p + "' appears twice");
    }
    const std::size_t ry = static_cast<std::size_t>(s.replications) * s.n_years();
    check_size(s.outlay_fen.size(), ry * s.n_measures() * s.n_payers(), where + " outlay_fen");
    check_size(s.caseload.size(), ry * s.n_measures(), where + " caseload");
    check_size(s.births.size(), ry * static_cast<std::size_t>(s.birth_orders), where + " births");
    check_size(s.child_months_under3.size(), ry, where + " child_months_under3");
    check_size(s.childcare_enrolled_months.size(), ry, where + " childcare_enrolled_months");
  }
}

void describe(const h5::Handle& object, const std::string& units, const std::string& long_name) {
  h5::write_attribute(object, "units", units);
  h5::write_attribute(object, "long_name", long_name);
}

// The label variables along `measure`, named by netCDF's `coordinates`
// attribute so that xarray makes them coordinates rather than data.
constexpr const char* measure_label_names = "measure_kind measure_title measure_source caseload_unit";

struct Scales {
  h5::Handle year;
  h5::Handle measure;
  h5::Handle payer;
};

// Writes the year, measure (with its labels) and payer scales into `group`.
// Both the scenario group and its summary group get them: xarray shows a
// group's coordinate values only when the coordinate variables live in it.
Scales write_common_scales(const h5::Handle& group, const ScenarioResults& s) {
  Scales scales;
  std::vector<std::int32_t> years(s.years.begin(), s.years.end());
  scales.year = h5::write_dataset(group, "year", years, {s.n_years()});
  describe(scales.year, "year", "calendar year");
  h5::make_scale(scales.year, "year");

  std::vector<std::string> ids, kinds, titles, sources, caseload_units;
  for (const MeasureLabel& m : s.measures) {
    ids.push_back(m.id);
    kinds.push_back(m.kind);
    titles.push_back(m.title);
    sources.push_back(m.source);
    caseload_units.push_back(m.caseload_unit);
  }
  scales.measure = h5::write_strings(group, "measure", ids);
  describe(scales.measure, "", "measure identifier");
  h5::make_scale(scales.measure, "measure");

  scales.payer = h5::write_strings(group, "payer", s.payers);
  describe(scales.payer, "", "paying level of government");
  h5::make_scale(scales.payer, "payer");

  const struct {
    const char* name;
    const std::vector<std::string>& values;
    const char* long_name;
  } labels[] = {
      {"measure_kind", kinds, "kind of measure"},
      {"measure_title", titles, "title of measure"},
      {"measure_source", sources, "policy document (file name and article) the measure implements"},
      {"caseload_unit", caseload_units, "unit in which the measure's caseload is counted"},
  };
  for (const auto& label : labels) {
    h5::Handle dataset = h5::write_strings(group, label.name, label.values);
    describe(dataset, "", label.long_name);
    h5::attach_scale(dataset, scales.measure, 0);
  }
  return scales;
}

void attach_all(const h5::Handle& dataset, const std::vector<const h5::Handle*>& axes) {
  for (std::size_t axis = 0; axis < axes.size(); ++axis) {
    h5::attach_scale(dataset, *axes[axis], static_cast<unsigned>(axis));
  }
}

void write_summary(const h5::Handle& scenario_group, const ScenarioResults& s) {
  h5::Handle group = h5::create_group(scenario_group, "summary");
  Scales scales = write_common_scales(group, s);
  const std::size_t R = static_cast<std::size_t>(s.replications);
  const std::size_t Y = s.n_years(), M = s.n_measures(), P = s.n_payers();
  std::vector<double> means, p05, p50, p95;
  std::vector<double> sample(R);
  for (std::size_t y = 0; y < Y; ++y) {
    for (std::size_t m = 0; m < M; ++m) {
      for (std::size_t p = 0; p < P; ++p) {
        for (std::size_t r = 0; r < R; ++r) {
          sample[r] = static_cast<double>(s.outlay_fen[s.outlay_index(r, y, m, p)]) / 100.0;
        }
        means.push_back(mean(sample));
        p05.push_back(quantile(sample, 0.05));
        p50.push_back(quantile(sample, 0.50));
        p95.push_back(quantile(sample, 0.95));
      }
    }
  }
  const struct {
    const char* name;
    const std::vector<double>& values;
    const char* long_name;
  } statistics[] = {
      {"outlay_mean", means, "public outlay, mean over replications"},
      {"outlay_p05", p05, "public outlay, 5th percentile over replications (linear interpolation)"},
      {"outlay_p50", p50, "public outlay, median over replications (linear interpolation)"},
      {"outlay_p95", p95, "public outlay, 95th percentile over replications (linear interpolation)"},
  };
  for (const auto& statistic : statistics) {
    h5::Handle dataset = h5::write_dataset(group, statistic.name, statistic.values, {Y, M, P});
    describe(dataset, "CNY", statistic.long_name);
    h5::write_attribute(dataset, "coordinates", measure_label_names);
    attach_all(dataset, {&scales.year, &scales.measure, &scales.payer});
  }
}

std::vector<double> per_year(const std::vector<std::int64_t>& month_sums) {
  std::vector<double> averages;
  averages.reserve(month_sums.size());
  // A year's 12 monthly counts summed, so /12 is the average monthly count.
  for (std::int64_t v : month_sums) averages.push_back(static_cast<double>(v) / 12.0);
  return averages;
}

void write_scenario(const h5::Handle& scenarios, const ScenarioResults& s) {
  h5::Handle group = h5::create_group(scenarios, s.id);
  h5::write_attribute(group, "id", s.id);
  h5::write_attribute(group, "title", s.title);
  h5::write_attribute(group, "scenario_text", s.resolved_text);

  const std::size_t R = static_cast<std::size_t>(s.replications);
  const std::size_t Y = s.n_years(), M = s.n_measures(), P = s.n_payers();
  const auto B = static_cast<std::size_t>(s.birth_orders);

  Scales scales = write_common_scales(group, s);

  std::vector<std::int32_t> replication_index(R);
  for (std::size_t r = 0; r < R; ++r) replication_index[r] = static_cast<std::int32_t>(r);
  h5::Handle replication = h5::write_dataset(group, "replication", replication_index, {R});
  describe(replication, "1", "replication index");
  h5::make_scale(replication, "replication");

  std::vector<std::int32_t> orders(B);
  for (std::size_t b = 0; b < B; ++b) orders[b] = static_cast<std::int32_t>(b + 1);
  h5::Handle birth_order = h5::write_dataset(group, "birth_order", orders, {B});
  const std::string last = std::to_string(B);
  describe(birth_order, "1", "birth order (" + last + " stands for " + last + " and higher)");
  h5::write_attribute(birth_order, "note",
                      "the last birth order, " + last + ", counts births of order " + last + " and higher");
  h5::make_scale(birth_order, "birth_order");

  std::vector<double> outlay_yuan;
  outlay_yuan.reserve(s.outlay_fen.size());
  for (std::int64_t fen : s.outlay_fen) outlay_yuan.push_back(static_cast<double>(fen) / 100.0);
  h5::Handle outlay = h5::write_dataset(group, "outlay", outlay_yuan, {R, Y, M, P});
  describe(outlay, "CNY", "public outlay by measure and paying level of government");
  h5::write_attribute(outlay, "coordinates", measure_label_names);
  attach_all(outlay, {&replication, &scales.year, &scales.measure, &scales.payer});

  h5::Handle outlay_fen = h5::write_dataset(group, "outlay_fen", s.outlay_fen, {R, Y, M, P});
  describe(outlay_fen, "fen", "public outlay by measure and paying level of government, exact (1 CNY = 100 fen)");
  h5::write_attribute(outlay_fen, "coordinates", measure_label_names);
  attach_all(outlay_fen, {&replication, &scales.year, &scales.measure, &scales.payer});

  h5::Handle caseload = h5::write_dataset(group, "caseload", s.caseload, {R, Y, M});
  describe(caseload, "1", "caseload of each measure, counted in the measure's own unit");
  h5::write_attribute(caseload, "unit_per_measure",
                      "each measure has its own caseload unit (e.g. child-months): see the "
                      "caseload_unit coordinate along measure");
  h5::write_attribute(caseload, "coordinates", measure_label_names);
  attach_all(caseload, {&replication, &scales.year, &scales.measure});

  h5::Handle births = h5::write_dataset(group, "births", s.births, {R, Y, B});
  describe(births, "births", "live births by birth order");
  attach_all(births, {&replication, &scales.year, &birth_order});

  h5::Handle under3 = h5::write_dataset(group, "children_under3", per_year(s.child_months_under3), {R, Y});
  describe(under3, "children", "children under 3, average of the 12 monthly counts");
  attach_all(under3, {&replication, &scales.year});

  h5::Handle enrolled = h5::write_dataset(group, "childcare_enrolled", per_year(s.childcare_enrolled_months), {R, Y});
  describe(enrolled, "children", "children enrolled in childcare, average of the 12 monthly counts");
  attach_all(enrolled, {&replication, &scales.year});

  write_summary(group, s);
}

void write_file(const std::filesystem::path& path, const RunResults& results, Clock::time_point start) {
  h5::Handle file = h5::create_file(path);
  {
    h5::Handle root = h5::open_group(file, "/");
    h5::write_attribute(root, "filetype", "cradle.results");
    h5::write_attribute(root, "format_version", std::vector<std::int32_t>{RESULTS_FORMAT_MAJOR, RESULTS_FORMAT_MINOR});
    h5::write_attribute(root, "cradle_version", results.cradle_version);
    h5::write_attribute(root, "git_revision", results.git_revision);
    h5::write_attribute(root, "created_utc", results.created_utc);
    h5::write_attribute(root, "seed", results.seed);
    h5::write_attribute(root, "replications", std::int64_t{results.replications});
    h5::write_attribute(root, "threads", std::int64_t{results.threads});
    h5::write_attribute(root, "households", results.households);
    h5::write_attribute(root, "persons", results.persons);

    h5::Handle scenarios = h5::create_group(file, "scenarios");
    for (const ScenarioResults& s : results.scenarios) write_scenario(scenarios, s);

    // Last, so the figure covers all the work before it; only the final
    // flush, fsync and rename fall outside.
    h5::Handle runtime = h5::create_group(file, "runtime");
    h5::write_attribute(runtime, "population_seconds", results.times.population_seconds);
    h5::write_attribute(runtime, "simulation_seconds", results.times.simulation_seconds);
    const std::chrono::duration<double> writing = Clock::now() - start;
    h5::write_attribute(runtime, "writing_seconds", writing.count());
    h5::write_attribute(runtime, "units", "s");
  }
  file.close();
}

// HDF5 leaves data in the page cache; without fsync a crash soon after the
// rename could leave a complete-looking name over incomplete bytes.
void sync_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot open " + path.string());
  const int status = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  if (status != 0) throw std::system_error(saved, std::generic_category(), "cannot fsync " + path.string());
}

void sync_directory(const std::filesystem::path& directory) {
  // Best effort: the rename has happened, so failing here would misreport the outcome.
  const int fd = ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

void write_results(const std::filesystem::path& target, const RunResults& results) {
  const Clock::time_point start = Clock::now();
  const std::string failure = "cannot write results to '" + target.string() + "': ";
  if (target.filename().empty()) throw std::runtime_error(failure + "not a file name");
  try {
    validate(results);
  } catch (const std::exception& error) {
    throw std::runtime_error(failure + error.what());
  }
  std::filesystem::path temporary = target;
  temporary += ".tmp." + std::to_string(::getpid());
  try {
    write_file(temporary, results, start);
    sync_file(temporary);
    std::filesystem::rename(temporary, target);
  } catch (const std::exception& error) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw std::runtime_error(failure + error.what());
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw;
  }
  sync_directory(target.parent_path());
}

}  // namespace cradle
