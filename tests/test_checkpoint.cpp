// A run that is killed loses nothing: the results file is always absent, the previous one or a
// complete one; stale temporaries go with the next run; and a run resumed from its checkpoint
// gives the datasets of an uninterrupted run, bit for bit. The kills are real SIGKILLs of the
// cradle executable, at chosen moments (output/atomic_file.h: crash_point) and at timed ones.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <hdf5.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "output/checkpoint.h"
#include "output/h5.h"
#include "output/results_reader.h"
#include "output/results_writer.h"
#include "tests/test_helpers.h"

using namespace cradle;
using cradle::testing::read_file;
using cradle::testing::ScenarioCopy;

namespace {

//! The cradle executable: CTest names it; run by hand, it sits beside the tests' folder.
std::string cradle_binary() {
  if (const char* named = std::getenv("CRADLE_BINARY")) return named;
  return (std::filesystem::canonical("/proc/self/exe").parent_path().parent_path() / "cradle").string();
}

struct Outcome {
  int exit_code = -1;  //!< -1 when killed
  int signal = 0;      //!< the signal that ended it
  std::string err;     //!< what it printed on standard error
  std::chrono::milliseconds took{0};
};

//! Runs cradle with `args` in a child process, the crash point `crash_at` set (none if ""),
//! killing it with SIGKILL after `kill_after` if that is not zero.
Outcome run_cradle(const std::vector<std::string>& args, const std::string& crash_at = "",
                   std::chrono::milliseconds kill_after = std::chrono::milliseconds{0}) {
  const std::filesystem::path err_file =
      std::filesystem::temp_directory_path() / ("cradle_err_" + std::to_string(::getpid()));
  const std::string binary = cradle_binary();
  std::vector<std::string> words = {binary};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (!crash_at.empty()) ::setenv("CRADLE_CRASH_AT", crash_at.c_str(), 1);
    const int devnull = ::open("/dev/null", O_WRONLY);
    const int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(devnull, 1);
    ::dup2(err, 2);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  if (kill_after.count() > 0) {
    std::this_thread::sleep_for(kill_after);
    ::kill(pid, SIGKILL);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  Outcome outcome;
  if (WIFEXITED(status)) outcome.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) outcome.signal = WTERMSIG(status);
  outcome.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  outcome.err = read_file(err_file);
  std::filesystem::remove(err_file);
  return outcome;
}

//! Moments spread over a run that takes `whole`, to kill it at: early (reading, building the
//! population), in the simulation, and late (building and writing the results file).
std::vector<std::chrono::milliseconds> moments(std::chrono::milliseconds whole) {
  std::vector<std::chrono::milliseconds> at;
  for (const double share : {0.05, 0.2, 0.4, 0.6, 0.8, 0.9, 0.97}) {
    at.emplace_back(std::max<long>(1, static_cast<long>(share * static_cast<double>(whole.count()))));
  }
  return at;
}

std::vector<std::filesystem::path> temporaries(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> found;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().filename().string().find(".tmp.") != std::string::npos) found.push_back(e.path());
  }
  return found;
}

//! Every dataset of an HDF5 file, by path: its bytes in native form (numbers) or its strings
//! joined (variable-length text, whose native bytes are pointers).
std::map<std::string, std::string> datasets(const std::filesystem::path& file) {
  std::map<std::string, std::string> found;
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  struct Visit {
    std::vector<std::string> names;
  } visit;
  const auto collect = [](hid_t group, const char* name, const H5L_info_t*, void* data) -> herr_t {
    const hid_t object = H5Oopen(group, name, H5P_DEFAULT);
    if (object >= 0 && H5Iget_type(object) == H5I_DATASET) static_cast<Visit*>(data)->names.emplace_back(name);
    if (object >= 0) H5Oclose(object);
    return 0;
  };
  REQUIRE(H5Lvisit(f, H5_INDEX_NAME, H5_ITER_INC, collect, &visit) >= 0);
  const h5::Handle handle = h5::open_file(file);
  for (const std::string& name : visit.names) {
    const hid_t d = H5Dopen2(f, name.c_str(), H5P_DEFAULT);
    const hid_t type = H5Dget_type(d);
    std::string bytes;
    if (H5Tget_class(type) == H5T_STRING) {
      for (const std::string& s : h5::read_strings(handle, name)) (bytes += s) += '\n';
    } else {
      const hid_t native = H5Tget_native_type(type, H5T_DIR_ASCEND);
      const hid_t space = H5Dget_space(d);
      bytes.resize(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)) * H5Tget_size(native));
      REQUIRE(H5Dread(d, native, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data()) >= 0);
      H5Sclose(space);
      H5Tclose(native);
    }
    H5Tclose(type);
    H5Dclose(d);
    found.emplace(name, std::move(bytes));
  }
  H5Fclose(f);
  return found;
}

