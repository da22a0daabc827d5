#include "util/json.hpp"

namespace dssim {

JsonWriter& JsonWriter::begin_document(const std::string& kind) {
  begin_object();
  value("dssim_version", DSSIM_VERSION);
  return value("kind", kind);
}

}  // namespace dssim
