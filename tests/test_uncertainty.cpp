#include <catch2/catch.hpp>

#include <cmath>

#include "models/uncertainty.h"

using cradle::Distribution;

TEST_CASE("the normal quantile matches known values of the standard normal", "[uncertainty]") {
  // Untruncated (the default bounds), a truncated normal is the normal: quantile(u) = mean + sd * z(u).
  Distribution standard;
  standard.kind = Distribution::Kind::truncated_normal;
  standard.a = 0;
  standard.b = 1;
  // z(p) to 16 digits (R's qnorm); the approximation is good to ~1e-11 relative.
  const double known[][2] = {{0.5, 0.0},
                             {0.975, 1.959963984540054},
                             {0.95, 1.6448536269514722},
                             {0.841344746068543, 1.0},
                             {0.1, -1.2815515655446004},
                             {0.02, -2.0537489106318225},
                             {0.99, 2.3263478740408408},
                             {0.001, -3.090232306167813},
                             {1e-10, -6.361340902404056}};
  for (const auto& [p, z] : known) {
    INFO("p = " << p);
    CHECK(standard.quantile(p) == Approx(z).epsilon(1e-10).margin(1e-12));
  }
  // Symmetry: z(1 - p) = -z(p).
  CHECK(standard.quantile(0.3) == Approx(-standard.quantile(0.7)).epsilon(1e-12));

  Distribution shifted = standard;
  shifted.a = 1.0;
  shifted.b = 0.05;
  CHECK(shifted.quantile(0.975) == Approx(1.0 + 0.05 * 1.959963984540054).epsilon(1e-12));

  // Truncated to [mean - sd, mean + sd]: u = 0 and 1 land on the bounds, u = 0.5 on the mean.
  Distribution truncated = standard;
  truncated.low = -1;
  truncated.high = 1;
  CHECK(truncated.quantile(0.5) == Approx(0.0).margin(1e-12));
  CHECK(truncated.quantile(1e-12) == Approx(-1.0).epsilon(1e-9));
  CHECK(truncated.quantile(1 - 1e-12) == Approx(1.0).epsilon(1e-9));

  Distribution lognormal;
  lognormal.kind = Distribution::Kind::lognormal;
  lognormal.a = 2.0;  // median
  lognormal.b = 0.5;  // sd of the log
  CHECK(lognormal.quantile(0.5) == Approx(2.0).epsilon(1e-12));
  CHECK(lognormal.quantile(0.975) == Approx(2.0 * std::exp(0.5 * 1.959963984540054)).epsilon(1e-10));
}
