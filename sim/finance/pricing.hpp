#pragma once
// Fills a [cost] table's gaps from the price catalogue, for one platform, and keeps the rows it used
// so that every report can name the source and date of every price.
#include <string>
#include <vector>

#include "config/price_catalog.hpp"
#include "finance/cost_inputs.hpp"

namespace dssim {

struct PriceSource {
  std::string item;    // "GPU purchase", "cloud", "electricity", "PUE"
  std::string value;   // as printed: "$32,000 per GPU", "$6.88 per GPU-hour (aws p5.48xlarge, on_demand, 8 GPUs)"
  std::string origin;  // "platforms/prices.toml:42: <source>, <date>" or "scenario file:line" or "--set"
};

struct PricedCost {
  CostInputs inputs;                  // NaN where no price is known
  std::vector<PriceSource> sources;   // one per price, in the order above
  std::vector<std::string> missing;   // why a price is NaN, and what would supply it
  std::vector<std::string> excluded;  // cost lines with no price, counted as 0 (the server, the fabric)
};

// A deployment of two kinds of GPU (prefill/decode pools on different hardware) as one of `na + nb`
// GPUs: the per-GPU lines (purchase, server, fabric, cloud rent) are the GPU-weighted means, so every
// total the finance takes (n x per-GPU) is the sum of the two kinds' totals; the other terms are a's.
// Each kind's per-GPU sources keep their own line, labelled.
PricedCost blend_priced(const PricedCost& a, const std::string& a_label, int na, const PricedCost& b,
                        const std::string& b_label, int nb);

// The cloud offer a run is compared with: current offers of `gpu` with the spec's provider and term;
// among those whose instance holds `gpus_per_node` GPUs (the layout fits one instance), the cheapest per
// GPU-hour; when none is that large, the largest. Null when there is none.
const CloudOffer* pick_offer(const PriceCatalog& cat, const std::string& gpu, const std::string& provider,
                             const std::string& term, int gpus_per_node);

// `nodes`: the platform's; the fabric between nodes is priced only for more than one.
PricedCost price_cost(const CostSpec& spec, const PriceCatalog& cat, const std::string& gpu_id, int gpus_per_node, int nodes = 1);

// "$32,000" (thousands separators, no cents at or above $1,000; else up to 4 significant figures).
std::string dollars(double usd);

}  // namespace dssim
