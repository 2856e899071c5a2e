#include "models/uncertainty.h"

#include <algorithm>
#include <cmath>

namespace cradle {

namespace {
constexpr double SQRT2 = 1.4142135623730951;

double normal_cdf(double x) { return 0.5 * std::erfc(-x / SQRT2); }

//! Inverse of the standard normal distribution function (Acklam's rational
//! approximation, relative error below 1.2e-9, refined by one Newton step).
double normal_quantile(double p) {
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                             1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01, -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  const double lo = 0.02425, hi = 1 - lo;
  double x;
  if (p < lo) {
    const double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= hi) {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const double q = std::sqrt(-2 * std::log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const double e = normal_cdf(x) - p;
  return x - e * std::sqrt(2 * M_PI) * std::exp(x * x / 2);
}
}  // namespace

std::string_view distribution_name(Distribution::Kind kind) {
  switch (kind) {
    case Distribution::Kind::fixed: return "fixed";
    case Distribution::Kind::uniform: return "uniform";
    case Distribution::Kind::triangular: return "triangular";
    case Distribution::Kind::truncated_normal: return "truncated_normal";
    case Distribution::Kind::lognormal: return "lognormal";
  }
  return "unknown";
}

double Distribution::quantile(double u) const {
  double x = a;
  switch (kind) {
    case Kind::fixed: x = a; break;
    case Kind::uniform: x = a + u * (b - a); break;
    case Kind::triangular: {
      const double f = (c - a) / (b - a);
      x = u < f ? a + std::sqrt(u * (b - a) * (c - a)) : b - std::sqrt((1 - u) * (b - a) * (b - c));
      break;
    }
    case Kind::truncated_normal: {
      // Inverse transform restricted to [low, high].
      const double pl = normal_cdf((low - a) / b), ph = normal_cdf((high - a) / b);
      x = a + b * normal_quantile(pl + u * (ph - pl));
      break;
    }
    case Kind::lognormal: x = a * std::exp(b * normal_quantile(u)); break;
  }
  return std::clamp(x, low, high);
}

double Distribution::centre() const {
  switch (kind) {
    case Kind::fixed: return a;
    case Kind::uniform: return (a + b) / 2;
    case Kind::triangular: return (a + b + c) / 3;
    case Kind::truncated_normal: return a;
    case Kind::lognormal: return a;
  }
  return a;
}

std::optional<ParameterId> parse_parameter(std::string_view name) {
  for (const ParameterInfo& p : UNCERTAIN_PARAMETERS) {
    if (p.name == name) return p.id;
  }
  return std::nullopt;
}

}  // namespace cradle
