#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>

#include "config/catalog.hpp"
#include "config/price_catalog.hpp"
#include "finance/pricing.hpp"
#include "finance/roi.hpp"
#include "util/error.hpp"
#include "../test_files.hpp"

using namespace dssim;

namespace {

CloudOffer offer(const std::string& provider, const std::string& instance, const std::string& gpu, int gpus, double per_hour,
                 const std::string& term = "on_demand", const std::string& until = "") {
  CloudOffer o;
  o.provider = provider;
  o.instance = instance;
  o.gpu = gpu;
  o.gpus = gpus;
  o.usd_per_hour = per_hour;
  o.term = term;
  o.until = until;
  o.source = "test";
  o.date = "2026";
  return o;
}

PriceCatalog small_catalog() {
  PriceCatalog c;
  c.file = "prices.toml";
  PurchasePrice p;
  p.gpu = "x100";
  p.usd = 20000;
  p.source = "vendor list";
  p.date = "2026";
  p.line = 3;
  c.purchases.push_back(p);
  c.offers = {offer("aws", "x.1", "x100", 1, 5.0),            // $5.00 per GPU-hour
              offer("aws", "x.4", "x100", 4, 16.0),           // $4.00
              offer("aws", "x.8", "x100", 8, 40.0),           // $5.00
              offer("aws", "x.8old", "x100", 8, 8.0, "on_demand", "2025-01"),  // history: never picked
              offer("aws", "x.8cb", "x100", 8, 24.0, "capacity_block"),        // $3.00, another term
              offer("cheapco", "x", "x100", 1, 2.0)};         // $2.00, another provider
  ElectricityPrice e;
  e.id = "here";
  e.usd_per_kwh = 0.12;
  e.source = "utility";
  e.date = "2026";
  c.electricity.push_back(e);
  Site s;
  s.id = "room";
  s.pue = 1.4;
  s.source = "survey";
  s.date = "2026";
  c.sites.push_back(s);
  return c;
}

CostSpec spec_here() {
  CostSpec s;
  s.electricity = "here";
  s.site = "room";
  return s;
}

}  // namespace

TEST_CASE("the cloud offer: the cheapest current one the layout fits in, of the provider and term asked for", "[finance]") {
  const PriceCatalog c = small_catalog();
  // 1 GPU per node: every instance fits; x.4 is cheapest per GPU-hour ($4.00), the old $1.00 row is history.
  CHECK(pick_offer(c, "x100", "aws", "on_demand", 1)->instance == "x.4");
  CHECK(pick_offer(c, "x100", "aws", "on_demand", 4)->instance == "x.4");
  // 8 GPUs per node: only the 8-GPU instance holds the layout.
  CHECK(pick_offer(c, "x100", "aws", "on_demand", 8)->instance == "x.8");
  // 16 GPUs per node: none is that large; the largest instance (several of them).
  CHECK(pick_offer(c, "x100", "aws", "on_demand", 16)->instance == "x.8");
  CHECK(pick_offer(c, "x100", "aws", "capacity_block", 1)->instance == "x.8cb");
  CHECK(pick_offer(c, "x100", "any", "on_demand", 1)->provider == "cheapco");
  CHECK(pick_offer(c, "x100", "aws", "spot", 1) == nullptr);
  CHECK(pick_offer(c, "y200", "aws", "on_demand", 1) == nullptr);
}

TEST_CASE("pricing fills what [cost] leaves out, names every source, and leaves unknown prices NaN", "[finance]") {
  const PriceCatalog c = small_catalog();
  PricedCost p = price_cost(spec_here(), c, "x100", 1);
  CHECK(p.inputs.gpu_price_usd == 20000);
  CHECK(p.inputs.cloud_usd_per_gpu_hour == Approx(4.0));
  CHECK(p.inputs.electricity_usd_per_kwh == 0.12);
  CHECK(p.inputs.pue == 1.4);
  REQUIRE(p.sources.size() == 4);
  CHECK(p.sources[0].origin == "prices.toml:3: vendor list, 2026");
  CHECK(p.missing.empty());

  // A number in the scenario wins over the catalogue, and is named as the scenario's.
  CostSpec s = spec_here();
  s.gpu_price_usd = 18000;
  s.gpu_price_in_file = "a.toml:7: key 'cost.gpu_price_usd'";
  s.cloud_usd_per_gpu_hour = 2.5;  // from --set: no file position
  p = price_cost(s, c, "x100", 1);
  CHECK(p.inputs.gpu_price_usd == 18000);
  CHECK(p.inputs.cloud_usd_per_gpu_hour == 2.5);
  CHECK(p.sources[0].origin == "a.toml:7: key 'cost.gpu_price_usd'");
  CHECK(p.sources[1].origin == "--set");

  // A GPU the catalogue does not price: NaN and a reason, never a borrowed number.
  p = price_cost(spec_here(), c, "y200", 1);
  CHECK(std::isnan(p.inputs.gpu_price_usd));
  CHECK(std::isnan(p.inputs.cloud_usd_per_gpu_hour));
  REQUIRE(p.missing.size() == 2);
  CHECK(p.missing[0].find("no purchase price for y200") != std::string::npos);

  // Renting another GPU than the one bought.
  s = spec_here();
  s.cloud_gpu = "x100";
  p = price_cost(s, c, "y200", 1);
  CHECK(p.inputs.cloud_usd_per_gpu_hour == Approx(4.0));

  // Misspelt catalogue rows are errors, not defaults.
  s = spec_here();
  s.electricity = "there";
  CHECK_THROWS_AS(price_cost(s, c, "x100", 1), Error);
  s = spec_here();
  s.cloud_provider = "amazon";
  CHECK_THROWS_AS(price_cost(s, c, "x100", 1), Error);
}

