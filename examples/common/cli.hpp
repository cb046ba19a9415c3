#pragma once
/// @file cli.hpp
/// The examples' command lines, one way everywhere (CLI11):
///   - `--help` prints the usage on stdout and exits 0;
///   - a bad command line prints the error and the usage on stderr and exits 2;
///   - every output path is checked before any work starts (check_output_file,
///     prepare_output_dir), so a long training run is never lost to a typo in `--save`.
///
///     CLI::App app{"What the program does.", "name"};
///     std::string save;
///     app.add_option("--save", save, "write the trained weights to FILE");
///     if (auto status = xgrad::examples::parse(app, argc, argv)) return *status;
///     xgrad::examples::check_output_file(save, "--save");   // throws xgrad::IoError: exit 1

#include <CLI/CLI.hpp>

#include <xgrad/error.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <iostream>
#include <optional>
#include <string>
#include <unistd.h>

namespace xgrad::examples {

/// Exit status of a bad command line (as getopt-based tools and Python's argparse use).
inline constexpr int usage_error_status = 2;

/// Parses the command line into `app`. Returns nullopt when the program should go on, else the
/// status main() should return: 0 after --help (usage on stdout), 2 after a usage error (the
/// error, then the usage, on stderr).
inline std::optional<int> parse(CLI::App& app, int argc, const char* const* argv) {
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);  // --help
        std::cerr << app.get_name() << ": " << e.what() << "\n\n" << app.help();
        return usage_error_status;
    }
    return std::nullopt;
}

namespace detail {

[[noreturn]] inline void unwritable(const std::string& flag, const std::string& path, const std::string& why) {
    throw IoError(flag + " " + path + ": " + why);
}

// Creates and removes a temporary file in `dir`: the one sure test that a file can be made
// there (permissions, read-only mounts, ACLs, quota on inodes). Leaves nothing behind.
inline void probe_directory(const std::filesystem::path& dir, const std::string& flag, const std::string& path) {
    std::string probe = (dir / ".xgrad-write-probe-XXXXXX").string();
    const int fd = ::mkstemp(probe.data());
    if (fd < 0) {
        const int err = errno;
        unwritable(flag, path, "cannot create a file in " + dir.string() + ": " + std::strerror(err));
    }
    ::close(fd);
    ::unlink(probe.c_str());
}

}  // namespace detail

/// Checks that a file can be written at `path` (an output flag's value; empty means "not asked
/// for" and passes): its directory exists, is a directory and takes a new file, and `path` is
/// not itself a directory. Files are written to a temporary and renamed over `path`, so the
/// directory's permission is what counts, not the old file's.
/// @throws xgrad::IoError "<flag> <path>: <why>", e.g.
///         "--save /no/such/dir/w.bin: directory /no/such/dir does not exist".
inline void check_output_file(const std::string& path, const std::string& flag) {
    namespace fs = std::filesystem;
    if (path.empty()) return;
    std::error_code ec;
    if (fs::is_directory(path, ec)) detail::unwritable(flag, path, "is a directory, expected a file name");
    fs::path dir = fs::path(path).parent_path();
    if (dir.empty()) dir = ".";
    if (!fs::exists(dir, ec)) detail::unwritable(flag, path, "directory " + dir.string() + " does not exist");
    if (!fs::is_directory(dir, ec)) detail::unwritable(flag, path, dir.string() + " is not a directory");
    detail::probe_directory(dir, flag, path);
}

/// Creates the output directory `dir` (and its parents) if needed and checks that files can be
/// made in it, before any work.
/// @throws xgrad::IoError "<flag> <dir>: <why>".
inline void prepare_output_dir(const std::string& dir, const std::string& flag) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) detail::unwritable(flag, dir, "cannot create the directory: " + ec.message());
    if (!fs::is_directory(dir, ec)) detail::unwritable(flag, dir, "is not a directory");
    detail::probe_directory(dir, flag, dir);
}

namespace detail {

inline CLI::Validator integer_at_least(long minimum, const char* what) {
    return CLI::Validator(
        [minimum, what](std::string& value) -> std::string {
            try {
                std::size_t used = 0;
                const long v = std::stol(value, &used);
                if (used == value.size() && v >= minimum) return {};
            } catch (const std::exception&) {
            }
            return std::string("needs a ") + what + " integer, got '" + value + "'";
        },
        "");
}

}  // namespace detail

/// A CLI11 validator: a positive integer ("needs a positive integer, got 'x'").
inline const CLI::Validator positive = detail::integer_at_least(1, "positive");
/// A CLI11 validator: an integer >= 0.
inline const CLI::Validator non_negative = detail::integer_at_least(0, "non-negative");

/// A CLI11 validator: the value's extension is one of `extensions` (".svg", ...), so a typo
/// is a usage error at once rather than after training.
inline CLI::Validator extension_in(std::initializer_list<std::string> extensions) {
    std::string names;
    for (const std::string& e : extensions) names += (names.empty() ? "" : "|") + e;
    const std::vector<std::string> valid(extensions);
    return CLI::Validator(
        [valid, names](std::string& value) -> std::string {
            const std::string ext = std::filesystem::path(value).extension().string();
            for (const std::string& e : valid)
                if (ext == e) return {};
            return "'" + value + "' must end in one of " + names;
        },
        "");
}

}  // namespace xgrad::examples
