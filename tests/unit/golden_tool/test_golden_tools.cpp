// The golden-output comparison itself: a test that cannot fail is worse than none.
#include <catch2/catch.hpp>

#include "../../golden/golden_json.hpp"
#include "../../golden/line_diff.hpp"

using namespace golden;

TEST_CASE("golden: JSON is flattened to paths and values", "[golden]") {
  auto l = flatten_json(R"({"a": 1.5, "b": {"c": [2, "x"], "d": null}, "e": true, "f": []})");
  REQUIRE(l.size() == 6);
  CHECK(l[0].path == "a");
  CHECK(*l[0].number == 1.5);
  CHECK(l[1].path == "b.c[0]");
  CHECK(l[2].path == "b.c[1]");
  CHECK(l[2].text == "\"x\"");
  CHECK_FALSE(l[2].number);
  CHECK(l[3].text == "null");
  CHECK(l[5].text == "[]");
  CHECK_THROWS(flatten_json(R"({"a": 1,})"));
  CHECK_THROWS(flatten_json(R"({"a": 1} x)"));
}

TEST_CASE("golden: numbers within the tolerance are equal, anything else is not", "[golden]") {
  const auto a = flatten_json(R"({"t": 2.620217474, "s": "bf16"})");
  CHECK(same_within(a, flatten_json(R"({"t": 2.620217475, "s": "bf16"})"), 1e-6));
  CHECK_FALSE(same_within(a, flatten_json(R"({"t": 2.6203, "s": "bf16"})"), 1e-6));   // 3e-5 relative
  CHECK_FALSE(same_within(a, flatten_json(R"({"t": 2.620217474, "s": "fp8"})"), 1e-6));
  CHECK_FALSE(same_within(a, flatten_json(R"({"u": 2.620217474, "s": "bf16"})"), 1e-6));
  CHECK_FALSE(same_within(a, flatten_json(R"({"t": 2.620217474})"), 1e-6));
  CHECK(relative_change(2, 3) == Approx(0.5));
}

TEST_CASE("golden: the line diff shows removed and added lines in order, with context", "[golden]") {
  CHECK(line_diff("a\nb\nc\n", "a\nb\nc\n", 10).empty());
  CHECK(line_diff("a\nb\nc\nd\ne\n", "a\nb\nX\nd\ne\n", 10) == "  b\n- c\n+ X\n  d\n");
  CHECK(line_diff("a\n", "a\nb\n", 10) == "  a\n+ b\n");
}
