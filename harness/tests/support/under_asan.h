// LEAKGATE_UNDER_ASAN: 1 when this test is compiled with AddressSanitizer. gcc defines
// __SANITIZE_ADDRESS__; clang before 16 (Debian 12 has 14) tells it only by __has_feature.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define LEAKGATE_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LEAKGATE_UNDER_ASAN 1
#endif
#endif
#ifndef LEAKGATE_UNDER_ASAN
#define LEAKGATE_UNDER_ASAN 0
#endif
