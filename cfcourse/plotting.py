"""Small plotting helpers the training lessons share."""

from __future__ import annotations

import matplotlib.pyplot as plt


def plot_learning_curves(history, title: str, best_epoch: int | None = None):
    """Training and validation RMSE per epoch, and the learning rate if it was logged.

    ``history`` is what ``model.fit`` returns; the model must have been compiled
    with a metric named ``rmse``. ``best_epoch`` (counted from 1), if given, is marked:
    the epoch whose weights early stopping kept. Returns the figure.
    """
    logs = history.history
    epochs = range(1, len(logs["rmse"]) + 1)
    has_rate = "learning_rate" in logs
    figure, axes = plt.subplots(1, 2 if has_rate else 1, figsize=(10 if has_rate else 5.5, 3.6), squeeze=False)
    curves = axes[0, 0]
    curves.plot(epochs, logs["rmse"], "o-", label="train")
    curves.plot(epochs, logs["val_rmse"], "o-", label="validation")
    if best_epoch is not None:
        curves.axvline(best_epoch, color="grey", linestyle="--", label=f"weights kept (epoch {best_epoch})")
    curves.set(xlabel="epoch", ylabel="RMSE", title=title)
    curves.legend()
    if has_rate:
        rate = axes[0, 1]
        rate.plot(epochs, logs["learning_rate"], "o-", color="tab:green")
        rate.set(xlabel="epoch", ylabel="learning rate", title="Learning rate used in each epoch", yscale="log")
    figure.tight_layout()
    return figure
