"""Adversarial training on word embeddings (FGM, PGD) as a skorch callback.

After skorch's forward-backward pass on a batch, the callback perturbs the
output of the word-embedding layer along the gradient of the loss, runs the
batch again through the perturbed embeddings and adds that loss's gradients
before the optimizer steps: the model is trained on the clean batch and on its
worst case within a small ball around it. No second training loop: skorch's
``on_grad_computed`` hook sits exactly between ``backward`` and ``step``.

- FGM (Miyato et al., ICLR 2017): one step of size ``epsilon`` along the
  gradient, normalised per text. Costs 2 forward-backward passes per batch.
- PGD (Madry et al., ICLR 2018): ``steps`` ascent steps of ``epsilon / steps``,
  each projected back onto the ``epsilon`` ball; only the last step's loss
  trains the model. Costs ``steps + 1`` forward-backward passes per batch.

Perturbing the layer's output (not its weight matrix) works when the embeddings
are frozen, and perturbs each occurrence of a word on its own.
"""

import torch
from skorch.callbacks import Callback

from ._accelerate import backward, bare_module


def _per_text_unit(gradient):
    """The gradient divided by its L2 norm over each text's tokens and features."""
    norms = gradient.flatten(1).norm(dim=1).clamp_min(1e-12)
    return gradient / norms.view(-1, *([1] * (gradient.dim() - 1)))


def _project(delta, epsilon):
    """Scale each text's perturbation back into the L2 ball of radius ``epsilon``."""
    norms = delta.flatten(1).norm(dim=1).clamp_min(1e-12)
    factor = (epsilon / norms).clamp(max=1.0)
    return delta * factor.view(-1, *([1] * (delta.dim() - 1)))


class AdversarialTraining(Callback):
    """Add the loss on adversarially perturbed word embeddings to every training batch.

    Parameters
    ----------
    method : {"fgm", "pgd"}
    epsilon : float
        L2 norm of the perturbation of each text's embeddings.
    steps : int
        PGD's number of ascent steps (ignored by FGM).
    """

    def __init__(self, method="fgm", epsilon=1.0, steps=3):
        self.method = method
        self.epsilon = epsilon
        self.steps = steps

    def on_train_begin(self, net, **kwargs):
        self._delta = None
        self._embedded = None
        embeddings = bare_module(net).encoder.get_input_embeddings()
        self._hook = embeddings.register_forward_hook(self._perturb)

    def on_train_end(self, net, **kwargs):
        self._hook.remove()
        self._hook = self._delta = self._embedded = None

    def _perturb(self, module, inputs, output):
        """Keep the embedding output's gradient, and add the current perturbation."""
        if not module.training:
            return None
        if self._delta is not None:
            output = output + self._delta
        elif not output.requires_grad:  # frozen embeddings: a leaf to get a gradient
            output = output.detach().requires_grad_(True)
        if output.requires_grad:
            output.retain_grad()
        self._embedded = output
        return output

    def _adversarial_loss(self, net, batch):
        X, y = batch
        y_pred = net.infer(X)
        return net.get_loss(y_pred, y, X=X, training=True)

    def on_grad_computed(self, net, named_parameters, batch, training, **kwargs):
        if not training:
            return
        gradient = self._embedded.grad
        if gradient is None:  # nothing upstream of the embeddings is trained
            return
        if self.method == "fgm":
            self._delta = self.epsilon * _per_text_unit(gradient.detach())
            backward(net, self._adversarial_loss(net, batch))
        else:
            self._pgd(net, batch, gradient.detach())
        self._delta = self._embedded = None

    def _pgd(self, net, batch, gradient):
        parameters = [p for p in net.module_.parameters() if p.requires_grad]
        clean_grads = [None if p.grad is None else p.grad.clone() for p in parameters]
        step_size = self.epsilon / self.steps
        delta = torch.zeros_like(gradient)
        for step in range(self.steps):
            delta = _project(delta + step_size * _per_text_unit(gradient), self.epsilon)
            self._delta = delta
            last = step == self.steps - 1
            if last:  # the parameters get the clean gradients plus the final adversarial ones
                for parameter, grad in zip(parameters, clean_grads):
                    parameter.grad = grad
            else:
                for parameter in parameters:
                    parameter.grad = None
            backward(net, self._adversarial_loss(net, batch))
            if not last:
                gradient = self._embedded.grad.detach()
