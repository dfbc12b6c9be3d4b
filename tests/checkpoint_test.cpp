// Checkpoints (fixnet/train/checkpoint.hpp, Trainer::resume): 6 epochs straight and
// 3 epochs + checkpoint + resume for 3 more, in a fresh Trainer and a fresh
// network as a new process would, give bit-identical parameters, optimiser
// state and history — with Adam, with Dropout, on one and two threads, with
// early stopping on, after a crash mid-run, through AnyOptimizer. A
// checkpoint loads as a plain model; the best-model file holds the best
// parameters; a corrupted or mismatched checkpoint is refused with a message
// naming what differs and leaves the network and optimiser unchanged; the
// batch loop still allocates nothing.
//
// Replaces the global operator new to count allocations, so it is a binary
// of its own.
#define BOOST_TEST_MODULE checkpoint
#include <boost/test/unit_test.hpp>

#include <array>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <ratio>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <unistd.h>

#include <fixnet/train/checkpoint.hpp>
#include <fixnet/data/blobs.hpp>
#include <fixnet/fixnet.hpp>
#include <fixnet/io/model_file.hpp>
#include <fixnet/train/trainer.hpp>

#include "counting_new.hpp"
#include "history_support.hpp"
#include "trainer_test_support.hpp"

namespace fixnet::tests {
namespace {

namespace fs = std::filesystem;

using Net = Mlp<Sigmoid, Softmax, 2, 8, 3>;
using Dropped = Network<Dense<2, 16, Relu>, Dropout<16, std::ratio<1, 4>>, Dense<16, 3, Softmax>>;
constexpr std::size_t kBatch = 16;

template <class N>
std::unique_ptr<N> initial(std::uint64_t seed = 7) {
  auto net = std::make_unique<N>();
  initialize(*net, init::XavierUniform{}, init::Uniform{-0.1, 0.1}, seed);
  return net;
}

/// A directory of its own, removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string name = (fs::temp_directory_path() / "fixnet-checkpoint-XXXXXX").string();
    BOOST_TEST_REQUIRE(::mkdtemp(name.data()) != nullptr);
    path = name;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  fs::path operator/(const std::string& name) const { return path / name; }
};

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

/// Every parameter set and counter of the two optimisers' states is equal.
template <class Opt>
void check_same_state(const Opt& a, const Opt& b) {
  std::vector<std::string> names;
  a.for_each_state([&](std::string_view name, const auto&) { names.emplace_back(name); });
  std::size_t k = 0;
  b.for_each_state([&](std::string_view name, const auto& y) {
    BOOST_TEST_CONTEXT("optimizer state " << name) {
      BOOST_TEST(name == names.at(k));
      std::size_t j = 0;
      a.for_each_state([&](std::string_view, const auto& x) {
        if constexpr (std::is_same_v<decltype(x), decltype(y)>)
          if (j == k) BOOST_TEST((x == y));
        ++j;
      });
    }
    ++k;
  });
  BOOST_TEST(k == names.size());
}

/// What the run is, to run it straight and interrupted.
struct Setup {
  TrainerOptions options;
  std::size_t epochs = 6;
  std::size_t interrupted_after = 3;
};

/// Trains `epochs` straight; then `interrupted_after` epochs in another
/// trainer writing a checkpoint, and the rest in a third trainer and a
/// third network (default-constructed, then initialised otherwise: the
/// checkpoint must set every parameter) that resume from it. Both must
/// agree bit for bit.
template <class N, class Opt>
void check_exact_resume(const Setup& setup, const typename Opt::options_type& optimizer_options) {
  const Points train = blobs(60, 1.5f, 1), validation = blobs(30, 1.5f, 2);
  const TempDir dir;
  const fs::path checkpoint = dir / "run.ckpt.safetensors";

  TrainerOptions options = quiet(setup.options);
  options.epochs = setup.epochs;
  auto straight = initial<N>();
  Trainer<N, kBatch, Opt> a(options, optimizer_options);
  const TrainingHistory ha = a.fit(*straight, train, validation);

  auto first = initial<N>();
  TrainerOptions part = options;
  part.epochs = setup.interrupted_after;
  part.checkpoint_path = checkpoint;
  part.checkpoint_every = 0;  // at the end only
  Trainer<N, kBatch, Opt> b(part, optimizer_options);
  const TrainingHistory hb = b.fit(*first, train, validation);
  BOOST_TEST_REQUIRE(fs::exists(checkpoint));
  BOOST_TEST(hb.epochs.size() == std::min(setup.interrupted_after, ha.epochs.size()));

  auto resumed = initial<N>(99);
  TrainerOptions rest = options;
  rest.checkpoint_path = dir / "resumed.ckpt.safetensors";
  Trainer<N, kBatch, Opt> c(rest, optimizer_options);
  const TrainingHistory hc = c.resume(*resumed, checkpoint, train, validation);
  BOOST_TEST_MESSAGE(hc.stop_message);

  check_same_history(ha, hc);
  BOOST_TEST((straight->parameters() == resumed->parameters()));
  check_same_state(a.optimizer(), c.optimizer());
  // The resumed run went on writing checkpoints.
  BOOST_TEST(fs::exists(rest.checkpoint_path));
}

/// Rows of 784 values in 10 classes, each class lighting its own tenth of
/// the row, with noise: an MNIST-shaped set that a few epochs learn.
data::Dataset<float, 784> images(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> noise(0.0f, 0.5f);
  data::Dataset<float, 784> d(10);
  std::array<float, 784> row{};
  for (std::size_t i = 0; i < n; ++i) {
    const auto label = static_cast<std::uint8_t>(i % 10);
    for (std::size_t j = 0; j < row.size(); ++j)
      row[j] = noise(rng) + (j * 10 / row.size() == label ? 0.5f : 0.0f);
    d.add(row, label);
  }
  return d;
}

/// Runs the rest of the test in `path`, for code whose file names are
/// relative; restores the working directory at the end.
struct InDirectory {
  fs::path previous = fs::current_path();
  explicit InDirectory(const fs::path& path) { fs::current_path(path); }
  ~InDirectory() {
    std::error_code ignored;
    fs::current_path(previous, ignored);
  }
  InDirectory(const InDirectory&) = delete;
  InDirectory& operator=(const InDirectory&) = delete;
};

template <Scalar T>
struct LionOptions {
  T lr = T(1e-4);
  T beta1 = T(0.9);
  T beta2 = T(0.99);
};

/// Lion (Chen et al., 2023), an optimiser that fixnet does not have: what a
/// user writes to train with an optimiser of their own, with `name()` and
/// `for_each_state(f)` for checkpoints (docs/checkpoints.md). Per parameter
/// p with gradient g and momentum m:
///
///     p <- p - lr * sign(beta1 * m + (1 - beta1) * g)
///     m <- beta2 * m + (1 - beta2) * g
template <class Model>
class Lion {
 public:
  using parameters_type = detail::parameters_of_t<Model>;
  using scalar_type = typename parameters_type::scalar_type;
  using options_type = LionOptions<scalar_type>;

