// fixnet — plain gradient descent.
#ifndef FIXNET_GRADIENT_DESCENT_HPP
#define FIXNET_GRADIENT_DESCENT_HPP

#include "fixnet/config.hpp"

namespace fixnet {

/// theta <- theta - learning_rate * g: the update of full-batch and
/// stochastic gradient descent without momentum. Stateless, so one value
/// serves any network. Whether g is a sum or a mean over samples is the
/// caller's choice (`grads.scale(1 / B)` makes the mean).
template <Scalar T = float>
struct GradientDescent {
  T learning_rate;

  /// Applies one update. Vectorised, allocation-free.
  template <class Net>
  void step(Net& net, const typename Net::parameters_type& grads) const noexcept {
    net.parameters().add_scaled(-learning_rate, grads);
  }
};

}  // namespace fixnet

#endif  // FIXNET_GRADIENT_DESCENT_HPP
