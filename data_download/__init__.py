"""Verified dataset downloads for the CNN course.

    from data_download import load, fetch, dataset_names, DatasetError
    (x_train, y_train), (x_test, y_test) = load("mnist", subset=1000)

Sources, in order: the cache (``CNN_COURSE_DATA_DIR``, default
``pooch.os_cache("cnn-course")``), the mirror ``CNN_COURSE_DATA_MIRROR`` (a
folder or http(s) base URL laid out as ``<base>/<dataset>/<file>``), then the
public URLs.  Every file is verified before it enters the cache; a cached file that
later fails to decode is re-hashed and, if damaged, fetched again.  A failure that
may pass (HTTP 5xx, a cut or refused connection, a timeout) is retried with backoff;
``load(name, timeout=..., retries=...)`` sets the patience for one call.  Any failure
raises DatasetError with what was tried and how to fix it.

Command line: ``python -m data_download list | get NAME... | verify | path``.
"""

from .errors import DatasetError
from .fetch import dataset_dir, fetch, verify_cached
from .loaders import class_names, load
from .registry import DATASETS, dataset_names, get_dataset
from .settings import CACHE_VARIABLE, MIRROR_VARIABLE, cache_dir

__all__ = [
    "DatasetError", "load", "fetch", "dataset_names", "get_dataset", "class_names",
    "dataset_dir", "verify_cached", "cache_dir", "DATASETS", "CACHE_VARIABLE", "MIRROR_VARIABLE",
]
