#pragma once
// Finds model cards, GPU cards, nodes, runtimes and scenarios by id under the data directory
// (DSSIM_DATA_DIR, else the source tree the binary was built from).
#include <string>
#include <vector>

#include "config/accuracy_bands.hpp"

#include "config/gpu_card.hpp"
#include "config/model_card.hpp"
#include "config/node_spec.hpp"
#include "config/price_catalog.hpp"
#include "config/runtime_profile.hpp"

namespace dssim {

class Catalog {
 public:
  explicit Catalog(std::string data_dir);
  static Catalog from_environment();

  const std::string& data_dir() const { return data_dir_; }
  ModelCard model(const std::string& id) const;
  GpuCard gpu(const std::string& id) const;
  NodeSpec node(const std::string& id) const;
  RuntimeProfile runtime(const std::string& id) const;
  std::string cooling_path(const std::string& id) const;
  PriceCatalog prices() const;  // platforms/prices.toml
  // validation/bands.toml (dssim validate --write-bands); empty when the data directory has none
  AccuracyBands accuracy_bands() const;
  std::vector<std::string> model_ids() const;
  std::vector<std::string> gpu_ids() const;
  std::vector<std::string> node_ids() const;
  std::vector<std::string> scenario_paths() const;

 private:
  std::string find(const std::string& sub, const std::string& id, const std::string& what) const;
  std::vector<std::string> ids(const std::string& sub) const;
  std::string data_dir_;
};

}  // namespace dssim
