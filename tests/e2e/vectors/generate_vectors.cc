// attune_vector_gen DIR: writes the message layer's test vectors into DIR
// (tests/vectors). Run through the attune_regenerate_e2e_vectors target.
#include <cstdio>
#include <fstream>
#include <iostream>

#include "attune/crypto/util.h"
#include "e2e_vectors.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: attune_vector_gen <output directory>\n";
    return 2;
  }
  if (!attune::crypto::Init().ok()) return 1;
  auto files = attune::e2e::vectors::GenerateE2eVectors();
  if (!files.ok()) {
    std::cerr << "attune_vector_gen: " << files.error().ToString() << "\n";
    return 1;
  }
  for (const auto& file : *files) {
    const std::string path = std::string(argv[1]) + "/" + file.name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << file.contents;
    if (!out) {
      std::cerr << "attune_vector_gen: cannot write " << path << "\n";
      return 1;
    }
    std::cout << "wrote " << path << "\n";
  }
  return 0;
}