  explicit Lion(const options_type& options = {}) : options_(options) {}

  void step(parameters_type& params, const parameters_type& grads) noexcept {
    const scalar_type b1 = options_.beta1, b2 = options_.beta2;
    detail::for_each_index<parameters_type::layer_count>([&](auto i) {
      const auto p = params.template layer_parameters<i>().storage();
      const auto g = grads.template layer_parameters<i>().storage();
      const auto m = m_.template layer_parameters<i>().storage();
      for (std::size_t k = 0; k < p.size(); ++k) {
        const scalar_type c = b1 * m[k] + (1 - b1) * g[k];
        p[k] -= options_.lr * scalar_type((c > 0) - (c < 0));
        m[k] = b2 * m[k] + (1 - b2) * g[k];
      }
    });
    ++steps_;
  }
  scalar_type learning_rate() const noexcept { return options_.lr; }
  void set_learning_rate(scalar_type lr) noexcept { options_.lr = lr; }
  void reset() noexcept {
    m_.zero();
    steps_ = 0;
  }

  std::string_view name() const noexcept { return "Lion"; }
  template <class F>
  void for_each_state(F&& f) {
    f("exp_avg", m_);
    f("step", steps_);
  }
  template <class F>
  void for_each_state(F&& f) const {
    f("exp_avg", m_);
    f("step", steps_);
  }

