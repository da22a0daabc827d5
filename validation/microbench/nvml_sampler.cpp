// dssim CUDA microbenchmarks: NVML through dlopen. The few NVML types and functions used are
// declared here (ABI of the public nvml.h: nvmlReturn_t is an int enum, nvmlDevice_t an opaque
// pointer, nvmlFieldValue_t the documented struct).
#include "nvml_sampler.hpp"

#include <dlfcn.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace mb {

namespace {

using nvmlReturn_t = int;
constexpr nvmlReturn_t NVML_SUCCESS = 0;
using nvmlDevice_t = void*;
struct nvmlUtilization_t {
  unsigned int gpu, memory;
};
union nvmlValue_t {
  double dVal;
  int siVal;
  unsigned int uiVal;
  unsigned long ulVal;
  unsigned long long ullVal;
  signed long long sllVal;
  unsigned short usVal;
};
struct nvmlFieldValue_t {
  unsigned int fieldId;
  unsigned int scopeId;
  long long timestamp;
  long long latencyUsec;
  int valueType;  // nvmlValueType_t
  nvmlReturn_t nvmlReturn;
  nvmlValue_t value;
};
constexpr unsigned NVML_TEMPERATURE_GPU = 0;
constexpr unsigned NVML_CLOCK_SM = 1, NVML_CLOCK_MEM = 2;
constexpr unsigned NVML_FI_DEV_MEMORY_TEMP = 82;
constexpr int NVML_VALUE_TYPE_DOUBLE = 0, NVML_VALUE_TYPE_UNSIGNED_INT = 1, NVML_VALUE_TYPE_UNSIGNED_LONG = 2,
              NVML_VALUE_TYPE_UNSIGNED_LONG_LONG = 3, NVML_VALUE_TYPE_SIGNED_LONG_LONG = 4,
              NVML_VALUE_TYPE_SIGNED_INT = 5;

}  // namespace

struct Nvml::Api {
  nvmlReturn_t (*init)();
  nvmlReturn_t (*shutdown)();
  nvmlReturn_t (*by_pci)(const char*, nvmlDevice_t*);
  nvmlReturn_t (*by_index)(unsigned, nvmlDevice_t*);
  nvmlReturn_t (*power)(nvmlDevice_t, unsigned*);          // mW
  nvmlReturn_t (*power_limit)(nvmlDevice_t, unsigned*);    // mW
  nvmlReturn_t (*temperature)(nvmlDevice_t, unsigned, unsigned*);
  nvmlReturn_t (*clock)(nvmlDevice_t, unsigned, unsigned*);
  nvmlReturn_t (*max_clock)(nvmlDevice_t, unsigned, unsigned*);
  nvmlReturn_t (*utilization)(nvmlDevice_t, nvmlUtilization_t*);
  nvmlReturn_t (*reasons)(nvmlDevice_t, unsigned long long*);
  nvmlReturn_t (*fields)(nvmlDevice_t, int, nvmlFieldValue_t*);
  nvmlReturn_t (*driver)(char*, unsigned);
  const char* (*error_string)(nvmlReturn_t);
};

namespace {
template <class F>
void sym(void* lib, F& f, const char* name, const char* alt = nullptr) {
  void* p = dlsym(lib, name);
  if (!p && alt) p = dlsym(lib, alt);
  f = reinterpret_cast<F>(p);
}
}  // namespace

