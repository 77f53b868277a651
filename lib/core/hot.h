/* How lastrec compiles its hot loops.  SPDX-License-Identifier: MIT
 *
 * A function marked LR__HOT is compiled three times, for AVX-512
 * (x86-64-v4), AVX2 (x86-64-v3) and the x86-64 baseline, and the loader
 * picks the widest the machine runs (an ifunc), where the toolchain can:
 * the distribution's -O2 without -march would otherwise use SSE2 only.
 * Results do not depend on the clone: the project builds as -std=c11,
 * under which GCC never contracts a * b + c into a fused multiply-add, and
 * every reduction that matters fixes its lane order in the source
 * (lib/model/kernels.h).  The one exception is the scoring kernel
 * (lib/model/panels.c), which picks its own target at run time and fuses
 * multiply-adds on FMA targets: its results depend on the CPU generation,
 * never on the batch.  Vectors never cross a function boundary by value,
 * as wider-than-SSE vectors would change the calling convention between
 * clones.  A LR__HOT function is static, or called only from its own
 * file: clang 14 names the dispatcher NAME.ifunc, which callers in other
 * files never find (lib/model/score.c wraps its two). */
#ifndef LR_CORE_HOT_H
#define LR_CORE_HOT_H

/* Sanitizer builds get one plain copy: the ifunc resolver target_clones
 * generates runs while the dynamic loader relocates, before a sanitizer's
 * runtime is set up, and an instrumented resolver crashed ThreadSanitizer
 * builds before main.  A plain copy is also what the sanitizers check
 * best.  gcc says __SANITIZE_*__; clang answers __has_feature. */
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#  define LR__NO_CLONES 1
#elif defined(__has_feature)
#  if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer) || \
      __has_feature(memory_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#    define LR__NO_CLONES 1
#  endif
#endif

#if defined(__x86_64__) && defined(__ELF__) && defined(__GNUC__) && defined(__has_attribute) && \
    !defined(LR__NO_CLONES)
#  if __has_attribute(target_clones)
#    define LR__HOT __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#  endif
#endif
#ifndef LR__HOT
#  define LR__HOT
#endif

#endif