//! Checks that two results files hold the same datasets, bit for bit.
void require_same_datasets(const std::filesystem::path& a, const std::filesystem::path& b) {
  const auto left = datasets(a), right = datasets(b);
  REQUIRE(left.size() > 50);
  REQUIRE(left.size() == right.size());
  for (const auto& [name, bytes] : left) {
    INFO(name);
    REQUIRE(right.count(name) == 1);
    REQUIRE(bytes == right.at(name));
  }
}

std::uint64_t seed_of(const std::filesystem::path& results) {
  const h5::Handle file = h5::open_file(results);
  return static_cast<std::uint64_t>(h5::read_integer_attribute(h5::open_group(file, "/"), "seed").at(0));
}

}  // namespace

TEST_CASE("a run killed at any moment leaves no result, the previous one or a complete one", "[hardening][cli]") {
  ScenarioCopy dir;
  const auto out = dir.path("r.h5");
  const std::vector<std::string> run = {"run", dir.path("xihu_current.toml").string(), "--sample", "1/10", "-r", "10",
                                        "-q", "-o", out.string()};
  std::vector<std::string> first = run, second = run;
  first.insert(first.end(), {"-s", "1"});
  second.insert(second.end(), {"-s", "2"});
  const Outcome whole = run_cradle(first);
  REQUIRE(whole.exit_code == 0);
  SECTION("before any result: none or a complete one") {
    int killed = 0;
    for (const auto at : moments(whole.took)) {
      INFO(at.count() << " ms");
      std::filesystem::remove(out);
      killed += run_cradle(second, "", at).signal == SIGKILL;
      if (std::filesystem::exists(out)) CHECK(seed_of(out) == 2);
    }
    CHECK(killed > 0);  // at least one kill came before the end
  }
  SECTION("over a previous result: the previous one or the new one, whole") {
    const std::string previous = read_file(out);
    for (const std::string point : {"temporary_created", "temporary_written"}) {
      INFO(point);
      const Outcome killed = run_cradle(second, point);
      REQUIRE(killed.signal == SIGKILL);
      CHECK(read_file(out) == previous);
      CHECK(temporaries(dir.dir()).size() == 1);  // the kill left its temporary
    }
    int killed = 0;
    for (const auto at : moments(whole.took)) {
      INFO(at.count() << " ms");
      killed += run_cradle(second, "", at).signal == SIGKILL;
      if (read_file(out) != previous) {
        REQUIRE_NOTHROW(read_results(out));
        CHECK(seed_of(out) == 2);
        // The kill came after the rename: put the previous result back for the next moment.
        std::ofstream(out, std::ios::binary | std::ios::trunc) << previous;
      }
    }
    CHECK(killed > 0);
    // The next run of the same target removes the temporaries killed runs left.
    REQUIRE(run_cradle(second).exit_code == 0);
    CHECK(temporaries(dir.dir()).empty());
    CHECK(seed_of(out) == 2);
  }
}

