#pragma once
/// @file html_report.hpp
/// train::HtmlReport: a callback writing a self-contained HTML page about a training run, with
/// charts drawn by Chart.js (embedded at build time, see cmake/chartjs.cmake): loss and metric
/// curves per epoch (training and validation), per-layer weight and gradient norms over the
/// steps, and per-layer weight histograms per epoch.

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "xgrad/train/callbacks.hpp"

namespace xgrad::train {

/// Options of HtmlReport.
struct HtmlReportOptions {
    std::string title = "xgrad training report";  ///< page heading
    std::size_t every = 1;     ///< record the norms every `every` training steps (1 = every step)
    std::size_t bins = 40;     ///< bins of each weight histogram
};

/// Keras-style callback: `fit(x, y, {.callbacks = {std::make_shared<train::HtmlReport>("report.html")}})`.
///
/// Records, per training step, each layer's weight norm ‖W‖ = √(Σ w²) and gradient norm ‖∇W‖
/// over all its parameters (a layer = the parameters whose names share the part before the
/// last '.', "dense_1" for "dense_1.kernel" and "dense_1.bias") and the batch loss; per epoch
/// the logs ("loss", metrics, "val_*") and a histogram of each layer's weights (also one before
/// training). The page is rewritten atomically (write_file_atomic) after every epoch, so it can
/// be watched during a long run, and once more when training ends. One file, no network access.
class HtmlReport : public Callback {
public:
    /// A report written to `path`. Checks at once, before any training, that the charting
    /// library was built in (else Error naming scripts/fetch_chartjs.sh) and that `path` can be
    /// written (IoError naming it: missing directory, no permission, a directory); ValueError
    /// for an empty path or every = 0 or bins = 0.
    explicit HtmlReport(std::string path, HtmlReportOptions options = {});

    /// True when the charting library was embedded at build time.
    static bool available();
    /// The embedded Chart.js version ("4.4.7").
    static std::string library_version();

    void on_train_begin(const Logs& logs) override;
    void on_batch_end(int batch, const Logs& logs) override;
    void on_epoch_end(int epoch, const Logs& logs) override;
    void on_train_end(const Logs& logs) override;

    /// The page as it would be written now.
    std::string html() const;
    /// Writes html() to path() atomically (the callback does this itself; IoError on failure).
    void write() const;
    /// Where the page goes.
    const std::string& path() const { return path_; }

    /// One layer's weight histogram at one point of the run.
    struct Histogram {
        std::string when;            ///< "initial", "epoch 1", ...
        float lo = 0, hi = 0;        ///< range of the bins (the weights' min and max)
        std::vector<double> counts;  ///< weights per bin
    };
    /// Recorded so far: epoch logs, in order.
    const std::vector<Logs>& epochs() const { return epochs_; }
    /// Recorded so far: the global step of every norm sample.
    const std::vector<std::size_t>& steps() const { return steps_; }
    /// Recorded so far: layer -> weight norm per sample.
    const std::map<std::string, std::vector<double>>& weight_norms() const { return weight_norms_; }
    /// Recorded so far: layer -> gradient norm per sample (NaN where the layer had no gradient).
    const std::map<std::string, std::vector<double>>& grad_norms() const { return grad_norms_; }
    /// Recorded so far: layer -> histograms (initial, then one per epoch).
    const std::map<std::string, std::vector<Histogram>>& histograms() const { return histograms_; }

private:
    void record_histograms(const std::string& when);

    std::string path_;
    HtmlReportOptions options_;
    std::vector<Logs> epochs_;
    std::size_t step_ = 0;
    std::vector<std::size_t> steps_;
    std::vector<double> batch_loss_;
    std::map<std::string, std::vector<double>> weight_norms_, grad_norms_;
    std::map<std::string, std::vector<Histogram>> histograms_;
};

}  // namespace xgrad::train
