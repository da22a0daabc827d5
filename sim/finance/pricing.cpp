#include "finance/pricing.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string origin(const PriceCatalog& cat, const PriceRow& r) {
  std::string s = fmt("%s:%d: %s, %s", cat.file.c_str(), r.line, r.source.c_str(), r.date.c_str());
  if (!r.confidence.empty()) s += " (confidence: " + r.confidence + ")";
  return s;
}

std::string given(const std::string& in_file) { return in_file.empty() ? "--set" : in_file; }

template <class Row>
const Row* by_id(const std::vector<Row>& rows, const std::string& id) {
  for (const Row& r : rows)
    if (r.id == id) return &r;
  return nullptr;
}

template <class Row>
std::string ids(const std::vector<Row>& rows) {
  std::vector<std::string> v;
  for (const Row& r : rows) v.push_back(r.id);
  return join(v, ", ");
}

std::string offers_of(const PriceCatalog& cat, const std::string& gpu) {
  std::vector<std::string> v;
  for (const CloudOffer& o : cat.offers)
    if (o.gpu == gpu && o.current()) v.push_back(fmt("%s %s (%s)", o.provider.c_str(), o.instance.c_str(), o.term.c_str()));
  return v.empty() ? "none" : join(v, "; ");
}

// A price the scenario gives, else the catalogue row it names (an unknown row is an error listing the known).
template <class Row, class Show, class Value>
double from_row(PricedCost& p, const char* item, const std::optional<double>& given, const PriceCatalog& cat,
                const std::vector<Row>& rows, const char* key, const std::string& id, Show show, Value value) {
  if (given) {
    p.sources.push_back({item, show(*given), "the scenario"});
    return *given;
  }
  const Row* r = by_id(rows, id);
  if (!r)
    throw Error(fmt("cost.%s = \"%s\" is not in %s (known: %s)", key, id.c_str(), cat.file.c_str(), ids(rows).c_str()));
  p.sources.push_back({item, show(value(*r)) + " (" + r->id + ")", origin(cat, *r)});
  return value(*r);
}

// The catalogue's row that prices `gpu` ([[server]], [[network]]: one row names several GPUs), or null.
template <class Row>
const Row* row_for_gpu(const std::vector<Row>& rows, const std::string& gpu) {
  for (const Row& r : rows)
    if (std::find(r.gpus.begin(), r.gpus.end(), gpu) != r.gpus.end()) return &r;
  return nullptr;
}

}  // namespace

std::string dollars(double usd) {
  if (std::isnan(usd)) return "n/a";
  const double a = std::fabs(usd);
  if (a < 1000) return fmt("%s$%.4g", usd < 0 ? "-" : "", a);
  std::string digits = fmt("%.0f", a), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (usd < 0 ? "-$" : "$") + out;
}

const CloudOffer* pick_offer(const PriceCatalog& cat, const std::string& gpu, const std::string& provider,
                             const std::string& term, int gpus_per_node) {
  const CloudOffer* fits = nullptr;
  const CloudOffer* largest = nullptr;
  for (const CloudOffer& o : cat.offers) {
    if (o.gpu != gpu || !o.current() || o.term != term || (provider != "any" && o.provider != provider)) continue;
    if (o.gpus >= gpus_per_node && (!fits || o.usd_per_gpu_hour() < fits->usd_per_gpu_hour())) fits = &o;
    if (!largest || o.gpus > largest->gpus || (o.gpus == largest->gpus && o.usd_per_gpu_hour() < largest->usd_per_gpu_hour()))
      largest = &o;
  }
  return fits ? fits : largest;
}

PricedCost blend_priced(const PricedCost& a, const std::string& a_label, int na, const PricedCost& b,
                        const std::string& b_label, int nb) {
  if (na < 1 || nb < 1) throw Error(fmt("internal: blending prices of %d and %d GPUs", na, nb), ExitCode::internal);
  PricedCost p;
  p.inputs = a.inputs;
  const double wa = static_cast<double>(na) / (na + nb), wb = 1.0 - wa;
  auto mean = [&](double CostInputs::*f) { p.inputs.*f = wa * (a.inputs.*f) + wb * (b.inputs.*f); };
  mean(&CostInputs::gpu_price_usd);
  mean(&CostInputs::cloud_usd_per_gpu_hour);
  mean(&CostInputs::server_usd_per_gpu);
  mean(&CostInputs::network_usd_per_gpu);
  auto per_gpu = [](const std::string& item) {
    return item == "GPU purchase" || item == "cloud" || item == "server" || item == "network";
  };
  for (const PriceSource& s : a.sources)
    p.sources.push_back(per_gpu(s.item) ? PriceSource{s.item + " (" + a_label + ")", s.value, s.origin} : s);
  for (const PriceSource& s : b.sources)
    if (per_gpu(s.item)) p.sources.push_back({s.item + " (" + b_label + ")", s.value, s.origin});
  auto unite = [](std::vector<std::string>& out, const std::vector<std::string>& x, const std::vector<std::string>& y) {
    out = x;
    for (const std::string& s : y)
      if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  };
  unite(p.missing, a.missing, b.missing);
  unite(p.excluded, a.excluded, b.excluded);
  return p;
}

