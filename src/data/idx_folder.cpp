// Any IDX folder in MNIST's layout, recognised by hash when it is a known dataset.
#include <xgrad/data/idx_folder.hpp>

#include "mnist_detail.hpp"

#include <xgrad/data/fashion_mnist.hpp>
#include <xgrad/error.hpp>

#include <filesystem>

namespace xgrad::data {
namespace {

std::string folder_layout_help(const std::string& dir) {
    std::string names;
    for (const MnistFile& f : mnist_files) names += (names.empty() ? "" : ", ") + std::string(f.name);
    return "A data folder holds the four files of MNIST's layout, each raw or .gz: " + names + ". Put them into " +
           dir + ". For MNIST itself run scripts/fetch_mnist.sh " + detail::shell_quote(dir) +
           " (the examples fetch it into their cache when --data is not given).";
}

const detail::LoaderText folder_text{"data", "", folder_layout_help, [](const std::string&) {
                                         return std::string("Replace the file with a good copy.");
                                     }};

bool all_match(const std::array<std::string, 4>& hashes, const std::array<MnistFile, 4>& files) {
    for (std::size_t i = 0; i < 4; ++i)
        if (hashes[i] != files[i].sha256) return false;
    return true;
}

}  // namespace

std::string IdxFolder::note() const {
    if (!dataset.empty()) return {};
    return "note: " + dir + " is not a known dataset (not MNIST or Fashion-MNIST): training on it as it is";
}

IdxFolder load_idx_folder(const std::string& dir, const MnistOptions& options) {
    if (std::error_code ec; !std::filesystem::is_directory(dir, ec))
        throw IoError("data: directory " + dir + " does not exist.\n" + folder_layout_help(dir));
    const detail::FourFiles files = detail::read_four(dir, folder_text, nullptr);
    IdxFolder out;
    out.dir = dir;
    out.splits = detail::to_splits(files, dir, "data", options);
    std::array<std::string, 4> hashes;
    for (std::size_t i = 0; i < 4; ++i) hashes[i] = detail::idx_sha256(files.arrays[i]);
    if (all_match(hashes, mnist_files)) out.dataset = "mnist";
    else if (all_match(hashes, fashion_mnist_files)) out.dataset = "fashion_mnist";
    return out;
}

}  // namespace xgrad::data
