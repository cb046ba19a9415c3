#pragma once
/// @file error.hpp
/// Exceptions thrown by xgrad. Every user error derives from xgrad::Error.

#include <stdexcept>
#include <string>

namespace xgrad {

/// Base of every error xgrad throws for a user's mistake or bad input.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Operand shapes do not fit an op (broadcasting, matmul, reshape, axes).
class ShapeError : public Error {
public:
    using Error::Error;
};

/// A value is out of its domain (bad option, unknown name, NaN under anomaly detection).
class ValueError : public Error {
public:
    using Error::Error;
};

/// Misuse of the computation graph (released graph, undefined gradient, non-scalar backward).
class GraphError : public Error {
public:
    using Error::Error;
};

/// A file is missing, unreadable, truncated or corrupt.
class IoError : public Error {
public:
    using Error::Error;
};

}  // namespace xgrad