TEST_CASE("an unknown cloud price leaves the break-even undefined, not 'never'", "[finance]") {
  RoiInputs in;
  in.cost.gpu_price_usd = 20000;
  in.cost.cloud_usd_per_gpu_hour = std::nan("");
  in.throughput_tok_s = 100;
  in.busy_power_w = 500;
  const RoiResult r = compute_roi(in);
  CHECK_FALSE(r.break_even_defined);
  CHECK_FALSE(r.break_even_months);
  CHECK(std::isnan(r.roi_pct));
  CHECK(std::isnan(r.usd_per_million_tokens_cloud));
  CHECK(std::isfinite(r.usd_per_million_tokens_onprem));  // owning still has a price per token
}

TEST_CASE("dollars are written with thousands separators", "[finance]") {
  CHECK(dollars(32000) == "$32,000");
  CHECK(dollars(1234567.4) == "$1,234,567");
  CHECK(dollars(999) == "$999");
  CHECK(dollars(3.43088125) == "$3.431");
  CHECK(dollars(-1500) == "-$1,500");
  CHECK(dollars(std::nan("")) == "n/a");
}

TEST_CASE("the catalogue refuses rows without a source or date, duplicates and unknown terms", "[finance][config]") {
  const std::string ok_row = "[[purchase]]\ngpu = \"x\"\nusd = 10\ndate = \"2026\"\nsource = \"s\"\n";
  CHECK(load_price_catalog(write_test_file("p_ok.toml", ok_row)).purchases.size() == 1);
  CHECK_THROWS_WITH(load_price_catalog(write_test_file("p_nosrc.toml", "[[purchase]]\ngpu = \"x\"\nusd = 10\ndate = \"2026\"\n")),
                    Catch::Contains("source"));
  CHECK_THROWS_WITH(load_price_catalog(write_test_file("p_dup.toml", ok_row + ok_row)), Catch::Contains("p_dup.toml:6: a second"));
  CHECK_THROWS_WITH(load_price_catalog(write_test_file("p_term.toml",
                                                       "[[cloud]]\nprovider = \"a\"\ninstance = \"i\"\ngpu = \"x\"\ngpus = 1\n"
                                                       "term = \"monthly\"\nusd_per_hour = 1\nregion = \"r\"\ndate = \"d\"\nsource = \"s\"\n")),
                    Catch::Contains("monthly"));
  CHECK_THROWS_WITH(load_price_catalog(write_test_file("p_key.toml", ok_row + "price = 3\n")), Catch::Contains("unknown key"));
}

TEST_CASE("the shipped catalogue names only GPUs dssim knows, and every GPU price is dated and sourced", "[finance][config]") {
  const Catalog cat = Catalog::from_environment();
  const PriceCatalog p = cat.prices();
  CHECK(p.purchases.size() >= 10);
  CHECK(p.offers.size() >= 15);
  for (const auto& r : p.purchases) CHECK_NOTHROW(cat.gpu(r.gpu));
  for (const auto& o : p.offers) CHECK_NOTHROW(cat.gpu(o.gpu));
  for (const auto& r : p.servers)
    for (const auto& g : r.gpus) CHECK_NOTHROW(cat.gpu(g));
  for (const auto& r : p.networks)
    for (const auto& g : r.gpus) CHECK_NOTHROW(cat.gpu(g));
}