bool Nvml::load(const std::string& pci_bus_id) {
  lib_ = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib_) {
    std::fprintf(stderr, "dssim-microbench: warning: cannot load libnvidia-ml.so.1 (%s); no power/clock trace\n",
                 dlerror());
    return false;
  }
  api_ = new Api{};
  sym(lib_, api_->init, "nvmlInit_v2", "nvmlInit");
  sym(lib_, api_->shutdown, "nvmlShutdown");
  sym(lib_, api_->by_pci, "nvmlDeviceGetHandleByPciBusId_v2", "nvmlDeviceGetHandleByPciBusId");
  sym(lib_, api_->by_index, "nvmlDeviceGetHandleByIndex_v2", "nvmlDeviceGetHandleByIndex");
  sym(lib_, api_->power, "nvmlDeviceGetPowerUsage");
  sym(lib_, api_->power_limit, "nvmlDeviceGetEnforcedPowerLimit", "nvmlDeviceGetPowerManagementLimit");
  sym(lib_, api_->temperature, "nvmlDeviceGetTemperature");
  sym(lib_, api_->clock, "nvmlDeviceGetClockInfo");
  sym(lib_, api_->max_clock, "nvmlDeviceGetMaxClockInfo");
  sym(lib_, api_->utilization, "nvmlDeviceGetUtilizationRates");
  sym(lib_, api_->reasons, "nvmlDeviceGetCurrentClocksEventReasons", "nvmlDeviceGetCurrentClocksThrottleReasons");
  sym(lib_, api_->fields, "nvmlDeviceGetFieldValues");
  sym(lib_, api_->driver, "nvmlSystemGetDriverVersion");
  sym(lib_, api_->error_string, "nvmlErrorString");
  if (!api_->init || !api_->power || (!api_->by_pci && !api_->by_index)) {
    std::fprintf(stderr, "dssim-microbench: warning: libnvidia-ml.so.1 lacks the functions needed; no trace\n");
    return false;
  }
  nvmlReturn_t r = api_->init();
  if (r != NVML_SUCCESS) {
    std::fprintf(stderr, "dssim-microbench: warning: nvmlInit failed (%d); no power/clock trace\n", r);
    return false;
  }
  inited_ = true;
  nvmlDevice_t d = nullptr;
  if (api_->by_pci) r = api_->by_pci(pci_bus_id.c_str(), &d);
  if ((!api_->by_pci || r != NVML_SUCCESS) && api_->by_index) {
    std::fprintf(stderr, "dssim-microbench: warning: NVML has no device %s; using NVML index 0\n",
                 pci_bus_id.c_str());
    r = api_->by_index(0, &d);
  }
  if (r != NVML_SUCCESS || !d) {
    std::fprintf(stderr, "dssim-microbench: warning: NVML device lookup failed (%d); no trace\n", r);
    return false;
  }
  dev_ = d;
  return true;
}

Nvml::~Nvml() {
  stop_trace();
  if (inited_ && api_->shutdown) api_->shutdown();
  delete api_;
  if (lib_) dlclose(lib_);
}

const char* Nvml::header() {
  return "timestamp,power.draw,power.limit,temperature.gpu,temperature.memory,clocks.sm,clocks.mem,"
         "utilization.gpu,clocks_event_reasons.active";
}

std::string Nvml::driver_version() const {
  char buf[96] = {0};
  if (api_ && api_->driver && api_->driver(buf, sizeof buf) == NVML_SUCCESS) return buf;
  return "";
}

double Nvml::power_limit_w() const {
  unsigned mw = 0;
  if (dev_ && api_->power_limit && api_->power_limit(dev_, &mw) == NVML_SUCCESS) return mw / 1000.0;
  return std::nan("");
}

unsigned Nvml::max_clock_mhz(int kind) const {
  unsigned v = 0;
  if (dev_ && api_->max_clock &&
      api_->max_clock(dev_, kind == 2 ? NVML_CLOCK_MEM : NVML_CLOCK_SM, &v) == NVML_SUCCESS)
    return v;
  return 0;
}

