#pragma once
// The operator tests' look-ups: one operator of a forward by name and layer, and a shipped model card.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "config/catalog.hpp"
#include "model/operators.hpp"

namespace dssim::test {

inline const Op& find(const std::vector<Op>& ops, const std::string& name, int layer = 0) {
  auto it = std::find_if(ops.begin(), ops.end(), [&](const Op& o) { return o.name == name && o.layer == layer; });
  REQUIRE(it != ops.end());
  return *it;
}

inline ModelCard model(const std::string& id) { return Catalog(DSSIM_TEST_DATA_DIR).model(id); }

}  // namespace dssim::test
