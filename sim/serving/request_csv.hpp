#pragma once
// The per-request CSV (--requests-csv), written while the run goes: a row as soon as its request and
// every request before it in the stream are over, so the file is in stream order and memory holds only
// the rows that finished ahead of an earlier request.
#include <map>
#include <string>

#include "serving/kv_queue.hpp"
#include "util/output_file.hpp"

namespace dssim {

class RequestCsv {
 public:
  // `cached`: a column for the prompt tokens the prefix cache held; `moved`: the KV transfer's times.
  RequestCsv(const std::string& path, bool cached, bool moved);
  // A finished or rejected request (SeqState::index: its position in the stream), in any order.
  void add(const SeqState& q);
  // After the last request: every row written, the file put in place (throws if one is missing).
  void commit();

 private:
  std::string row(const SeqState& q) const;
  OutputFile f_;
  bool cached_, moved_;
  long long next_ = 0;
  std::map<long long, std::string> ahead_;
};

}  // namespace dssim
