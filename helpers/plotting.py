"""Plotting helpers shared by the notebooks: each takes optional axes and returns the figure.

Every plot gets a title, labelled axes (with units) and, where useful, a
reference line, so a student can see at a glance what to notice.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator


def _axes(ax, figsize):
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return ax.figure, ax


def bar_log_scale(values, threshold=None, title="", xlabel="", ax=None):
    """Horizontal bars of positive numbers on a log axis, with an optional dashed threshold.

    Parameters
    ----------
    values : dict label -> positive float
    threshold : float, optional   drawn as a dashed vertical line
    """
    fig, ax = _axes(ax, (7, 0.3 * len(values) + 1.2))
    labels = list(values)
    numbers = np.maximum([values[k] for k in labels], 1e-18)  # log axis: keep zeros drawable
    ax.barh(labels, numbers, color="tab:blue")
    ax.set_xscale("log")
    if threshold is not None:
        ax.axvline(threshold, color="tab:red", linestyle="--", label=f"threshold {threshold:.0e}")
        ax.legend(loc="lower right")
    ax.invert_yaxis()
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    fig.tight_layout()
    return fig


def training_curve(steps, values, title="", xlabel="iteration", ylabel="loss (nats)", label=None, ax=None):
    """Line plot of a training curve; call again with the same `ax` to overlay another curve.

    Integer steps (iterations, epochs) get integer ticks only: a run of two epochs has no epoch 1.4.
    """
    fig, ax = _axes(ax, (7, 4))
    ax.plot(steps, values, label=label)
    if np.issubdtype(np.asarray(steps).dtype, np.integer):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    if label is not None:
        ax.legend()
    fig.tight_layout()
    return fig


def compare_bars(values, title="", ylabel="", reference=None, reference_label=None, ax=None):
    """Vertical bars comparing a few named numbers, each annotated with its value.

    Parameters
    ----------
    values : dict label -> float
    reference : float, optional   a dashed horizontal line (e.g. a uniform-guess baseline)
    """
    fig, ax = _axes(ax, (6, 4))
    labels = list(values)
    heights = [values[k] for k in labels]
    bars = ax.bar(labels, heights, color=plt.cm.tab10.colors[: len(labels)])
    for bar, height in zip(bars, heights):
        ax.annotate(f"{height:.3f}", (bar.get_x() + bar.get_width() / 2, height),
                    ha="center", va="bottom")
    if reference is not None:
        ax.axhline(reference, color="gray", linestyle="--", label=reference_label)
        ax.set_ylim(top=1.2 * max(reference, max(heights)))  # room for the legend above the line
        ax.legend(loc="upper right")
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    fig.tight_layout()
    return fig


def lines_log_scale(x, series, title="", xlabel="", ylabel="", ax=None):
    """Several curves over the same x on a log y-axis (e.g. gradient norms that vanish or explode).

    Parameters
    ----------
    x : array (n,)
    series : dict label -> array (n,) of positive numbers (zeros are drawn at 1e-300)
    """
    fig, ax = _axes(ax, (7, 4))
    for label, values in series.items():
        ax.plot(x, np.maximum(np.asarray(values, dtype=float), 1e-300), marker=".", label=label)
    ax.set_yscale("log")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    fig.tight_layout()
    return fig