TEST_CASE("the server and the fabric: the catalogue's row per GPU share, the fabric only across nodes", "[finance]") {
  PriceCatalog c = small_catalog();
  ServerPrice sv;
  sv.gpus = {"x100"};
  sv.slots = 8;
  sv.usd = 80000;
  sv.source = "quote";
  sv.date = "2026";
  c.servers.push_back(sv);
  NetworkPrice nw;
  nw.gpus = {"x100"};
  nw.usd_per_gpu = 2000;
  nw.source = "sheet";
  nw.date = "2026";
  c.networks.push_back(nw);

  PricedCost one_node = price_cost(spec_here(), c, "x100", 8, 1);
  CHECK(one_node.inputs.server_usd_per_gpu == 10000);  // $80,000 / 8
  CHECK(one_node.inputs.network_usd_per_gpu == 0);     // one node: no fabric
  CHECK(one_node.excluded.empty());
  CHECK(one_node.inputs.hardware_usd(8) == 8 * (20000 + 10000));

  PricedCost two_nodes = price_cost(spec_here(), c, "x100", 8, 2);
  CHECK(two_nodes.inputs.network_usd_per_gpu == 2000);
  CHECK(two_nodes.inputs.hardware_usd(16) == 16 * (20000 + 10000 + 2000));
  // 16 GPUs described as one node still need two 8-slot servers and the fabric between them.
  CHECK(price_cost(spec_here(), c, "x100", 16, 1).inputs.network_usd_per_gpu == 2000);

  // The scenario's numbers win; a GPU without rows is priced alone and the report says so.
  CostSpec s = spec_here();
  s.server_usd_per_gpu = 5000;
  s.network_usd_per_gpu = 0;
  PricedCost given = price_cost(s, c, "x100", 8, 2);
  CHECK(given.inputs.server_usd_per_gpu == 5000);
  CHECK(given.inputs.network_usd_per_gpu == 0);
  PricedCost none = price_cost(spec_here(), small_catalog(), "x100", 8, 2);
  CHECK(none.inputs.server_usd_per_gpu == 0);
  REQUIRE(none.excluded.size() == 2);
  CHECK(none.excluded[0].find("no server price for x100") != std::string::npos);
  CHECK(none.excluded[1].find("fabric between x100 nodes") != std::string::npos);
  CHECK(none.missing.empty());  // counted as 0, not n/a: the figures stay defined
}

TEST_CASE("the catalogue's server rows: a GPU list, one row per GPU", "[finance][config]") {
  const std::string row = "[[server]]\ngpus = [\"x\", \"y\"]\nslots = 8\nusd = 8000\ndate = \"2026\"\nsource = \"s\"\n";
  const PriceCatalog ok = load_price_catalog(write_test_file("p_server.toml", row));
  REQUIRE(ok.servers.size() == 1);
  CHECK(ok.servers[0].usd_per_gpu() == 1000);
  CHECK_THROWS_WITH(load_price_catalog(write_test_file("p_server_dup.toml", row + row)),
                    Catch::Contains("a second server row for GPU 'x'"));
  CHECK_THROWS_WITH(load_price_catalog(write_test_file("p_server_list.toml",
                                                       "[[server]]\ngpus = \"x\"\nslots = 8\nusd = 1\ndate = \"d\"\nsource = \"s\"\n")),
                    Catch::Contains("array of strings"));
}

TEST_CASE("two kinds of GPU priced as one fleet: per-GPU lines are GPU-weighted means, totals the sum", "[cost][pricing]") {
  PricedCost a, b;
  a.inputs.gpu_price_usd = 30000, a.inputs.cloud_usd_per_gpu_hour = 6.0, a.inputs.server_usd_per_gpu = 9000;
  a.inputs.network_usd_per_gpu = 2000, a.inputs.pue = 1.5, a.inputs.utilization = 0.6;
  b.inputs.gpu_price_usd = 36000, b.inputs.cloud_usd_per_gpu_hour = 9.0, b.inputs.server_usd_per_gpu = 12000;
  b.inputs.network_usd_per_gpu = 2000, b.inputs.pue = 9, b.inputs.utilization = 0.1;  // a's terms win
  a.sources = {{"GPU purchase", "$30,000", "x"}, {"electricity", "$0.1", "y"}};
  b.sources = {{"GPU purchase", "$36,000", "z"}, {"electricity", "$0.1", "y"}};
  a.missing = {"m"};
  b.missing = {"m", "n"};
  const PricedCost p = blend_priced(a, "prefill", 16, b, "decode", 8);
  CHECK(p.inputs.gpu_price_usd == Approx(32000));  // (16 x 30,000 + 8 x 36,000) / 24
  CHECK(p.inputs.hardware_usd(24) == Approx(16 * (30000 + 9000 + 2000) + 8 * (36000 + 12000 + 2000)));
  CHECK(p.inputs.cloud_usd_per_gpu_hour == Approx(7.0));  // (16 x 6 + 8 x 9) / 24
  CHECK(p.inputs.server_usd_per_gpu == Approx(10000));
  CHECK(p.inputs.pue == Approx(1.5));
  CHECK(p.inputs.utilization == Approx(0.6));
  REQUIRE(p.sources.size() == 3);
  CHECK(p.sources[0].item == "GPU purchase (prefill)");
  CHECK(p.sources[1].item == "electricity");
  CHECK(p.sources[2].item == "GPU purchase (decode)");
  CHECK(p.missing == std::vector<std::string>{"m", "n"});
  // An unknown price on either side leaves the fleet's unknown, never half-priced.
  b.inputs.cloud_usd_per_gpu_hour = std::nan("");
  CHECK(std::isnan(blend_priced(a, "prefill", 16, b, "decode", 8).inputs.cloud_usd_per_gpu_hour));
}
