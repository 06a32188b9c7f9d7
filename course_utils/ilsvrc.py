"""The ImageNet challenge (ILSVRC) classification results the lectures show, as data.

Top-5 error on the ILSVRC test set: the fraction of images whose true class is not
among the network's five best guesses (1000 classes). Sources:

* 2010-2014: Russakovsky et al., "ImageNet Large Scale Visual Recognition Challenge",
  IJCV 115 (2015), Table 6 / Figure 9 (winners and runners-up, top-5 classification error,
  entries trained without outside data).
* 2015: He, Zhang, Ren and Sun, "Deep Residual Learning for Image Recognition",
  CVPR 2016 (arXiv:1512.03385), Table 5: 3.57 % (an ensemble; ILSVRC 2015 winner).
* 2016 winner: Trimps-Soushen, 2.99 % (ILSVRC 2016 results page, image-net.org; an
  ensemble of Inception, Inception-ResNet, ResNet and Wide ResNet models).
* Paper results (published, not challenge entries): PReLU-net, He et al., "Delving Deep
  into Rectifiers", ICCV 2015 (arXiv:1502.01852): 4.94 %; BN-Inception, Ioffe and
  Szegedy, "Batch Normalization", ICML 2015 (arXiv:1502.03167): 4.82 %; Inception-v4,
  Szegedy, Ioffe, Vanhoucke and Alemi, AAAI 2017 (arXiv:1602.07261): 3.08 %. All three are
  ensembles evaluated on the test set, like the challenge entries.
* AlexNet: Krizhevsky, Sutskever and Hinton 2012, Table 2: 16.4 % for the entry trained on
  the challenge's data only (five CNNs averaged), 15.3 % for the entry that also
  pre-trained on the whole Fall 2011 ImageNet release (extra data).
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
    kind: str = "challenge"  # "challenge": an ILSVRC entry; "paper": a published result


RESULTS = (
    Result(2010, "NEC-UIUC", "NEC-UIUC", 28.2, False, "winner; hand-made features + linear SVMs"),
    Result(2011, "XRCE", "XRCE", 25.8, False, "winner; Fisher vectors"),
    Result(2012, "runner-up (ISI)", "ISI", 26.2, False, "runner-up of 2012"),
    Result(2012, "AlexNet", "SuperVision", 16.4, True, "winner (challenge data only)"),
    Result(2012, "AlexNet + extra data", "SuperVision", 15.3, True,
           "winning team's other entry: pre-trained on all of ImageNet Fall 2011", kind="extra data"),
    Result(2013, "ZF Net", "Clarifai", 11.7, True, "winner"),
    Result(2014, "VGG", "VGG", 7.3, True, "runner-up"),
    Result(2014, "GoogLeNet", "GoogLeNet", 6.7, True, "winner"),
    Result(2015, "ResNet", "MSRA", 3.57, True, "winner"),
    Result(2015, "PReLU-net", "(paper)", 4.94, True, "paper result (February 2015)", kind="paper"),
    Result(2015, "BN-Inception", "(paper)", 4.82, True, "paper result (February 2015)", kind="paper"),
    Result(2016, "Trimps-Soushen", "Trimps-Soushen", 2.99, True, "winner; an ensemble of known models"),
    Result(2016, "Inception-v4", "(paper)", 3.08, True, "paper result, not a challenge entry",
           kind="paper"),
)

HUMAN_TOP5_ERROR = 5.1


def winners() -> list[Result]:
    """The best challenge entry of each year (challenge data only), in order of year."""
    best: dict[int, Result] = {}
    for result in challenge_entries():
        if result.year not in best or result.top5_error < best[result.year].top5_error:
            best[result.year] = result
    return [best[year] for year in sorted(best)]


def challenge_entries() -> list[Result]:
    """ILSVRC entries trained on the challenge's data only, as the winners are ranked."""
    return [result for result in RESULTS if result.kind == "challenge"]


def paper_results() -> list[Result]:
    """Results published in papers, not entered in the challenge."""
    return [result for result in RESULTS if result.kind == "paper"]


def first_below_human(kind: str = "challenge") -> Result:
    """The first result of ``kind`` ("challenge" or "paper"), by year and then by order of
    publication, with a lower top-5 error than the human annotator."""
    candidates = winners() if kind == "challenge" else paper_results()
    return next(result for result in candidates if result.top5_error < HUMAN_TOP5_ERROR)
