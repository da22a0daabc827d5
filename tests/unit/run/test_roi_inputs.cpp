// What a run hands the finance: the platform's GPUs and every node's host draw.
#include <catch2/catch.hpp>

#include "run/run.hpp"

using namespace dssim;

TEST_CASE("the ROI counts the host power of every node of the platform", "[run][roi]") {
  RunInputs in;
  in.base.node.gpu_count = 8;
  in.base.node.node_count = 3;
  in.base.node.host_power_w = 2000;
  in.base.gpu.idle_w = 100;
  in.cost = CostInputs{};
  const RoiInputs ri = roi_inputs_for(in, 1000, 500);
  CHECK(ri.gpus == 24);
  CHECK(ri.host_power_w == Approx(6000));  // 3 nodes x 2000 W
  CHECK(ri.idle_power_w == Approx(100));
  CHECK(ri.busy_power_w == Approx(500));
}