TEST_CASE("a run resumed from its checkpoint after a kill gives the datasets of an uninterrupted run",
          "[hardening][cli][reproducibility]") {
  ScenarioCopy dir;
  // Two scenarios: a set, with its mechanical runs and comparison, and drawn estimates.
  const std::vector<std::string> set = {"run", dir.path("xihu_baseline.toml").string(),
                                        dir.path("xihu_current.toml").string(), "--sample", "1/100", "-r", "5",
                                        "--uncertain", "estimates", "-q"};
  const auto whole = dir.path("whole.h5"), resumed = dir.path("resumed.h5");
  std::vector<std::string> uninterrupted = set;
  uninterrupted.insert(uninterrupted.end(), {"-o", whole.string(), "-t", "2"});
  const Outcome whole_run = run_cradle(uninterrupted);
  REQUIRE(whole_run.exit_code == 0);

  std::vector<std::string> checkpointed = set;
  checkpointed.insert(checkpointed.end(), {"-o", resumed.string(), "--checkpoint", "--checkpoint-every", "2", "-t", "1"});
  std::vector<std::string> resume = checkpointed;
  resume.push_back("--resume");
  const auto saved = checkpoint_path(resumed);

  SECTION("killed after the second of three checkpoints") {
    REQUIRE(run_cradle(checkpointed, "checkpoint_written:2").signal == SIGKILL);
    REQUIRE(std::filesystem::exists(saved));
    REQUIRE_FALSE(std::filesystem::exists(resumed));
    REQUIRE(read_checkpoint(saved).done == 4);
  }
  SECTION("killed with every replication saved, before the results file was renamed") {
    // Three checkpoints pass the point first; the fourth temporary is the results file's.
    REQUIRE(run_cradle(checkpointed, "temporary_written:4").signal == SIGKILL);
    REQUIRE(read_checkpoint(saved).done == 5);
    REQUIRE_FALSE(std::filesystem::exists(resumed));
  }
  SECTION("killed at a timed moment") {
    run_cradle(checkpointed, "", whole_run.took / 2);
  }
  if (std::filesystem::exists(saved)) {
    const Outcome finished = run_cradle(resume);
    INFO(finished.err);
    REQUIRE(finished.exit_code == 0);
  } else if (!std::filesystem::exists(resumed)) {
    // The timed kill came before the first checkpoint: there is nothing to resume from.
    REQUIRE(run_cradle(checkpointed).exit_code == 0);
  }  // else it came after the run had finished, and the result is whole
  CHECK_FALSE(std::filesystem::exists(saved));  // removed once the results are written
  CHECK(temporaries(dir.dir()).empty());
  require_same_datasets(whole, resumed);
}

TEST_CASE("a checkpoint's batch ends with a group of replications on one population", "[hardening][cli]") {
  // Every 3 replications, 4 per population: a batch cut at 3 would leave replication 3 to
  // the next batch, which would generate population 0 again; the batch runs to 4.
  ScenarioCopy dir;
  const auto out = dir.path("grouped.h5");
  const std::vector<std::string> run = {"run",
                                        dir.path("xihu_current.toml").string(),
                                        "--sample",
                                        "1/100",
                                        "-r",
                                        "10",
                                        "--replications-per-population",
                                        "4",
                                        "-q",
                                        "-o",
                                        out.string(),
                                        "--checkpoint-every",
                                        "3",
                                        "-t",
                                        "1"};
  REQUIRE(run_cradle(run, "checkpoint_written:1").signal == SIGKILL);
  CHECK(read_checkpoint(checkpoint_path(out)).done == 4);
  REQUIRE(run_cradle(run, "checkpoint_written:2").signal == SIGKILL);
  CHECK(read_checkpoint(checkpoint_path(out)).done == 8);
}

