// Whether this build compiles the AVX2 and AVX-512 paths of the hot loops (the Philox
// batches, the women's sieve), each chosen at run time for the CPU beside a portable path
// that gives the same integers. ThreadSanitizer builds keep the portable paths alone: they
// check the threads, and the other builds' tests compare every path with its definition.
#pragma once

#if defined(__x86_64__) && !defined(CRADLE_TSAN)
#define CRADLE_X86_PATHS 1
#endif
