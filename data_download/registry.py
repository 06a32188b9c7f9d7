"""The datasets the lectures name, as data: files, URLs, hashes, sizes, licences.

Nothing here runs a download.  Each file says how it is verified:

* ``payload_sha256`` / ``payload_size``: the hash and size of the *decompressed*
  content (e.g. the raw IDX file inside a .gz).  Used in preference to any
  container hash, because mirrors re-compress: every faithful copy passes.
* ``hash``: a pooch-style ``"md5:..."``/``"sha256:..."`` of the file exactly as
  published, used when no payload hash is known.
* ``hash=None`` and no payload hash: there is no published hash we can cite, and
  ``hash_note`` says so; the file is then checked for size and structure only.

Every file is also checked for structure (``check``): IDX header and length,
CIFAR record layout, MedMNIST npz keys/shapes/dtypes, archive members that stay
inside the extraction folder.  ``size`` is the approximate download size in
bytes, for the ``list`` table; it is never used to reject a file.

Tests replace entries (``DATASETS[name] = DatasetSpec(...)``) to point the same
fetch code at a loopback server.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import DatasetError


@dataclass(frozen=True)
class FileSpec:
    name: str  # file name in the cache and in a mirror: <base>/<dataset>/<name>
    urls: tuple[str, ...]  # public URLs, tried in this order
    check: str  # structure check, see verify.STRUCTURE_CHECKS
    size: int | None = None  # approximate download size in bytes
    hash: str | None = None  # "md5:..." / "sha256:..." of the file as published
    payload_sha256: str | None = None  # sha256 of the decompressed content
    payload_size: int | None = None  # exact size of the decompressed content
    hash_note: str = ""  # where the hash comes from, or why there is none
    options: dict = field(default_factory=dict, compare=False)  # check parameters


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    description: str
    files: tuple[FileSpec, ...]
    loader: str  # see loaders.LOADERS
    licence: str
    citation: str
    homepage: str
    options: dict = field(default_factory=dict, compare=False)  # loader parameters

    @property
    def size(self) -> int | None:
        sizes = [f.size for f in self.files]
        return None if any(s is None for s in sizes) else sum(sizes)


# --------------------------------------------------------------------------- #
# MNIST-format datasets.  Payload hashes: ../shared/datasets/README.md (sha256 #
# of the genuine decompressed IDX files), cross-checked against the published #
# label counts there.                                                          #
# --------------------------------------------------------------------------- #

_MNIST_BASES = (
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    # The original host often answers 403; last resort only.
    "http://yann.lecun.com/exdb/mnist/",
)
_FASHION_BASES = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",)

_IDX_NOTE = "payload sha256 of the decompressed IDX file (shared/datasets/README.md)"


def _idx_files(bases, table):
    return tuple(
        FileSpec(
            name=f"{stem}.gz",
            urls=tuple(base + f"{stem}.gz" for base in bases),
            check="idx",
            size=size,
            payload_sha256=sha256,
            payload_size=payload_size,
            hash_note=_IDX_NOTE,
        )
        for stem, size, payload_size, sha256 in table
    )


_MNIST_FILES = _idx_files(
    _MNIST_BASES,
    [
        ("train-images-idx3-ubyte", 9912422, 47040016,
         "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
        ("train-labels-idx1-ubyte", 28881, 60008,
         "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
        ("t10k-images-idx3-ubyte", 1648877, 7840016,
         "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
        ("t10k-labels-idx1-ubyte", 4542, 10008,
         "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
    ],
)

_FASHION_FILES = _idx_files(
    _FASHION_BASES,
    [
        ("train-images-idx3-ubyte", 26421880, 47040016,
         "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
        ("train-labels-idx1-ubyte", 29515, 60008,
         "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
        ("t10k-images-idx3-ubyte", 4422102, 7840016,
         "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
        ("t10k-labels-idx1-ubyte", 5148, 10008,
         "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
    ],
)

# --------------------------------------------------------------------------- #
# MedMNIST v2, 28x28 2D sets, Zenodo record 10519652 (MedMNIST v3.0 package). #
# MD5s: the ``MD5`` fields of medmnist/info.py for that record.  The older     #
# record 6496656 is a second URL where its MD5 is the same (identical bytes); #
# OrganAMNIST's MD5 changed between the records, so it has only the new one.  #
# --------------------------------------------------------------------------- #

_MEDMNIST_CITATION = (
    "Yang J, Shi R, Wei D, et al. MedMNIST v2 - A large-scale lightweight benchmark "
    "for 2D and 3D biomedical image classification. Scientific Data 10, 41 (2023)."
)
_MEDMNIST_NOTE = "md5 from medmnist/info.py (MedMNIST v3.0, Zenodo record 10519652)"

# name, md5, approximate size, channels, label columns, same bytes in the old record,
# description, licence (per dataset, as in the MedMNIST v2 paper's table and the lecture)
_MEDMNIST_TABLE = [
    ("pathmnist", "a8b06965200029087d5bd730944a56c1", 205615438, 3, 1, True,
     "Colon pathology patches (NCT-CRC-HE-100K), 9 tissue classes, RGB 28x28.", "CC BY 4.0"),
    ("chestmnist", "02c8a6516a18b556561a56cbdd36c4a8", 82_800_000, 1, 14, True,
     "Chest X-rays (NIH ChestX-ray14), 14 binary labels (multi-label), 28x28.", "CC0 1.0"),
    ("dermamnist", "0744692d530f8e62ec473284d019b0c7", 19_700_000, 3, 1, True,
     "Dermatoscopic images (HAM10000), 7 classes, RGB 28x28.", "CC BY-NC 4.0"),
    ("octmnist", "c68d92d5b585d8d81f7112f81e2d0842", 54_900_000, 1, 1, True,
     "Retinal OCT scans, 4 classes, 28x28.", "CC BY 4.0"),
    ("pneumoniamnist", "28209eda62fecd6e6a2d98b1501bb15f", 4_200_000, 1, 1, True,
     "Paediatric chest X-rays, pneumonia vs normal, 28x28.", "CC BY 4.0"),
    ("bloodmnist", "7053d0359d879ad8a5505303e11de1dc", 35_500_000, 3, 1, True,
     "Blood cell microscopy, 8 classes, RGB 28x28.", "CC BY 4.0"),
    ("breastmnist", "750601b1f35ba3300ea97c75c52ff8f6", 560_000, 1, 1, True,
     "Breast ultrasound, malignant vs normal/benign, 28x28.", "CC BY 4.0"),
    ("organamnist", "68e3f8846a6bd62f0c9bf841c0d9eacc", 38_200_000, 1, 1, False,
     "Abdominal CT, axial slices, 11 organ classes, 28x28.", "CC BY 4.0"),
]


def _medmnist(name, md5, size, channels, label_columns, same_in_old_record, description, licence):
    urls = [f"https://zenodo.org/records/10519652/files/{name}.npz?download=1"]
    if same_in_old_record:
        urls.append(f"https://zenodo.org/records/6496656/files/{name}.npz?download=1")
    return DatasetSpec(
        name=name,
        description=f"MedMNIST v2: {description}",
        files=(
            FileSpec(
                name=f"{name}.npz",
                urls=tuple(urls),
                check="medmnist-npz",
                size=size,
                hash=f"md5:{md5}",
                hash_note=_MEDMNIST_NOTE,
                options={"channels": channels, "label_columns": label_columns},
            ),
        ),
        loader="medmnist",
        licence=licence,
        citation=_MEDMNIST_CITATION,
        homepage="https://medmnist.com/",
        options={"channels": channels, "label_columns": label_columns},
    )


_NO_HASH = "no published hash from a source we can cite: checked for structure only"

DATASETS: dict[str, DatasetSpec] = {}


def _add(spec: DatasetSpec) -> None:
    DATASETS[spec.name] = spec


_add(DatasetSpec(
    name="mnist",
    description="Handwritten digits, 60,000 train + 10,000 test, 28x28 grey, 10 classes.",
    files=_MNIST_FILES,
    loader="idx",
    licence="CC BY-SA 3.0",
    citation="LeCun Y, Bottou L, Bengio Y, Haffner P. Gradient-based learning applied to "
    "document recognition. Proc. IEEE 86(11), 1998. (The MNIST database, LeCun, Cortes, Burges.)",
    homepage="http://yann.lecun.com/exdb/mnist/",
))
_add(DatasetSpec(
    name="fashion-mnist",
    description="Zalando clothing images, 60,000 train + 10,000 test, 28x28 grey, 10 classes.",
    files=_FASHION_FILES,
    loader="idx",
    licence="MIT",
    citation="Xiao H, Rasul K, Vollgraf R. Fashion-MNIST: a Novel Image Dataset for "
    "Benchmarking Machine Learning Algorithms. arXiv:1708.07747, 2017.",
    homepage="https://github.com/zalandoresearch/fashion-mnist",
))

_CIFAR_CITATION = (
    "Krizhevsky A. Learning Multiple Layers of Features from Tiny Images. "
    "Technical report, University of Toronto, 2009."
)
_CIFAR_LICENCE = "no formal licence; the authors ask that you cite the tech report"
_CIFAR_NOTE = "md5 of the archive as published on the CIFAR page (cs.toronto.edu/~kriz/cifar.html)"

_add(DatasetSpec(
    name="cifar10",
    description="Tiny colour photos, 50,000 train + 10,000 test, 32x32 RGB, 10 classes "
    "(binary version: no pickle).",
    files=(FileSpec(
        name="cifar-10-binary.tar.gz",
        urls=("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",),
        check="cifar-binary",
        size=170052171,
        hash="md5:c32a1d4ab5d03f1284b67883e8d87530",
        hash_note=_CIFAR_NOTE,
        options={"label_bytes": 1, "members": {
            **{f"cifar-10-batches-bin/data_batch_{i}.bin": 10000 for i in range(1, 6)},
            "cifar-10-batches-bin/test_batch.bin": 10000,
        }},
    ),),
    loader="cifar",
    licence=_CIFAR_LICENCE,
    citation=_CIFAR_CITATION,
    homepage="https://www.cs.toronto.edu/~kriz/cifar.html",
    options={"label_bytes": 1, "label_index": 0,
             "train": [f"cifar-10-batches-bin/data_batch_{i}.bin" for i in range(1, 6)],
             "test": ["cifar-10-batches-bin/test_batch.bin"]},
))
_add(DatasetSpec(
    name="cifar100",
    description="Tiny colour photos, 50,000 train + 10,000 test, 32x32 RGB, 100 fine classes "
    "(binary version: no pickle).",
    files=(FileSpec(
        name="cifar-100-binary.tar.gz",
        urls=("https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz",),
        check="cifar-binary",
        size=168_500_000,
        hash="md5:03b5dce01913d631647c71ecec9e9cb8",
        hash_note=_CIFAR_NOTE,
        options={"label_bytes": 2, "members": {
            "cifar-100-binary/train.bin": 50000,
            "cifar-100-binary/test.bin": 10000,
        }},
    ),),
    loader="cifar",
    licence=_CIFAR_LICENCE,
    citation=_CIFAR_CITATION,
    homepage="https://www.cs.toronto.edu/~kriz/cifar.html",
    # Each record is <coarse label><fine label><3072 pixels>; we return fine labels.
    options={"label_bytes": 2, "label_index": 1,
             "train": ["cifar-100-binary/train.bin"], "test": ["cifar-100-binary/test.bin"]},
))

for _row in _MEDMNIST_TABLE:
    _add(_medmnist(*_row))

_add(DatasetSpec(
    name="tiny-imagenet-200",
    description="Tiny-ImageNet: 200 ImageNet classes, 100,000 train + 10,000 val JPEGs, 64x64 RGB.",
    files=(FileSpec(
        name="tiny-imagenet-200.zip",
        urls=("http://cs231n.stanford.edu/tiny-imagenet-200.zip",),
        check="archive",
        size=248_000_000,
        hash="md5:90528d7ca1a48142e341f4ef8d21d0de",
        hash_note="md5 used by common Tiny-ImageNet loaders (not published by Stanford)",
        options={"required": ["tiny-imagenet-200/wnids.txt",
                              "tiny-imagenet-200/val/val_annotations.txt"]},
    ),),
    loader="tiny-imagenet",
    licence="ImageNet terms of access (non-commercial research and education only)",
    citation="Le Y, Yang X. Tiny ImageNet Visual Recognition Challenge. CS231N, Stanford, 2015.",
    homepage="http://cs231n.stanford.edu/",
    options={"root": "tiny-imagenet-200"},
))

_IMAGENETTE_CITATION = "Howard J. Imagenette and Imagewoof. https://github.com/fastai/imagenette, 2019."
_IMAGENETTE_LICENCE = "Apache-2.0 (the images remain under the ImageNet terms of access)"
_add(DatasetSpec(
    name="imagenette",
    description="Imagenette 160px: 10 easy ImageNet classes, ~9,500 train + ~3,900 val JPEGs.",
    files=(FileSpec(
        name="imagenette2-160.tgz",
        urls=("https://s3.amazonaws.com/fast-ai-imageclas/imagenette2-160.tgz",),
        check="archive",
        size=99_000_000,
        hash="md5:e793b78cc4c9e9a4ccc0c1155377a412",
        hash_note="md5 pinned by torchvision.datasets.Imagenette (160px)",
        options={"required": ["imagenette2-160/train/", "imagenette2-160/val/"]},
    ),),
    loader="image-folder",
    licence=_IMAGENETTE_LICENCE,
    citation=_IMAGENETTE_CITATION,
    homepage="https://github.com/fastai/imagenette",
    options={"root": "imagenette2-160"},
))
_add(DatasetSpec(
    name="imagewoof",
    description="Imagewoof 160px: 10 hard-to-tell dog breeds from ImageNet, ~9,000 train + ~3,900 val JPEGs.",
    files=(FileSpec(
        name="imagewoof2-160.tgz",
        urls=("https://s3.amazonaws.com/fast-ai-imageclas/imagewoof2-160.tgz",),
        check="archive",
        size=92_600_000,
        hash=None,
        hash_note=_NO_HASH,
        options={"required": ["imagewoof2-160/train/", "imagewoof2-160/val/"]},
    ),),
    loader="image-folder",
    licence=_IMAGENETTE_LICENCE,
    citation=_IMAGENETTE_CITATION,
    homepage="https://github.com/fastai/imagenette",
    options={"root": "imagewoof2-160"},
))

_PET_NOTE = "md5 pinned by torchvision.datasets.OxfordIIITPet"
_add(DatasetSpec(
    name="oxford-iiit-pet",
    description="Oxford-IIIT Pet: 7,349 photos of 37 cat and dog breeds with trimap masks (for U-Net).",
    files=(
        FileSpec(
            name="images.tar.gz",
            urls=("https://thor.robots.ox.ac.uk/datasets/pets/images.tar.gz",
                  "https://www.robots.ox.ac.uk/~vgg/data/pets/data/images.tar.gz"),
            check="archive",
            size=791918971,
            hash="md5:5c4f3ee8e5d25df40f4fd59a7f44e54c",
            hash_note=_PET_NOTE,
            options={"required": ["images/"]},
        ),
        FileSpec(
            name="annotations.tar.gz",
            urls=("https://thor.robots.ox.ac.uk/datasets/pets/annotations.tar.gz",
                  "https://www.robots.ox.ac.uk/~vgg/data/pets/data/annotations.tar.gz"),
            check="archive",
            size=19_200_000,
            hash="md5:95a8c909bbe2e81eed6a22bccdf3f68f",
            hash_note=_PET_NOTE,
            options={"required": ["annotations/trainval.txt", "annotations/test.txt",
                                  "annotations/trimaps/"]},
        ),
    ),
    loader="oxford-pet",
    licence="CC BY-SA 4.0",
    citation="Parkhi OM, Vedaldi A, Zisserman A, Jawahar CV. Cats and Dogs. CVPR 2012.",
    homepage="https://www.robots.ox.ac.uk/~vgg/data/pets/",
))


def dataset_names() -> list[str]:
    """The valid dataset names, in registry order."""
    return list(DATASETS)


def get_dataset(name: str) -> DatasetSpec:
    """The registry entry for ``name``; a DatasetError listing valid names otherwise."""
    key = str(name).strip().lower().replace("_", "-")
    if key in DATASETS:
        return DATASETS[key]
    raise DatasetError(
        f"Unknown dataset {name!r}. Valid names: {', '.join(dataset_names())}."
    )