PricedCost price_cost(const CostSpec& spec, const PriceCatalog& cat, const std::string& gpu_id, int gpus_per_node, int nodes) {
  PricedCost p;
  CostInputs& c = p.inputs;
  c = spec.terms;
  if (spec.cloud_provider != "any") {
    std::vector<std::string> providers;
    for (const CloudOffer& o : cat.offers)
      if (std::find(providers.begin(), providers.end(), o.provider) == providers.end()) providers.push_back(o.provider);
    if (std::find(providers.begin(), providers.end(), spec.cloud_provider) == providers.end())
      throw Error(fmt("cost.cloud_provider = \"%s\" has no offers in %s (providers: any, %s)", spec.cloud_provider.c_str(),
                      cat.file.c_str(), join(providers, ", ").c_str()));
  }

  if (spec.gpu_price_usd) {
    c.gpu_price_usd = *spec.gpu_price_usd;
    p.sources.push_back({"GPU purchase", dollars(c.gpu_price_usd) + " per GPU", given(spec.gpu_price_in_file)});
  } else {
    c.gpu_price_usd = kNaN;
    for (const PurchasePrice& r : cat.purchases)
      if (r.gpu == gpu_id) {
        c.gpu_price_usd = r.usd;
        p.sources.push_back({"GPU purchase", dollars(r.usd) + " per GPU (" + gpu_id + ")", origin(cat, r)});
      }
    if (std::isnan(c.gpu_price_usd))
      p.missing.push_back(fmt("no purchase price for %s in %s: set cost.gpu_price_usd", gpu_id.c_str(), cat.file.c_str()));
  }

  // The server around the GPUs and, across nodes, the fabric: the catalogue's row for this GPU, else
  // not counted (said in the report: the hardware is then the GPUs alone).
  // (c starts from spec.terms: both lines are 0 unless priced below.)
  const ServerPrice* row = row_for_gpu(cat.servers, gpu_id);
  // More GPUs than one server holds need a fabric too, however the platform file groups them.
  const bool across_nodes = nodes > 1 || (row && gpus_per_node > row->slots);
  if (spec.server_usd_per_gpu) {
    c.server_usd_per_gpu = *spec.server_usd_per_gpu;
    p.sources.push_back({"server", dollars(c.server_usd_per_gpu) + " per GPU", given(spec.server_price_in_file)});
  } else if (row) {
    c.server_usd_per_gpu = row->usd_per_gpu();
    p.sources.push_back({"server", fmt("%s per GPU (%s for %d GPUs, without them)", dollars(c.server_usd_per_gpu).c_str(),
                                       dollars(row->usd).c_str(), row->slots),
                         origin(cat, *row)});
  } else {
    p.excluded.push_back(fmt("no server price for %s in %s: the hardware is the GPUs alone (set cost.server_usd_per_gpu)",
                            gpu_id.c_str(), cat.file.c_str()));
  }
  if (spec.network_usd_per_gpu) {
    c.network_usd_per_gpu = *spec.network_usd_per_gpu;
    p.sources.push_back({"network", dollars(c.network_usd_per_gpu) + " per GPU", "the scenario"});
  } else if (across_nodes) {
    if (const NetworkPrice* net = row_for_gpu(cat.networks, gpu_id)) {
      c.network_usd_per_gpu = net->usd_per_gpu;
      p.sources.push_back({"network", fmt("%s per GPU (%d GPUs beyond one server)", dollars(c.network_usd_per_gpu).c_str(),
                                          gpus_per_node * nodes),
                           origin(cat, *net)});
    } else {
      p.excluded.push_back(fmt("no price for the fabric between %s nodes in %s: not counted (set cost.network_usd_per_gpu)",
                              gpu_id.c_str(), cat.file.c_str()));
    }
  }

  if (spec.cloud_usd_per_gpu_hour) {
    c.cloud_usd_per_gpu_hour = *spec.cloud_usd_per_gpu_hour;
    p.sources.push_back({"cloud", dollars(c.cloud_usd_per_gpu_hour) + " per GPU-hour", given(spec.cloud_price_in_file)});
  } else {
    const std::string& rent = spec.cloud_gpu.empty() ? gpu_id : spec.cloud_gpu;
    if (const CloudOffer* o = pick_offer(cat, rent, spec.cloud_provider, spec.cloud_term, gpus_per_node)) {
      c.cloud_usd_per_gpu_hour = o->usd_per_gpu_hour();
      p.sources.push_back({"cloud", fmt("%s per GPU-hour (%s %s, %s, %s, %d GPU%s at %s/h%s)", dollars(c.cloud_usd_per_gpu_hour).c_str(),
                                        o->provider.c_str(), o->instance.c_str(), rent.c_str(), o->term.c_str(), o->gpus,
                                        o->gpus > 1 ? "s" : "", dollars(o->usd_per_hour).c_str(),
                                        o->region.empty() ? "" : (", " + o->region).c_str()),
                           origin(cat, *o)});
    } else {
      c.cloud_usd_per_gpu_hour = kNaN;
      p.missing.push_back(fmt("no current %s %s cloud offer for %s in %s (offers for it: %s): set cost.cloud_provider, "
                              "cost.cloud_term, cost.cloud_gpu or cost.cloud_usd_per_gpu_hour",
                              spec.cloud_provider == "any" ? "" : spec.cloud_provider.c_str(), spec.cloud_term.c_str(),
                              rent.c_str(), cat.file.c_str(), offers_of(cat, rent).c_str()));
    }
  }

  c.electricity_usd_per_kwh = from_row(p, "electricity", spec.electricity_usd_per_kwh, cat, cat.electricity, "electricity",
                                       spec.electricity, [](double v) { return fmt("$%.4g per kWh", v); },
                                       [](const ElectricityPrice& e) { return e.usd_per_kwh; });
  c.pue = from_row(p, "PUE", spec.pue, cat, cat.sites, "site", spec.site, [](double v) { return fmt("%.3g", v); },
                   [](const Site& x) { return x.pue; });
  return p;
}

}  // namespace dssim
