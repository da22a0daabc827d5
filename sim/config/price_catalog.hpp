#pragma once
// The price catalogue (platforms/prices.toml): purchase prices, cloud offers, electricity and sites,
// each row with its date and source, so that a report can say where every dollar came from.
#include <string>
#include <vector>

namespace dssim {

struct PriceRow {             // what every row carries
  std::string date, source, confidence, note;
  int line = 0;               // in the catalogue file, for messages
};

struct PurchasePrice : PriceRow {
  std::string gpu;            // a GPU card id
  double usd = 0;
};

struct CloudOffer : PriceRow {
  std::string provider, instance, gpu, term, region, until;  // until: empty while the offer is current
  int gpus = 1;
  double usd_per_hour = 0;
  double usd_per_gpu_hour() const { return usd_per_hour / gpus; }
  bool current() const { return until.empty(); }
};

struct ElectricityPrice : PriceRow {
  std::string id;
  double usd_per_kwh = 0;
};

struct Site : PriceRow {
  std::string id;
  double pue = 0;
};

// The server around the GPUs (chassis, CPUs, memory, NICs, local disks; no GPUs): a row for the GPUs
// it houses, priced per GPU slot.
struct ServerPrice : PriceRow {
  std::vector<std::string> gpus;  // GPU card ids it houses
  int slots = 8;
  double usd = 0;                 // the server without its GPUs
  double usd_per_gpu() const { return usd / slots; }
};

// The fabric between nodes (switch ports, cables, transceivers) per GPU, for the GPUs it serves;
// charged only when a deployment spans more than one node.
struct NetworkPrice : PriceRow {
  std::vector<std::string> gpus;
  double usd_per_gpu = 0;
};

struct PriceCatalog {
  std::string file;  // as reports name it: relative to the data directory when read from there
  std::vector<PurchasePrice> purchases;
  std::vector<ServerPrice> servers;
  std::vector<NetworkPrice> networks;
  std::vector<CloudOffer> offers;
  std::vector<ElectricityPrice> electricity;
  std::vector<Site> sites;
};

inline const std::vector<std::string> kCloudTerms = {"on_demand", "reserved_1y", "reserved_3y", "spot", "capacity_block", "lease"};

// Reads and checks the catalogue: every row dated and sourced, numbers in range, ids unique, at most
// one current purchase price per GPU.
PriceCatalog load_price_catalog(const std::string& path, const std::string& name = "");

}  // namespace dssim
