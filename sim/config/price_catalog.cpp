#include "config/price_catalog.hpp"

#include <set>

#include "config/toml_table.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

namespace {

// Each [[section]] row as a strict table, with the fields every row shares.
template <class Row, class Fill>
std::vector<Row> read_rows(const toml::table& doc, const std::string& path, const std::string& section, Fill fill) {
  std::vector<Row> out;
  const toml::node* n = doc.get(section);
  if (!n) return out;
  if (!n->is_array_of_tables())
    throw Error(fmt("%s:%u: '%s' must be written as [[%s]] rows", path.c_str(), n->source().begin.line, section.c_str(),
                    section.c_str()));
  for (const toml::node& rn : *n->as_array()) {
    TomlTable t(*rn.as_table(), path, section);
    Row r;
    r.line = static_cast<int>(rn.source().begin.line);
    r.date = t.get_string("date");
    r.source = t.get_string("source");
    r.confidence = t.opt_string("confidence").value_or("");
    r.note = t.opt_string("note").value_or("");
    if (trim(r.source).empty() || trim(r.date).empty())
      throw Error(fmt("%s:%d: a [[%s]] row needs a non-empty date and source", path.c_str(), r.line, section.c_str()));
    fill(t, r);
    t.finish();
    out.push_back(std::move(r));
  }
  return out;
}

template <class Row, class Key>
void unique(const std::vector<Row>& rows, const std::string& path, const std::string& what, Key key) {
  std::set<std::string> seen;
  for (const Row& r : rows)
    if (!seen.insert(key(r)).second)
      throw Error(fmt("%s:%d: a second %s '%s'", path.c_str(), r.line, what.c_str(), key(r).c_str()));
}

// Rows that name several GPUs ([[server]], [[network]]): each GPU in one row at most.
template <class Row>
void one_row_per_gpu(const std::vector<Row>& rows, const std::string& path, const char* what) {
  std::set<std::string> seen;
  for (const Row& r : rows)
    for (const std::string& g : r.gpus)
      if (!seen.insert(g).second) throw Error(fmt("%s:%d: a second %s row for GPU '%s'", path.c_str(), r.line, what, g.c_str()));
}

}  // namespace

PriceCatalog load_price_catalog(const std::string& path, const std::string& name) {
  auto doc = TomlTable::parse_file(path);
  PriceCatalog c;
  c.file = name.empty() ? path : name;
  c.purchases = read_rows<PurchasePrice>(*doc, path, "purchase", [](TomlTable& t, PurchasePrice& r) {
    r.gpu = t.get_string("gpu");
    r.usd = t.get_number("usd", 1, 1e8);
  });
  c.servers = read_rows<ServerPrice>(*doc, path, "server", [](TomlTable& t, ServerPrice& r) {
    r.gpus = t.get_string_list("gpus");
    r.slots = static_cast<int>(t.get_int("slots", 1, 64));
    r.usd = t.get_number("usd", 0, 1e8);
  });
  c.networks = read_rows<NetworkPrice>(*doc, path, "network", [](TomlTable& t, NetworkPrice& r) {
    r.gpus = t.get_string_list("gpus");
    r.usd_per_gpu = t.get_number("usd_per_gpu", 0, 1e7);
  });
  c.offers = read_rows<CloudOffer>(*doc, path, "cloud", [](TomlTable& t, CloudOffer& r) {
    r.provider = t.get_string("provider");
    r.instance = t.get_string("instance");
    r.gpu = t.get_string("gpu");
    r.gpus = static_cast<int>(t.get_int("gpus", 1, 1024));
    r.term = t.get_choice("term", kCloudTerms);
    r.usd_per_hour = t.get_number("usd_per_hour", 1e-4, 1e5);
    r.region = t.get_string("region");
    r.until = t.opt_string("until").value_or("");
  });
  c.electricity = read_rows<ElectricityPrice>(*doc, path, "electricity", [](TomlTable& t, ElectricityPrice& r) {
    r.id = t.get_string("id");
    r.usd_per_kwh = t.get_number("usd_per_kwh", 0, 10);
  });
  c.sites = read_rows<Site>(*doc, path, "site", [](TomlTable& t, Site& r) {
    r.id = t.get_string("id");
    r.pue = t.get_number("pue", 1, 10);
  });
  TomlTable top(*doc, path, "");
  top.allow({"purchase", "server", "network", "cloud", "electricity", "site"});
  top.finish();
  unique(c.purchases, path, "purchase price for GPU", [](const PurchasePrice& r) { return r.gpu; });
  one_row_per_gpu(c.servers, path, "server");
  one_row_per_gpu(c.networks, path, "network");
  unique(c.electricity, path, "electricity id", [](const ElectricityPrice& r) { return r.id; });
  unique(c.sites, path, "site id", [](const Site& r) { return r.id; });
  std::vector<CloudOffer> current;
  for (const CloudOffer& o : c.offers)
    if (o.current()) current.push_back(o);
  unique(current, path, "current cloud offer", [](const CloudOffer& o) { return o.provider + " " + o.instance + " " + o.term; });
  return c;
}

}  // namespace dssim
