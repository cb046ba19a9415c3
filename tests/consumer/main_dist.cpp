// Built against an installed xgrad::dist and run without a launcher: a job of one process.
#include <xgrad/dist/dist.hpp>

int main() {
    xgrad::dist::init();
    xgrad::Tensor t = xgrad::constant(xgrad::Array{2.f});
    xgrad::dist::allreduce(t, xgrad::dist::ReduceOp::Mean);
    return xgrad::dist::size() == 1 && t.item() == 2.f ? 0 : 1;
}