// Values as nvidia-smi writes them with nounits: "N/A" where the reading is not supported.
std::string Nvml::sample_line() const {
  if (!dev_) return "";
  using namespace std::chrono;
  const auto now = system_clock::now();
  const std::time_t tt = system_clock::to_time_t(now);
  const long long ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char ts[64];
  std::strftime(ts, sizeof ts, "%Y/%m/%d %H:%M:%S", &tm);

  unsigned mw = 0;
  if (api_->power(dev_, &mw) != NVML_SUCCESS) return "";
  char power[32], limit[32] = "N/A", tgpu[16] = "N/A", tmem[24] = "N/A", csm[16] = "N/A", cmem[16] = "N/A",
       util[16] = "N/A", reasons[32] = "N/A";
  std::snprintf(power, sizeof power, "%.2f", mw / 1000.0);
  unsigned v = 0;
  if (api_->power_limit && api_->power_limit(dev_, &v) == NVML_SUCCESS)
    std::snprintf(limit, sizeof limit, "%.2f", v / 1000.0);
  if (api_->temperature && api_->temperature(dev_, NVML_TEMPERATURE_GPU, &v) == NVML_SUCCESS)
    std::snprintf(tgpu, sizeof tgpu, "%u", v);
  if (api_->fields) {
    nvmlFieldValue_t f{};
    f.fieldId = NVML_FI_DEV_MEMORY_TEMP;
    if (api_->fields(dev_, 1, &f) == NVML_SUCCESS && f.nvmlReturn == NVML_SUCCESS) {
      long long t = -1;
      switch (f.valueType) {
        case NVML_VALUE_TYPE_DOUBLE: t = static_cast<long long>(std::lround(f.value.dVal)); break;
        case NVML_VALUE_TYPE_UNSIGNED_INT: t = f.value.uiVal; break;
        case NVML_VALUE_TYPE_UNSIGNED_LONG: t = static_cast<long long>(f.value.ulVal); break;
        case NVML_VALUE_TYPE_UNSIGNED_LONG_LONG: t = static_cast<long long>(f.value.ullVal); break;
        case NVML_VALUE_TYPE_SIGNED_LONG_LONG: t = f.value.sllVal; break;
        case NVML_VALUE_TYPE_SIGNED_INT: t = f.value.siVal; break;
        default: break;
      }
      if (t >= 0) std::snprintf(tmem, sizeof tmem, "%lld", t);
    }
  }
  if (api_->clock && api_->clock(dev_, NVML_CLOCK_SM, &v) == NVML_SUCCESS) std::snprintf(csm, sizeof csm, "%u", v);
  if (api_->clock && api_->clock(dev_, NVML_CLOCK_MEM, &v) == NVML_SUCCESS) std::snprintf(cmem, sizeof cmem, "%u", v);
  nvmlUtilization_t u{};
  if (api_->utilization && api_->utilization(dev_, &u) == NVML_SUCCESS) std::snprintf(util, sizeof util, "%u", u.gpu);
  unsigned long long rs = 0;
  if (api_->reasons && api_->reasons(dev_, &rs) == NVML_SUCCESS)
    std::snprintf(reasons, sizeof reasons, "0x%016llx", rs);

  char line[512];
  std::snprintf(line, sizeof line, "%s.%03lld, %s, %s, %s, %s, %s, %s, %s, %s", ts, ms, power, limit, tgpu, tmem,
                csm, cmem, util, reasons);
  return line;
}

void Nvml::start_trace(const std::string& path, int interval_ms) {
  if (!dev_ || thread_.joinable()) return;
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (!f) {
    std::fprintf(stderr, "dssim-microbench: warning: cannot write %s\n", path.c_str());
    return;
  }
  std::fprintf(f, "%s\n", header());
  std::fflush(f);
  stop_ = false;
  thread_ = std::thread([this, f, interval_ms] {
    auto next = std::chrono::steady_clock::now();
    while (!stop_.load()) {
      std::string s = sample_line();
      if (!s.empty()) {
        std::fprintf(f, "%s\n", s.c_str());
        std::fflush(f);
      }
      next += std::chrono::milliseconds(interval_ms);
      // sleep in short slices so stop_trace() returns quickly
      while (!stop_.load() && std::chrono::steady_clock::now() < next)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::fclose(f);
  });
}

void Nvml::stop_trace() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

}  // namespace mb
