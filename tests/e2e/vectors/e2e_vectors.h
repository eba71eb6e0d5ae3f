// The one tool that writes tests/vectors/e2e_*.json (docs/PROTOCOL.md (part x3dh),
// "Test vectors"). Everything is derived from fixed seeds through
// crypto::DeterministicRandom, so the output is byte-for-byte reproducible:
// attune_vector_gen writes it, attune_e2e_tests regenerates it and compares
// with the committed files.
//
// While generating, every ratchet message produced by Session is recomputed
// by an independent reference key schedule (ratchet_reference.h) from the
// documented KDFs; any difference is an error, so the printed intermediate
// keys are the ones the real code used.
#pragma once

#include <string>
#include <vector>

#include "attune/base/result.h"

namespace attune::e2e::vectors {

struct VectorFile {
  std::string name{};      // file name under tests/vectors/
  std::string contents{};  // JSON, 2-space indent, trailing newline
};

Result<std::vector<VectorFile>> GenerateE2eVectors();

}  // namespace attune::e2e::vectors