TEST_CASE("a resume against another seed, scenario or program version is refused", "[hardening][cli]") {
  ScenarioCopy dir;
  const auto out = dir.path("r.h5");
  const std::vector<std::string> run = {"run", dir.path("xihu_current.toml").string(), "--sample", "1/100", "-r", "4",
                                        "-q", "-o", out.string(), "--checkpoint", "--checkpoint-every", "1"};
  const auto saved = checkpoint_path(out);
  const auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = run;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  SECTION("no checkpoint") {
    const Outcome refused = run_cradle(with({"--resume"}));
    CHECK(refused.exit_code == 2);
    CHECK(refused.err.find("no checkpoint") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(out));
  }
  REQUIRE(run_cradle(run, "checkpoint_written:2").signal == SIGKILL);
  REQUIRE(std::filesystem::exists(saved));
  const std::string checkpoint_bytes = read_file(saved);
  SECTION("another seed") {
    const Outcome refused = run_cradle(with({"--resume", "-s", "77"}));
    CHECK(refused.exit_code == 2);
    CHECK(refused.err.find("seed") != std::string::npos);
  }
  SECTION("a changed scenario") {
    dir.edit("packages/002_xihu.toml", "value = 126,", "value = 127,");
    const Outcome refused = run_cradle(with({"--resume"}));
    CHECK(refused.exit_code == 2);
    CHECK(refused.err.find("scenario xihu_current") != std::string::npos);
    dir.edit("packages/002_xihu.toml", "value = 127,", "value = 126,");
  }
  SECTION("another program version") {
    Checkpoint checkpoint = read_checkpoint(saved);
    REQUIRE(checkpoint.identity.front().first == "program version");
    checkpoint.identity.front().second = "0.0.1 (elsewhere)";
    write_checkpoint(saved, checkpoint);
    const Outcome refused = run_cradle(with({"--resume"}));
    CHECK(refused.exit_code == 2);
    CHECK(refused.err.find("program version: 0.0.1 (elsewhere) in the checkpoint") != std::string::npos);
    dir.write("r.h5.checkpoint", checkpoint_bytes);
  }
  SECTION("a file that is not a checkpoint") {
    dir.write("r.h5.checkpoint", "not a checkpoint");
    const Outcome refused = run_cradle(with({"--resume"}));
    CHECK(refused.exit_code == 2);
    CHECK(refused.err.find("r.h5.checkpoint") != std::string::npos);
    return;
  }
  // A refusal leaves the checkpoint for a resume with the right inputs, and writes nothing.
  CHECK(read_file(saved) == checkpoint_bytes);
  CHECK_FALSE(std::filesystem::exists(out));
  REQUIRE(run_cradle(with({"--resume"})).exit_code == 0);
  CHECK_FALSE(std::filesystem::exists(saved));
}

TEST_CASE("a checkpoint keeps every replication array exactly", "[hardening]") {
  ScenarioResults run;
  run.id = "s";
  run.replications = 2;
  std::int64_t next = -3;
  for_each_replication_array([&](const char*, auto member) {
    auto& data = run.*member;
    data.resize(6);
    for (auto& v : data) v = static_cast<typename std::decay_t<decltype(data)>::value_type>(next++) * 7;
  });
  run.parameters[1] = 0.1 + 0.2;  // a double that only an exact copy keeps
  run.outlay_fen[0] = std::numeric_limits<std::int64_t>::max();
  ScenarioCopy dir;
  const auto path = dir.path("c.checkpoint");
  write_checkpoint(path, Checkpoint{{{"seed", "1"}}, 2, 3, {run}, {ScenarioResults{}}});
  const Checkpoint back = read_checkpoint(path);
  CHECK(back.done == 2);
  CHECK(back.target == 3);
  CHECK(back.identity == std::vector<std::pair<std::string, std::string>>{{"seed", "1"}});
  REQUIRE(back.scenarios.size() == 1);
  REQUIRE(back.mechanical.size() == 1);
  ScenarioResults zero = run;
  for_each_replication_array([&](const char*, auto member) { std::fill((zero.*member).begin(), (zero.*member).end(), 0); });
  restore_replications(zero, back.scenarios[0]);
  for_each_replication_array([&](const char* name, auto member) {
    INFO(name);
    CHECK(zero.*member == run.*member);
  });
  ScenarioResults other = run;
  other.births.pop_back();
  CHECK_THROWS_AS(restore_replications(other, back.scenarios[0]), std::invalid_argument);
  CHECK(identity_difference({{"seed", "1"}}, {{"seed", "1"}}).empty());
  CHECK(identity_difference({{"seed", "1"}}, {{"seed", "2"}}) == "seed: 1 in the checkpoint, 2 now");
}
