#pragma once
/// @file merge.hpp
/// Merge layers of the functional API (Keras' Add, Subtract, Multiply, Average, Concatenate)
/// and their functions: `nn::add({h, r})`, `nn::concatenate({a, b}, -1)`.
///
/// Every input has the batch axis first. Add, Subtract, Multiply and Average need inputs of
/// the same shape; Concatenate needs the same shape except along `axis`. A mismatch is a
/// ShapeError naming the layer and, when called on symbolic tensors, the layers feeding it.

#include <string>
#include <vector>

#include "xgrad/nn/module.hpp"

namespace xgrad::nn {

/// Base of the merge layers: two or more inputs of one shape, no parameters.
class Merge : public Module {
public:
    /// Merge layers need several inputs: ValueError naming the layer.
    Tensor forward(const Tensor& x) override;
    /// Checks the inputs, then merges them inside NameScope(name()).
    Tensor forward_inputs(const std::vector<Tensor>& inputs) override;

protected:
    /// The merge itself, on checked inputs.
    virtual Tensor merge(const std::vector<Tensor>& inputs) = 0;
    /// ShapeError unless the inputs can be merged (same shapes by default).
    virtual void check(const std::vector<Tensor>& inputs) const;
    /// Exactly this many inputs (0 = two or more).
    virtual std::size_t arity() const { return 0; }
};

/// y = x_1 + x_2 + ... + x_n.
class Add : public Merge {
public:
    /// A layer called `name` ("" = automatic).
    explicit Add(std::string name = "");
    std::string type_name() const override { return "Add"; }
    std::shared_ptr<Module> clone() const override { return std::make_shared<Add>(*this); }

protected:
    Tensor merge(const std::vector<Tensor>& inputs) override;
};

/// y = x_1 - x_2 (exactly two inputs).
class Subtract : public Merge {
public:
    /// A layer called `name` ("" = automatic).
    explicit Subtract(std::string name = "");
    std::string type_name() const override { return "Subtract"; }
    std::shared_ptr<Module> clone() const override { return std::make_shared<Subtract>(*this); }

protected:
    Tensor merge(const std::vector<Tensor>& inputs) override;
    std::size_t arity() const override { return 2; }
};

/// y = x_1 · x_2 · ... · x_n (elementwise).
class Multiply : public Merge {
public:
    /// A layer called `name` ("" = automatic).
    explicit Multiply(std::string name = "");
    std::string type_name() const override { return "Multiply"; }
    std::shared_ptr<Module> clone() const override { return std::make_shared<Multiply>(*this); }

protected:
    Tensor merge(const std::vector<Tensor>& inputs) override;
};

/// y = (x_1 + ... + x_n) / n.
class Average : public Merge {
public:
    /// A layer called `name` ("" = automatic).
    explicit Average(std::string name = "");
    std::string type_name() const override { return "Average"; }
    std::shared_ptr<Module> clone() const override { return std::make_shared<Average>(*this); }

protected:
    Tensor merge(const std::vector<Tensor>& inputs) override;
};

/// Joins the inputs along `axis` (counted with the batch axis, Keras' default -1 = last; the
/// batch axis itself cannot be joined).
class Concatenate : public Merge {
public:
    /// Joins along `axis`; a layer called `name` ("" = automatic).
    explicit Concatenate(int axis = -1, std::string name = "");
    std::string type_name() const override { return "Concatenate"; }
    /// axis.
    nlohmann::json config() const override;
    std::shared_ptr<Module> clone() const override { return std::make_shared<Concatenate>(*this); }
    /// The axis as given.
    int axis() const { return axis_; }

protected:
    Tensor merge(const std::vector<Tensor>& inputs) override;
    void check(const std::vector<Tensor>& inputs) const override;

private:
    std::size_t resolved_axis(std::size_t rank) const;
    int axis_;
};

/// Add()(inputs).
SymbolicTensor add(const std::vector<SymbolicTensor>& inputs, std::string name = "");
/// Subtract()({a, b}).
SymbolicTensor subtract(const std::vector<SymbolicTensor>& inputs, std::string name = "");
/// Multiply()(inputs).
SymbolicTensor multiply(const std::vector<SymbolicTensor>& inputs, std::string name = "");
/// Average()(inputs).
SymbolicTensor average(const std::vector<SymbolicTensor>& inputs, std::string name = "");
/// Concatenate(axis)(inputs).
SymbolicTensor concatenate(const std::vector<SymbolicTensor>& inputs, int axis = -1, std::string name = "");

}  // namespace xgrad::nn
