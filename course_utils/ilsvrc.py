"""The ImageNet challenge (ILSVRC) classification results the lectures show, as data.

Top-5 error on the ILSVRC test set: the fraction of images whose true class is not
among the network's five best guesses (1000 classes). Sources:

* 2010-2014: Russakovsky et al., "ImageNet Large Scale Visual Recognition Challenge",
  IJCV 115 (2015), Table 6 / Figure 9 (winners and runners-up, top-5 classification error,
  entries trained without outside data).
* 2015: He, Zhang, Ren and Sun, "Deep Residual Learning for Image Recognition",
  CVPR 2016 (arXiv:1512.03385), Table 5: 3.57 % (an ensemble; ILSVRC 2015 winner).
* Inception-v4: Szegedy, Ioffe, Vanhoucke and Alemi, "Inception-v4, Inception-ResNet and
  the Impact of Residual Connections on Learning", AAAI 2017 (arXiv:1602.07261): 3.08 %
  on the test set, an ensemble; a paper result of 2016, not a challenge entry.
* Human: Russakovsky et al. 2015, section 6.4 (and A. Karpathy, "What I learned from
  competing against a ConvNet on ImageNet", 2014): 5.1 % for a trained annotator on 1500
  test images.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    year: int
    name: str          # the network, as the lectures name it
    team: str          # the entry's team name
    top5_error: float  # percent
    convolutional: bool
    note: str = ""


RESULTS = (
    Result(2010, "NEC-UIUC", "NEC-UIUC", 28.2, False, "winner; hand-made features + linear SVMs"),
    Result(2011, "XRCE", "XRCE", 25.8, False, "winner; Fisher vectors"),
    Result(2012, "runner-up (ISI)", "ISI", 26.2, False, "runner-up of 2012"),
    Result(2012, "AlexNet", "SuperVision", 16.4, True, "winner"),
    Result(2013, "ZF Net", "Clarifai", 11.7, True, "winner"),
    Result(2014, "VGG", "VGG", 7.3, True, "runner-up"),
    Result(2014, "GoogLeNet", "GoogLeNet", 6.7, True, "winner"),
    Result(2015, "ResNet", "MSRA", 3.57, True, "winner"),
    Result(2016, "Inception-v4", "(paper)", 3.08, True, "paper result, not a challenge entry"),
)

HUMAN_TOP5_ERROR = 5.1


def winners() -> list[Result]:
    """The best result of each year, in order of year."""
    best: dict[int, Result] = {}
    for result in RESULTS:
        if result.year not in best or result.top5_error < best[result.year].top5_error:
            best[result.year] = result
    return [best[year] for year in sorted(best)]


def first_below_human() -> Result:
    """The first result (by year) with a lower top-5 error than the human annotator."""
    return next(result for result in winners() if result.top5_error < HUMAN_TOP5_ERROR)
