// Hardening tests (issue 7): bad input files are rejected with a message, never a crash;
// anomaly detection names the first bad op in a realistic network. The leak and
// atomic-save tests are in test_hardening_process.cpp. Cases already in test_data.cpp
// (bad magic/type/rank, zero dims, truncated payload, trailing garbage, half a gzip stream,
// missing file) are not repeated here.
#include "file_helpers.hpp"
#include "source_tree.hpp"
#include "helpers.hpp"

#include <xgrad/data/idx.hpp>
#include <xgrad/data/mnist.hpp>
#include <xgrad/error.hpp>
#include <xgrad/train/weights_io.hpp>
#include <xgrad/xgrad.hpp>

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>

namespace xd = xgrad::data;
using namespace xgrad::test::files;

namespace {

Bytes idx_file(const std::vector<std::size_t>& dims, const Bytes& payload, std::uint8_t type = 0x08) {
    Bytes out = xd::idx_header(dims, type);
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

// The number after `key` in `text` ("at least 123" -> 123).
std::size_t number_after(const std::string& text, const std::string& key) {
    const std::size_t at = text.find(key);
    BOOST_REQUIRE_MESSAGE(at != std::string::npos, "no \"" << key << "\" in: " << text);
    return std::stoull(text.substr(at + key.size()));
}

std::string message_of(const std::string& path) {
    try {
        xd::read_idx(path);
    } catch (const xgrad::IoError& e) {
        return e.what();
    }
    BOOST_FAIL("read_idx(" << path << ") did not throw");
    return {};
}


}  // namespace

BOOST_AUTO_TEST_SUITE(bad_files)

// gzip cut inside its own 10-byte header, or inside the 8-byte CRC/length trailer.
BOOST_AUTO_TEST_CASE(gzip_truncated_in_header_or_trailer) {
    TempDir dir;
    const std::string p = dir / "cut.gz";
    const Bytes gz = gzip(idx_file({4, 3}, Bytes(12, 7)));
    for (std::size_t keep : {std::size_t{2}, std::size_t{5}, gz.size() - 8, gz.size() - 1}) {
        BOOST_TEST_CONTEXT("kept " << keep << " of " << gz.size() << " bytes") {
            write_bytes(p, Bytes(gz.begin(), gz.begin() + static_cast<std::ptrdiff_t>(keep)));
            BOOST_CHECK_EXCEPTION(xd::read_idx(p), xgrad::IoError, (Says{"idx: " + p, "truncated gzip stream"}));
        }
    }
}

// The CRC-32 and the length in the gzip trailer are checked, not ignored.
BOOST_AUTO_TEST_CASE(gzip_bad_crc_or_length) {
    TempDir dir;
    const std::string p = dir / "crc.gz";
    const Bytes good = gzip(idx_file({5}, {1, 2, 3, 4, 5}));
    Bytes bad_crc = good;
    bad_crc[good.size() - 8] ^= 0x01;
    write_bytes(p, bad_crc);
    BOOST_CHECK_EXCEPTION(xd::read_idx(p), xgrad::IoError, (Says{p, "corrupt gzip data", "incorrect data check"}));
    Bytes bad_len = good;
    bad_len[good.size() - 4] ^= 0x01;
    write_bytes(p, bad_len);
    BOOST_CHECK_EXCEPTION(xd::read_idx(p), xgrad::IoError, (Says{p, "corrupt gzip data", "incorrect length check"}));
    // Flipping a payload bit inside the deflate data: zlib notices via the CRC or the stream.
    Bytes flipped = good;
    flipped[12] ^= 0x40;
    write_bytes(p, flipped);
    BOOST_CHECK_EXCEPTION(xd::read_idx(p), xgrad::IoError, (Says{p}));
}

// A header at the cap (16 GiB) is allowed as a claim, but a tiny file is then just truncated:
// the claim must not be allocated up front (raw or gzip).
BOOST_AUTO_TEST_CASE(header_claiming_huge_size) {
    TempDir dir;
    const std::string p = dir / "huge";
    const Bytes at_cap = idx_file({4, 1024, 1024, 1024}, Bytes(64, 1), 0x0D);  // 2^34 bytes of f32
    write_bytes(p, at_cap);
    BOOST_CHECK_EXCEPTION(
        xd::read_idx(p), xgrad::IoError,
        (Says{p, "truncated payload: header says 17179869184 bytes (4x1024x1024x1024), file has 64"}));
    write_bytes(p, gzip(at_cap));
    BOOST_CHECK_EXCEPTION(xd::read_idx(p), xgrad::IoError,
                          (Says{p, "truncated payload: header says 17179869184 bytes", "decompressed data has 64"}));
    // One element more than the cap: rejected as a corrupt header.
    write_bytes(p, idx_file({4, 1024, 1024, 1025}, Bytes(64, 1), 0x0D));
    BOOST_CHECK_EXCEPTION(xd::read_idx(p), xgrad::IoError, (Says{p, "4x1024x1024x1025", "claim more than"}));
}

// A gzip bomb: a 4-byte IDX header claim followed by 16 MiB of zeros (16 KiB compressed).
// Inflation stops soon after the output outgrows the claim instead of inflating everything.
BOOST_AUTO_TEST_CASE(gzip_bomb_stops_early) {
    TempDir dir;
    const std::string p = dir / "bomb.gz";
    Bytes payload = idx_file({4}, Bytes(16u << 20, 0));
    write_bytes(p, gzip(payload));
    const std::string what = message_of(p);
    BOOST_TEST(what.find("trailing garbage: header says 4 bytes (4), decompressed data has at least") !=
                   std::string::npos,
               what);
    BOOST_TEST(number_after(what, "has at least ") < (std::size_t{1} << 20), what);
}

// Any single-byte corruption of a small valid file is either read or rejected with IoError.
BOOST_AUTO_TEST_CASE(every_byte_flipped) {
    TempDir dir;
    const std::string p = dir / "flip";
    for (const bool gz : {false, true}) {
        const Bytes good = gz ? gzip(idx_file({2, 3}, {1, 2, 3, 4, 5, 6}, 0x08))
                              : idx_file({2, 3}, {0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6}, 0x0B);
        std::size_t rejected = 0;
        for (std::size_t i = 0; i < good.size(); ++i) {
            for (const std::uint8_t mask : {0x01, 0x80, 0xff}) {
                Bytes bad = good;
                bad[i] ^= mask;
                write_bytes(p, bad);
                try {
                    const xd::IdxArray a = xd::read_idx(p);
                    BOOST_TEST(a.data.size() == a.size() * xd::idx_element_size(a.type_code));
                } catch (const xgrad::IoError& e) {
                    ++rejected;
                    BOOST_TEST(std::string(e.what()).find("idx: " + p + ": ") == 0u, e.what());
                }
            }
        }
        BOOST_TEST(rejected > 0u);
    }
}

// The data directory from the environment is missing, or exists but is empty: both messages
// say how to fetch MNIST into that very directory.
BOOST_AUTO_TEST_CASE(missing_data_folder_says_how_to_fetch) {
    TempDir dir;
    const std::string absent = dir / "no-mnist-here";
    {
        EnvGuard env("XGRAD_DATA_DIR", absent);
        BOOST_CHECK_EXCEPTION(xd::load_mnist(), xgrad::IoError,
                              (Says{"mnist: directory " + absent + " does not exist",
                                    "scripts/fetch_mnist.sh '" + absent + "'", "fetch_mnist(dir)"}));
    }
    const std::string empty = dir / "empty";
    fs::create_directory(empty);
    EnvGuard env("XGRAD_DATA_DIR", empty);
    BOOST_CHECK_EXCEPTION(xd::load_mnist(), xgrad::IoError,
                          (Says{empty + "/train-images-idx3-ubyte not found (nor with .gz)",
                                "scripts/fetch_mnist.sh '" + empty + "'", "{.download = true}"}));
}

// A weights file whose tensor header claims 2^39 floats (2 TiB) in a 60-byte file: rejected as
// truncated before anything that size is allocated (it used to throw std::bad_alloc).
BOOST_AUTO_TEST_CASE(weights_file_claiming_huge_tensor) {
    TempDir dir;
    const std::string p = dir / "huge.wts";
    const xgrad::train::NamedArrays small = {{"w", xgrad::Array{1.f, 2.f}}};
    xgrad::train::write_weights_file(p, small);
    Bytes bytes;
    {
        std::ifstream in(p, std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    // Layout: magic 8, version 4, count 8, name_len 4, "w", rank 4, dims 8 each.
    const std::size_t dims_at = 8 + 4 + 8 + 4 + 1 + 4;
    BOOST_REQUIRE(bytes.size() > dims_at + 8);
    const std::uint64_t huge = std::uint64_t{1} << 39;
    for (int k = 0; k < 8; ++k) bytes[dims_at + k] = static_cast<std::uint8_t>(huge >> (8 * k));
    write_bytes(p, bytes);
    BOOST_CHECK_EXCEPTION(xgrad::train::read_weights_file(p), xgrad::IoError,
                          (Says{"load_weights: '" + p + "' is truncated", "'w' data needs 2199023255552 bytes"}));
}

// Found by fuzz_weights: a tensor with a zero dimension next to huge ones ({0, 2^48, 2^48})
// has no elements, but xtensor's strides overflowed (UBSan: signed integer overflow).
BOOST_AUTO_TEST_CASE(weights_zero_dim_with_huge_extent) {
    TempDir dir;
    const std::string p = dir / "zero.wts";
    Bytes b = {'X', 'G', 'R', 'A', 'D', 'W', 'T', 'S'};
    auto put = [&b](std::uint64_t v, int width) {
        for (int k = 0; k < width; ++k) b.push_back(static_cast<std::uint8_t>(v >> (8 * k)));
    };
    put(1, 4);  // version
    put(1, 8);  // one tensor
    put(1, 4);  // name length
    b.push_back('z');
    put(3, 4);  // rank
    for (const std::uint64_t d : {std::uint64_t{0}, std::uint64_t{1} << 48, std::uint64_t{1} << 48}) put(d, 8);
    put(0, 4);  // checksum (never reached)
    write_bytes(p, b);
    BOOST_CHECK_EXCEPTION(xgrad::train::read_weights_file(p), xgrad::IoError,
                          (Says{"load_weights: '" + p + "' is corrupt: 'z' is too large"}));
}

// Found by fuzz_weights: a tensor with a zero dimension has no buffer, and reading it did
// memcpy(nullptr, src, 0), undefined behaviour (UBSan: "null pointer passed as argument 1").
BOOST_AUTO_TEST_CASE(weights_with_empty_and_scalar_tensors) {
    TempDir dir;
    const std::string p = dir / "edge.wts";
    xgrad::Array empty = xgrad::Array::from_shape({0, 3});
    xgrad::Array scalar = xgrad::Array::from_shape({});
    scalar() = 2.5f;
    xgrad::train::write_weights_file(p, {{"e", empty}, {"s", scalar}});
    const auto back = xgrad::train::read_weights_file(p);
    BOOST_REQUIRE(back.size() == 2u);
    BOOST_TEST(back[0].first == "e");
    BOOST_TEST(back[0].second.size() == 0u);
    BOOST_TEST(back[0].second.dimension() == 2u);
    BOOST_TEST(back[1].second.dimension() == 0u);
    BOOST_TEST(back[1].second() == 2.5f);
}

// Every input under tests/regressions/ (crashes found by the fuzzers) now loads or is rejected
// with an xgrad::Error; the sanitizer build is what makes the old failures visible.
BOOST_AUTO_TEST_CASE(fuzzer_regressions) {
    std::size_t seen = 0;
    for (const auto& entry : fs::directory_iterator(fs::path(xgrad::test::test_dir()) / "regressions")) {
        const std::string path = entry.path().string();
        BOOST_TEST_CONTEXT(path) {
            ++seen;
            try {
                if (entry.path().extension() == ".wts") xgrad::train::read_weights_file(path);
                else xd::read_idx(path);
            } catch (const xgrad::Error&) {
            }
        }
    }
    BOOST_TEST(seen > 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(anomaly)

// Probabilities through softmax, then log: a logit 200 below the others underflows to 0 in
// float32 and log(0) = -Inf. The guard names log (not softmax, whose 0 is finite) and its label.
BOOST_AUTO_TEST_CASE(log_of_underflowing_softmax) {
    using namespace xgrad;
    const Tensor x = constant(Array{{1.f, 2.f}, {0.5f, -1.f}}, "x");
    const Tensor w = parameter(Array{{1.f, -100.f, 0.f}, {2.f, -100.f, 1.f}}, "w");
    AnomalyGuard guard;
    Tensor probs;
    {
        NameScope scope("dense_1");
        probs = softmax(matmul(x, w));
    }
    NameScope scope("loss");
    BOOST_CHECK_EXCEPTION(log(probs), ValueError,
                          (Says{"anomaly: op 'log' ('loss/log') produced Inf", "from inputs (2x3 'dense_1/softmax')"}));
    // The stable formulation of the same quantity is finite: no anomaly.
    NameScope head("stable");
    Tensor lp;
    BOOST_CHECK_NO_THROW(lp = log_softmax(matmul(x, w)));
    BOOST_TEST(std::isfinite(sum(lp).item()));
}

// In a two-layer network whose activations overflow in exp, the error names the first op
// that produced Inf, not the ones downstream of it.
BOOST_AUTO_TEST_CASE(first_bad_op_in_a_network) {
    using namespace xgrad;
    const Tensor x = constant(Array{{50.f, 60.f}}, "x");
    const Tensor w1 = parameter(Array{{1.f, 1.f}, {1.f, 1.f}}, "w1");
    const Tensor w2 = parameter(xgrad::test::column({1.f, 1.f}), "w2");
    auto net = [&] {
        Tensor h;
        {
            NameScope s("dense_1");
            h = exp(matmul(x, w1));  // e^110 overflows float32
        }
        NameScope s("dense_2");
        return sum(matmul(h, w2));
    };
    {
        AnomalyGuard guard;
        BOOST_CHECK_EXCEPTION(net(), ValueError,
                              (Says{"anomaly: op 'exp' ('dense_1/exp') produced Inf at flat index 0",
                                    "(1x2 'dense_1/matmul')"}));
    }
    // Without the guard the Inf flows through silently: the guard is what catches it.
    BOOST_TEST(std::isinf(net().item()));
}

// A gradient that blows up only in the backward pass (d/dx sqrt(x) at 0) is caught there too.
BOOST_AUTO_TEST_CASE(anomaly_in_backward) {
    using namespace xgrad;
    const Tensor w = parameter(Array{0.f, 4.f}, "w");
    AnomalyGuard guard;
    const Tensor loss = sum(sqrt(w));
    BOOST_TEST(loss.item() == 2.f);
    BOOST_CHECK_EXCEPTION(loss.backward(), ValueError, (Says{"anomaly: op '", "produced Inf"}));
}

BOOST_AUTO_TEST_SUITE_END()
