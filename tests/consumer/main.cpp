// Built against an installed xgrad: d/dx (x*x) at 3 is 6.
#include <xgrad/xgrad.hpp>

int main() {
    xgrad::Tensor x = xgrad::parameter(xgrad::Array{3.f}, "x");
    (x * x).backward();
    return x.grad().item() == 6.f ? 0 : 1;
}