  const parameters_type& exp_avg() const noexcept { return m_; }

 private:
  options_type options_;
  parameters_type m_;
  std::size_t steps_ = 0;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(checkpoint)

BOOST_AUTO_TEST_CASE(adam_resumes_bit_for_bit_with_early_stopping_on) {
  check_exact_resume<Net, Adam<Net>>({.options = {.seed = 3, .patience = 4}}, {.lr = 0.05f});
}

BOOST_AUTO_TEST_CASE(a_dropout_network_resumes_bit_for_bit) {
  check_exact_resume<Dropped, Adam<Dropped>>({.options = {.seed = 5, .patience = 4}},
                                             {.lr = 0.02f});
}

BOOST_AUTO_TEST_CASE(two_threads_resume_bit_for_bit) {
  const Setup setup{.options = {.seed = 5, .batches_per_step = 2, .threads = 2, .patience = 4}};
  check_exact_resume<Dropped, Adam<Dropped>>(setup, {.lr = 0.02f});
  check_exact_resume<Net, Adam<Net>>(setup, {.lr = 0.05f});
}

// Momentum, a per-step schedule, clipping and L2: every piece of state the
// trainer keeps between epochs.
BOOST_AUTO_TEST_CASE(sgd_with_a_step_schedule_resumes_bit_for_bit) {
  TrainerOptions options{.seed = 11,
                         .schedule = CosineAnnealing<float>{0.5f, 40},
                         .schedule_unit = ScheduleUnit::step,
                         .l2 = 1e-3,
                         .clip_norm = 0.5,
                         .patience = 3};
  check_exact_resume<Net, Sgd<Net>>({.options = options, .epochs = 7, .interrupted_after = 2},
                                    {.lr = 0.5f, .momentum = 0.9f});
  check_exact_resume<Net, RmsProp<Net>>({.options = options}, {.lr = 0.01f, .centered = true});
}

// Full-batch descent: the tail's one-sample workspace has its own dropout
// steps.
BOOST_AUTO_TEST_CASE(full_batch_descent_resumes_bit_for_bit) {
  check_exact_resume<Dropped, Adam<Dropped>>(
      {.options = {.seed = 2, .batches_per_step = 0, .threads = 2}}, {.lr = 0.05f});
}

// Early stopping: resuming from a checkpoint written at the epoch where the
// patience ran out (the last of its run, so that run completed) stops there,
// as the uninterrupted run did; resuming from an earlier one stops at the
// same epoch as the uninterrupted run.
BOOST_AUTO_TEST_CASE(early_stopping_stops_at_the_same_epoch_after_a_resume) {
  using Wide = Mlp<Relu, Softmax, 2, 32, 32, 3>;
  const Points train = blobs(20, 2.0f, 1), validation = blobs(200, 2.0f, 2);
  const auto make = [] {
    auto net = std::make_unique<Wide>();
    initialize(*net, init::HeNormal{}, init::Zeros{}, 3);
    return net;
  };
  const TrainerOptions options = quiet({.epochs = 200, .seed = 5, .patience = 3});
  auto straight = make();
  Trainer<Wide, 4, Adam<Wide>> a(options, {.lr = 0.05f});
  const TrainingHistory ha = a.fit(*straight, train, validation);
  BOOST_TEST_REQUIRE((ha.stop_reason == StopReason::early_stopping));
  const std::size_t stopped = ha.epochs.size();
  BOOST_TEST_MESSAGE(ha.stop_message);

  const TempDir dir;
  for (const std::size_t after : {stopped, stopped - 2}) {
    BOOST_TEST_CONTEXT("interrupted after epoch " << after) {
      TrainerOptions part = options;
      part.epochs = after;
      part.checkpoint_path = dir / "run.ckpt";
      auto first = make();
      Trainer<Wide, 4, Adam<Wide>> b(part, {.lr = 0.05f});
      (void)b.fit(*first, train, validation);
      auto resumed = std::make_unique<Wide>();
      Trainer<Wide, 4, Adam<Wide>> c(options, {.lr = 0.05f});
      const TrainingHistory hc = c.resume(*resumed, part.checkpoint_path, train, validation);
      check_same_history(ha, hc);
      BOOST_TEST((straight->parameters() == resumed->parameters()));
    }
  }
}

// A run killed in epoch 5 (here: a callback throws) leaves the checkpoint of
// epoch 4 (every 2 epochs); resuming from it finishes the run exactly.
BOOST_AUTO_TEST_CASE(a_run_killed_mid_way_resumes_from_its_last_checkpoint) {
  const Points train = blobs(60, 1.5f, 1), validation = blobs(30, 1.5f, 2);
  const TempDir dir;
  TrainerOptions options = quiet({.epochs = 6, .seed = 3, .patience = 4});
  auto straight = initial<Dropped>();
  Trainer<Dropped, kBatch, Adam<Dropped>> a(options, {.lr = 0.02f});
  const TrainingHistory ha = a.fit(*straight, train, validation);

  TrainerOptions killed = options;
  killed.checkpoint_path = dir / "run.ckpt";
  killed.checkpoint_every = 2;
  killed.on_batch.push_back([](const BatchRecord& b) {
    if (b.epoch == 5 && b.batch == 3) throw std::runtime_error("killed");
  });
  auto first = initial<Dropped>();
  Trainer<Dropped, kBatch, Adam<Dropped>> b(killed, {.lr = 0.02f});
  BOOST_CHECK_THROW((void)b.fit(*first, train, validation), std::runtime_error);

  auto resumed = std::make_unique<Dropped>();
  Trainer<Dropped, kBatch, Adam<Dropped>> c(options, {.lr = 0.02f});
  const TrainingHistory hc = c.resume(*resumed, killed.checkpoint_path, train, validation);
  check_same_history(ha, hc);
  BOOST_TEST((straight->parameters() == resumed->parameters()));
  check_same_state(a.optimizer(), c.optimizer());
}

// The optimiser's state goes through one mechanism (for_each_state): a
// checkpoint written with Adam resumes in an AnyOptimizer holding Adam.
BOOST_AUTO_TEST_CASE(a_checkpoint_of_adam_resumes_through_any_optimizer) {
  const Points train = blobs(60, 1.5f, 1), validation = blobs(30, 1.5f, 2);
  const TempDir dir;
  const TrainerOptions options = quiet({.epochs = 5, .seed = 3});
  auto straight = initial<Net>();
  Trainer<Net, kBatch, Adam<Net>> a(options, {.lr = 0.05f});
  const TrainingHistory ha = a.fit(*straight, train, validation);

  TrainerOptions part = options;
  part.epochs = 2;
  part.checkpoint_path = dir / "run.ckpt";
  auto first = initial<Net>();
  Trainer<Net, kBatch, Adam<Net>> b(part, {.lr = 0.05f});
  (void)b.fit(*first, train, validation);

  // All zero, as constructed: resume loads the parameters, so it does not
  // refuse a network never initialised (fit does).
  auto resumed = std::make_unique<Net>();
  BOOST_TEST(all_parameters_zero(*resumed));
  Trainer<Net, kBatch, AnyOptimizer<Net>> c(options, AdamOptions<float>{.lr = 0.05f});
  const TrainingHistory hc = c.resume(*resumed, part.checkpoint_path, train, validation);
  check_same_history(ha, hc);
  BOOST_TEST((straight->parameters() == resumed->parameters()));
  BOOST_TEST(std::get<Adam<Net>>(c.optimizer().get()).step_count() == a.optimizer().step_count());

  // And an AnyOptimizer holding Sgd is refused, naming both.
  Trainer<Net, kBatch, AnyOptimizer<Net>> sgd(options, SgdOptions<float>{.lr = 0.05f});
  auto other = std::make_unique<Net>();
  try {
    (void)sgd.resume(*other, part.checkpoint_path, train, validation);
    BOOST_ERROR("expected ModelFileError");
  } catch (const ModelFileError& e) {
    BOOST_TEST(contains(e.what(), "optimiser Adam, but this trainer's is Sgd"), e.what());
  }
}

// The checkpoint holds the network of its last epoch, loadable as a model;
// the best-model file holds the best parameters, which the network has after
// training (restore_best) and the checkpoint holds as best.*.
BOOST_AUTO_TEST_CASE(a_checkpoint_loads_as_a_model_and_the_best_model_file_holds_the_best) {
  const Points train = blobs(20, 2.0f, 1), validation = blobs(100, 2.0f, 2);
  const TempDir dir;
  using Wide = Mlp<Relu, Softmax, 2, 32, 32, 3>;
  auto net = std::make_unique<Wide>();
  initialize(*net, init::HeNormal{}, init::Zeros{}, 3);
  TrainerOptions options = quiet({.epochs = 12, .seed = 5});
  options.checkpoint_path = dir / "run.ckpt";
  options.best_model_path = dir / "best.safetensors";
  std::unique_ptr<Wide> last;
  options.on_epoch.push_back([&](EpochRecord&) { last = std::make_unique<Wide>(*net); });
  Trainer<Wide, 4, Adam<Wide>> trainer(options, {.lr = 0.05f});
  const TrainingHistory h = trainer.fit(*net, train, validation);
  BOOST_TEST_MESSAGE(h.stop_message);
  BOOST_TEST_REQUIRE(h.restored_best);  // the best epoch is not the last

  auto model = std::make_unique<Wide>();
  load(*model, options.checkpoint_path, {.ignore_extra = true});
  BOOST_TEST((model->parameters() == last->parameters()));
  BOOST_CHECK_THROW(load(*model, options.checkpoint_path), ModelFileError);  // extra tensors

  auto best = std::make_unique<Wide>();
  load(*best, options.best_model_path);
  BOOST_TEST((best->parameters() == net->parameters()));
  auto best_in_checkpoint = std::make_unique<Wide>();
  load(*best_in_checkpoint, options.checkpoint_path, {.prefix = "best.", .ignore_extra = true});
  BOOST_TEST((best_in_checkpoint->parameters() == net->parameters()));
  BOOST_TEST(trainer.evaluate(*best, validation).loss == h.best()->validation_loss);
}

BOOST_AUTO_TEST_CASE(the_file_holds_the_documented_tensors_and_metadata) {
  const Points train = blobs(20, 1.0f, 1), validation = blobs(10, 1.0f, 2);
  const TempDir dir;
  auto net = initial<Net>();
  TrainerOptions options = quiet({.epochs = 2, .seed = 3});
  options.checkpoint_path = dir / "run.ckpt";
  Trainer<Net, kBatch, Adam<Net>> trainer(options);
  (void)trainer.fit(*net, train, validation);
  const std::vector<std::byte> bytes = safetensors::read_file(options.checkpoint_path);
  const safetensors::Reader file(bytes);
  for (const char* name :
       {"0.weight", "0.bias", "2.weight", "2.bias", "optimizer.exp_avg.0.weight",
        "optimizer.exp_avg_sq.2.bias", "optimizer.max_exp_avg_sq.0.bias", "optimizer.step",
        "best.0.weight", "best.2.bias", "trainer.epoch", "trainer.batch", "trainer.steps",
        "trainer.schedule_step", "trainer.epochs_since_best", "trainer.best_loss", "trainer.order",
        "trainer.dropout_steps"})
    BOOST_TEST(file.contains(name), name);
  BOOST_TEST(file.read_scalar<std::int64_t>("trainer.epoch") == 2);
  BOOST_TEST(file.read_scalar<std::int64_t>("optimizer.step") == 2 * (60 / kBatch));
  BOOST_TEST((file.info("trainer.order").shape == std::vector<std::size_t>{60}));
  for (const char* key :
       {"fixnet.checkpoint", "fixnet.checkpoint.optimizer", "fixnet.checkpoint.batch_size",
        "fixnet.checkpoint.batches_per_step", "fixnet.checkpoint.threads", "fixnet.checkpoint.seed",
        "fixnet.checkpoint.shuffle", "fixnet.checkpoint.rng", "fixnet.checkpoint.history",
        "fixnet.network", "fixnet.layers"})
    BOOST_TEST(file.metadata(key).has_value(), key);
  BOOST_TEST(*file.metadata("fixnet.checkpoint.optimizer") == "Adam");
}

// Each refusal names what differs, and leaves the network and the
// optimiser as they were.
BOOST_AUTO_TEST_CASE(a_corrupted_or_mismatched_checkpoint_is_refused_and_changes_nothing) {
  const Points train = blobs(60, 1.5f, 1), validation = blobs(30, 1.5f, 2);
  const TempDir dir;
  const fs::path path = dir / "run.ckpt";
  TrainerOptions options = quiet({.epochs = 2, .seed = 3, .batches_per_step = 2, .threads = 2});
  {
    auto net = initial<Net>();
    options.checkpoint_path = path;
    Trainer<Net, kBatch, Adam<Net>> writer(options, {.lr = 0.05f});
    (void)writer.fit(*net, train, validation);
    options.checkpoint_path.clear();
  }
  const auto refused = [&](auto& trainer, const fs::path& file, const auto& t, const auto* v,
                           const std::string& expected) {
    using N = typename std::remove_cvref_t<decltype(trainer)>::network_type;
    auto net = initial<N>(42);
    const auto before = net->parameters();
    try {
      if (v)
        (void)trainer.resume(*net, file, t, *v);
      else
        (void)trainer.resume(*net, file, t);
      BOOST_ERROR("expected ModelFileError containing '" << expected << "'");
    } catch (const ModelFileError& e) {
      BOOST_TEST_INFO("message: " << e.what());
      BOOST_TEST(contains(e.what(), expected));
    }
    BOOST_TEST((net->parameters() == before));
    BOOST_TEST(trainer.optimizer().step_count() == 0u);
  };

  Trainer<Net, kBatch, Adam<Net>> same_kind(options, {.lr = 0.05f});
  // Corrupted: one byte of the data section flipped; truncated.
  std::vector<std::byte> bytes = safetensors::read_file(path);
  std::vector<std::byte> flipped = bytes;
  flipped[flipped.size() - 5] ^= std::byte{0x40};
  safetensors::write_file_atomically(dir / "flipped.ckpt", flipped);
  refused(same_kind, dir / "flipped.ckpt", train, &validation, "is corrupt: the CRC-32");
  safetensors::write_file_atomically(dir / "short.ckpt",
                                     std::span<const std::byte>(bytes).first(bytes.size() / 2));
  refused(same_kind, dir / "short.ckpt", train, &validation, "truncated");
  refused(same_kind, dir / "missing.ckpt", train, &validation, "cannot open");
  // A model file is not a checkpoint.
  save(*initial<Net>(), dir / "model.safetensors");
  refused(same_kind, dir / "model.safetensors", train, &validation, "is not a checkpoint");
  // Another network.
  using Other = Mlp<Sigmoid, Softmax, 2, 9, 3>;
  Trainer<Other, kBatch, Adam<Other>> other_net(options);
  refused(other_net, path, train, &validation,
          "holds a checkpoint of Network<Dense<2, 8, Sigmoid>, Dense<8, 3, Softmax>>, but the "
          "trainer trains Network<Dense<2, 9, Sigmoid>, Dense<9, 3, Softmax>>");
  // Another optimiser, batch size, seed, threads, shuffle.
  Trainer<Net, kBatch, Sgd<Net>> sgd(options);
  refused(sgd, path, train, &validation, "optimiser Adam, but this trainer's is Sgd");
  Trainer<Net, 8, Adam<Net>> batch8(options);
  refused(batch8, path, train, &validation, "batch size 16, but this trainer's is 8");
  TrainerOptions changed = options;
  changed.seed = 4;
  Trainer<Net, kBatch, Adam<Net>> seed4(changed);
  refused(seed4, path, train, &validation, "seed 3, but this trainer's is 4");
  changed = options;
  changed.threads = 1;
  Trainer<Net, kBatch, Adam<Net>> one_thread(changed);
  refused(one_thread, path, train, &validation, "threads 2, but this trainer's is 1");
  changed = options;
  changed.shuffle = false;
  Trainer<Net, kBatch, Adam<Net>> unshuffled(changed);
  refused(unshuffled, path, train, &validation, "shuffle true, but this trainer's is false");
  // Other data: no validation set, another training set.
  refused(same_kind, path, train, static_cast<const Points*>(nullptr),
          "was written by a run with a validation set");
  refused(same_kind, path, train.head(50), &validation,
          "was written for a training set of 180 samples, but this one has 50");
}

// Writing checkpoints each epoch keeps the batch loop allocation-free.
BOOST_AUTO_TEST_CASE(the_batch_loop_allocates_nothing_with_checkpoints_on) {
  const Points train = blobs(100, 1.0f, 1), validation = blobs(20, 1.0f, 2);
  const TempDir dir;
  auto net = initial<Dropped>();
  TrainerOptions options = quiet({.epochs = 3, .seed = 1, .patience = 5});
  options.checkpoint_path = dir / "run.ckpt";
  options.best_model_path = dir / "best.safetensors";
  check_epoch_two_allocates_nothing(options, 300u / kBatch, [&](const TrainerOptions& o) {
    Trainer<Dropped, kBatch, Adam<Dropped>> trainer(o);
    (void)trainer.fit(*net, train, validation);
  });
}

// docs/checkpoints.md's code, as the page shows it: a 784-50-10 run that
// writes checkpoints and dies in its fifth epoch, the program that resumes
// it, a program with --checkpoint and --resume flags, and the checkpoint
// loaded as a model. Every resumed run ends bit for bit where the run
// straight through ends.
BOOST_AUTO_TEST_CASE(the_code_of_the_checkpoints_page_runs) {
  const TempDir dir;
  const InDirectory here(dir.path);  // the page's file names are relative
  const data::Dataset<float, 784> train = images(96, 1), validation = images(40, 2);

  using Net = fixnet::Mlp<fixnet::Sigmoid, fixnet::Softmax, 784, 50, 10>;

  fixnet::TrainerOptions options{.epochs = 20, .seed = 1, .patience = 3};
  options.checkpoint_path = "run.ckpt.safetensors";  // empty (the default): no checkpoints
  options.checkpoint_every = 1;                      // every N epochs; 0: only at the end
  options.best_model_path = "best.safetensors";      // optional, see below
  options.progress = fixnet::ProgressStyle::off;

  // The run straight through, without checkpoints, to compare with.
  TrainerOptions plain = options;
  plain.checkpoint_path.clear();
  plain.best_model_path.clear();
  auto straight = initial<Net>();
  auto last_epoch = std::make_unique<Net>();
  plain.on_epoch.push_back([&](EpochRecord&) { *last_epoch = *straight; });
  Trainer<Net, 32, Adam<Net>> uninterrupted(plain, {.lr = 1e-3f});
  const TrainingHistory whole = uninterrupted.fit(*straight, train, validation);
  BOOST_TEST_MESSAGE(whole.stop_message);
  BOOST_TEST_REQUIRE(whole.epochs.size() > 5u);
  BOOST_TEST(whole.epochs.back().validation_accuracy > 0.9);

  {  // The program that writes checkpoints, killed in its fifth epoch.
    auto net = initial<Net>();
    options.on_batch.push_back([](const BatchRecord& b) {
      if (b.epoch == 5) throw std::runtime_error("killed");
    });
    fixnet::Trainer<Net, 32, fixnet::Adam<>> trainer(options, {.lr = 1e-3f});
    try {
      fixnet::TrainingHistory history = trainer.fit(*net, train, validation);
      BOOST_ERROR("the run was to die in epoch 5; it trained " << history.epochs.size());
    } catch (const std::runtime_error& e) {
      BOOST_TEST(std::string(e.what()) == "killed");
    }
    options.on_batch.clear();  // the programs below run to the end
    BOOST_TEST(fs::exists("best.safetensors"));
    BOOST_TEST_REQUIRE(fs::exists("run.ckpt.safetensors"));
    fs::copy_file("run.ckpt.safetensors", "epoch4.ckpt.safetensors");
  }

  // The program that resumes it, with the same options.
  {
    auto net = std::make_unique<Net>();  // its parameters come from the checkpoint
    fixnet::Trainer<Net, 32, fixnet::Adam<>> trainer(options, {.lr = 1e-3f});
    fixnet::TrainingHistory history =
        trainer.resume(*net, "run.ckpt.safetensors", train, validation);
    check_same_history(whole, history);
    BOOST_TEST((net->parameters() == straight->parameters()));
    check_same_state(uninterrupted.optimizer(), trainer.optimizer());
  }

  // A program with --checkpoint PATH and --resume flags: started afresh, and
  // resumed from the checkpoint of epoch 4.
  const auto program = [&](const std::string& checkpoint, bool resume) {
    auto net = initial<Net>();
    TrainerOptions options = plain;
    options.on_epoch.clear();
    options.checkpoint_path = checkpoint;  // from --checkpoint, if given
    fixnet::Trainer<Net, 32, fixnet::Adam<>> trainer(options, {.lr = 1e-3f});
    fixnet::TrainingHistory history =
        resume ? trainer.resume(*net, checkpoint, train, validation)  // --resume
               : trainer.fit(*net, train, validation);
    check_same_history(whole, history);
    BOOST_TEST((net->parameters() == straight->parameters()));
    BOOST_TEST(fs::exists(checkpoint));
  };
  program("fresh.ckpt.safetensors", false);
  program("epoch4.ckpt.safetensors", true);

  {  // The checkpoint of the resumed run, loaded as a model.
    auto model = std::make_unique<Net>();
    Net& net = *model;
    fixnet::load(net, "run.ckpt.safetensors", {.ignore_extra = true});  // last epoch's parameters
    BOOST_TEST((net.parameters() == last_epoch->parameters()));
    fixnet::load(net, "run.ckpt.safetensors",
                 {.prefix = "best.", .ignore_extra = true});   // the best parameters
    BOOST_TEST((net.parameters() == straight->parameters()));  // restore_best: the best
    auto best = std::make_unique<Net>();
    fixnet::load(*best, "best.safetensors");
    BOOST_TEST((best->parameters() == straight->parameters()));
  }
}

// An optimiser of one's own (Lion, above) with name() and for_each_state(f)
// checkpoints and resumes bit for bit, as fixnet's do; the checkpoint holds
// its state under the names it gives.
BOOST_AUTO_TEST_CASE(an_optimiser_of_ones_own_resumes_bit_for_bit) {
  static_assert(Optimizer<Lion<Net>, Net>);
  static_assert(OptimizerWithState<Lion<Net>>);
  check_exact_resume<Net, Lion<Net>>({.options = {.seed = 3}}, {.lr = 0.01f});

  const Points train = blobs(20, 1.0f, 1);
  const TempDir dir;
  TrainerOptions options = quiet({.epochs = 2, .seed = 1});
  options.checkpoint_path = dir / "lion.ckpt";
  auto net = initial<Net>();
  Trainer<Net, kBatch, Lion<Net>> trainer(options, {.lr = 0.01f});
  (void)trainer.fit(*net, train);
  const std::vector<std::byte> bytes = safetensors::read_file(options.checkpoint_path);
  const safetensors::Reader file(bytes);
  BOOST_TEST(file.contains("optimizer.exp_avg.0.weight"));
  BOOST_TEST(file.read_scalar<std::int64_t>("optimizer.step") == 2 * (60 / kBatch));
  BOOST_TEST(*file.metadata("fixnet.checkpoint.optimizer") == "Lion");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fixnet::tests
