#include "config/catalog.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace fs = std::filesystem;

namespace dssim {

Catalog::Catalog(std::string data_dir) : data_dir_(std::move(data_dir)) {
  if (!fs::is_directory(fs::path(data_dir_) / "models"))
    throw Error(fmt("data directory '%s' has no models/ folder; set DSSIM_DATA_DIR to the dssim checkout", data_dir_.c_str()));
}

Catalog Catalog::from_environment() {
  const char* env = std::getenv("DSSIM_DATA_DIR");
  return Catalog(env && *env ? env : DSSIM_DEFAULT_DATA_DIR);
}

std::vector<std::string> Catalog::ids(const std::string& sub) const {
  std::vector<std::string> out;
  fs::path dir = fs::path(data_dir_) / sub;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".toml") out.push_back(e.path().stem().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string Catalog::find(const std::string& sub, const std::string& id, const std::string& what) const {
  fs::path p = fs::path(data_dir_) / sub / (id + ".toml");
  if (id.find('/') == std::string::npos && fs::is_regular_file(p)) return p.string();
  auto known = ids(sub);
  std::string hint = closest(id, known);
  throw Error(fmt("unknown %s '%s'%s; known: %s", what.c_str(), id.c_str(),
                  hint.empty() ? "" : fmt(" (did you mean '%s'?)", hint.c_str()).c_str(), join(known, ", ").c_str()));
}

ModelCard Catalog::model(const std::string& id) const { return load_model_card(find("models", id, "model")); }
GpuCard Catalog::gpu(const std::string& id) const { return load_gpu_card(find("platforms/gpus", id, "GPU"), data_dir_); }
NodeSpec Catalog::node(const std::string& id) const {
  NodeSpec n = load_node_spec(find("platforms/nodes", id, "node"));
  try {
    find("platforms/gpus", n.gpu, "GPU");
  } catch (const Error& e) {  // say which node file names it
    throw Error(fmt("%s: %s", n.gpu_where.c_str(), e.what()));
  }
  return n;
}
RuntimeProfile Catalog::runtime(const std::string& id) const {
  return load_runtime_profile(find("platforms/runtimes", id, "runtime"));
}
AccuracyBands Catalog::accuracy_bands() const {
  const fs::path p = fs::path(data_dir_) / "validation" / "bands.toml";
  return fs::exists(p) ? read_accuracy_bands(p.string()) : AccuracyBands{};
}
PriceCatalog Catalog::prices() const {
  return load_price_catalog((fs::path(data_dir_) / "platforms" / "prices.toml").string(), "platforms/prices.toml");
}

std::string Catalog::cooling_path(const std::string& id) const { return find("platforms/cooling", id, "cooling profile"); }
std::vector<std::string> Catalog::model_ids() const { return ids("models"); }
std::vector<std::string> Catalog::gpu_ids() const { return ids("platforms/gpus"); }
std::vector<std::string> Catalog::node_ids() const { return ids("platforms/nodes"); }

std::vector<std::string> Catalog::scenario_paths() const {
  std::vector<std::string> out;
  fs::path dir = fs::path(data_dir_) / "scenarios";
  if (!fs::is_directory(dir)) return out;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_directory() && (it->path().filename() == "sweeps" || it->path().filename() == "studies" ||
                                 it->path().filename() == "recommend")) {  // not scenarios
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && it->path().extension() == ".toml")
      out.push_back(fs::relative(it->path(), data_dir_).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace dssim
