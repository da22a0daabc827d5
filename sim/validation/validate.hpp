#pragma once
// `dssim validate`: every validation set the repository holds (validation/validate.toml), its errors
// per class, and the bounds CI keeps beside the accuracy targets.
#include <string>

namespace dssim {

struct ValidateOptions {
  std::string file = "validation/validate.toml";
  bool rows = true;  // print every row, not only the class tables
  bool write_bands = false;  // write the prediction bands file instead of checking it
};

// Prints the tables to stdout; returns 0 when every limit holds, 1 otherwise.
int validate(const ValidateOptions& opt);

}  // namespace dssim
