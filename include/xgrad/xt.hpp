#pragma once
/// @file xt.hpp
/// The one place xgrad includes xtensor's public headers. Heavy headers (xlinalg, xmath
/// internals) stay in src/ so that users' translation units compile fast.

#include <xtensor/xarray.hpp>
#include <xtensor/xio.hpp>

namespace xgrad {

/// The array type every tensor value is stored in (float32, row-major, dynamic rank).
using Array = xt::xarray<float>;

/// A tensor shape.
using Shape = std::vector<std::size_t>;

}  // namespace xgrad
