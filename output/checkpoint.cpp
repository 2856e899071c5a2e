#include "output/checkpoint.h"

#include <stdexcept>

#include "output/atomic_file.h"
#include "output/h5.h"
#include "output/results_reader.h"

namespace cradle {

namespace {

constexpr const char* FILETYPE = "cradle.checkpoint";

void write_run(const h5::Handle& parent, const std::string& name, const ScenarioResults& run) {
  const h5::Handle group = h5::create_group(parent, name);
  h5::write_attribute(group, "id", run.id);
  h5::write_attribute(group, "replications", std::int64_t{run.replications});
  for_each_replication_array([&](const char* array, auto member) {
    const auto& data = run.*member;
    h5::write_dataset(group, array, data, {static_cast<hsize_t>(data.size())});
  });
}

ScenarioResults read_run(const h5::Handle& parent, const std::string& name) {
  const h5::Handle group = h5::open_group(parent, name);
  ScenarioResults run;
  run.id = h5::read_string_attribute(group, "id");
  run.replications = static_cast<int>(h5::read_integer_attribute(group, "replications").at(0));
  for_each_replication_array([&](const char* array, auto member) {
    auto& data = run.*member;
    if constexpr (std::is_same_v<typename std::decay_t<decltype(data)>::value_type, double>) {
      data = h5::read_float64(group, array);
    } else {
      data = h5::read_int64(group, array);
    }
  });
  return run;
}

std::vector<unsigned char> checkpoint_image(const std::filesystem::path& path, const Checkpoint& checkpoint) {
  h5::Handle file = h5::create_memory_file(path.string());
  {
    const h5::Handle root = h5::open_group(file, "/");
    h5::write_attribute(root, "filetype", FILETYPE);
    h5::write_attribute(root, "done", std::int64_t{checkpoint.done});
    h5::write_attribute(root, "target", std::int64_t{checkpoint.target});
    std::vector<std::string> what, value;
    for (const auto& [w, v] : checkpoint.identity) {
      what.push_back(w);
      value.push_back(v);
    }
    h5::write_strings(file, "identity_what", what);
    h5::write_strings(file, "identity_value", value);
    const h5::Handle scenarios = h5::create_group(file, "scenarios");
    for (std::size_t i = 0; i < checkpoint.scenarios.size(); ++i) {
      write_run(scenarios, std::to_string(i), checkpoint.scenarios[i]);
    }
    const h5::Handle mechanical = h5::create_group(file, "mechanical");
    for (std::size_t i = 0; i < checkpoint.mechanical.size(); ++i) {
      write_run(mechanical, std::to_string(i), checkpoint.mechanical[i]);
    }
  }
  std::vector<unsigned char> image = h5::file_image(file);
  file.close();
  return image;
}

std::vector<ScenarioResults> read_runs(const h5::Handle& file, const std::string& group_name) {
  const h5::Handle group = h5::open_group(file, group_name);
  std::vector<ScenarioResults> runs;
  for (std::size_t i = 0; h5::exists(group, std::to_string(i)); ++i) runs.push_back(read_run(group, std::to_string(i)));
  return runs;
}

}  // namespace

std::filesystem::path checkpoint_path(const std::filesystem::path& results) {
  std::filesystem::path path = results;
  path += ".checkpoint";
  return path;
}

void write_checkpoint(const std::filesystem::path& path, const Checkpoint& checkpoint) {
  try {
    replace_file(path, checkpoint_image(path, checkpoint));
  } catch (const std::exception& error) {
    std::string message = "cannot write the checkpoint ";
    message += path.string();
    message += ": ";
    message += error.what();
    throw std::runtime_error(message);
  }
  crash_point("checkpoint_written");
}

Checkpoint read_checkpoint(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw ResultsFileError(path.string() + ": no checkpoint there");
  Checkpoint checkpoint;
  try {
    h5::silence_errors();
    const h5::Handle file = h5::open_file(path);
    const h5::Handle root = h5::open_group(file, "/");
    if (!h5::attribute_exists(root, "filetype") || h5::read_string_attribute(root, "filetype") != FILETYPE) {
      throw ResultsFileError(path.string() + " is not a Cradle checkpoint");
    }
    checkpoint.done = static_cast<int>(h5::read_integer_attribute(root, "done").at(0));
    checkpoint.target = static_cast<int>(h5::read_integer_attribute(root, "target").at(0));
    const auto what = h5::read_strings(file, "identity_what"), value = h5::read_strings(file, "identity_value");
    if (what.size() != value.size()) throw ResultsFileError(path.string() + ": its identity is inconsistent");
    for (std::size_t i = 0; i < what.size(); ++i) checkpoint.identity.emplace_back(what[i], value[i]);
    checkpoint.scenarios = read_runs(file, "scenarios");
    checkpoint.mechanical = read_runs(file, "mechanical");
  } catch (const ResultsFileError&) {
    throw;
  } catch (const std::exception& error) {
    std::string message = "cannot read the checkpoint ";
    message += path.string();
    message += ": ";
    message += error.what();
    throw ResultsFileError(message);
  }
  return checkpoint;
}

std::string identity_difference(const std::vector<std::pair<std::string, std::string>>& saved,
                                const std::vector<std::pair<std::string, std::string>>& now) {
  for (std::size_t i = 0; i < std::max(saved.size(), now.size()); ++i) {
    const std::string what = i < saved.size() ? saved[i].first : now[i].first;
    const std::string was = i < saved.size() ? saved[i].second : "(nothing)";
    const std::string is = i < now.size() && now[i].first == what ? now[i].second : "(nothing)";
    if (was == is) continue;
    std::string text = what;
    text += ": ";
    text += was;
    text += " in the checkpoint, ";
    text += is;
    text += " now";
    return text;
  }
  return "";
}

void restore_replications(ScenarioResults& run, const ScenarioResults& saved) {
  if (run.replications != saved.replications) {
    throw std::invalid_argument("scenario '" + run.id + "': the checkpoint's replications do not match the run's");
  }
  for_each_replication_array([&](const char* array, auto member) {
    auto& into = run.*member;
    const auto& from = saved.*member;
    if (into.size() != from.size()) {
      std::string message = "scenario '";
      message += run.id;
      message += "': the checkpoint's ";
      message += array;
      message += " does not match the run's shape";
      throw std::invalid_argument(message);
    }
    into = from;
  });
}

}  // namespace cradle
