"""Set-up that sphinx-gallery runs before and after each example (``reset_modules``)."""


def one_torch_thread(gallery_conf, fname, when):
    """Run torch on one thread while the examples execute.

    The examples use tiny models, whose time goes to per-operation overhead
    that a second thread only adds to (several times slower on a busy 2-core
    CI machine, as in tests/conftest.py).
    """
    import torch

    torch.set_num_threads(1)
