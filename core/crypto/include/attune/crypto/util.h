// Library initialisation and constant-time helpers.
#pragma once

#include "attune/base/bytes.h"
#include "attune/base/result.h"

namespace attune::crypto {

// Initialises libsodium. Safe to call many times and from many threads;
// every entry point of Attune calls it before any other crypto function.
// Fails only if libsodium cannot initialise (no entropy source).
Status Init();

// Constant-time equality. Lengths are not secret: different lengths compare
// unequal immediately.
bool ConstantTimeEqual(ByteView a, ByteView b);

// True when every byte is zero, in constant time.
bool IsAllZero(ByteView a);

}  // namespace attune::crypto
