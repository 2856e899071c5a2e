// Files that are never seen half-written: what the results file and the checkpoint are
// written through, and the hook with which tests kill a run at a chosen moment.
#pragma once

#include <filesystem>
#include <vector>

namespace cradle {

//! Writes `bytes` to `target` so that target is, at every moment and whenever the process
//! dies, either absent, its previous content, or the whole of `bytes`: they go to a
//! temporary "<target>.tmp.<pid>" beside it, are made durable (fsync), and the temporary is
//! renamed over target, then the folder synced. Temporaries of target left by processes that
//! no longer run are removed first. On failure (a full disk, a folder that cannot be written)
//! the temporary is removed, target is untouched, and std::system_error or
//! std::filesystem::filesystem_error is thrown, naming the path and the cause.
void replace_file(const std::filesystem::path& target, const std::vector<unsigned char>& bytes);

//! Removes the temporaries "<target>.tmp.<pid>" whose process is gone (a live process may
//! still be writing its own), and this process's.
void remove_stale_temporaries(const std::filesystem::path& target);

//! A test hook. When the environment variable CRADLE_CRASH_AT names this point, as "name"
//! or "name:N" for its N-th passage (from 1), the process kills itself there with SIGKILL,
//! as the OOM killer or a power cut would: no handler, no clean-up. Tests use it to show that
//! a run killed at any moment loses no result. Without the variable it does nothing.
//! Points: "temporary_created" (a temporary exists, still empty), "temporary_written" (a
//! complete temporary not yet renamed), "checkpoint_written" (a checkpoint just saved).
void crash_point(const char* name);

}  // namespace cradle
