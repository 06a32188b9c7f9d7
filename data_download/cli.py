"""``python -m data_download list | get NAME... | verify [NAME...] | path [NAME]``.

Exit code 0 on success; on failure the details go to stderr and the last line
is a one-line reason (``error: ...``) with exit code 1 (2 for usage errors).
"""

from __future__ import annotations

import argparse
import sys

from . import settings
from .errors import DatasetError
from .fetch import dataset_dir, fetch, verify_cached
from .loaders import load
from .registry import DATASETS, get_dataset


def _size(size: int | None) -> str:
    if size is None:
        return "?"
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"~{size:.0f} {unit}" if unit == "B" else f"~{size:.1f} {unit}"
        size /= 1000


def cmd_list(args) -> int:
    rows = [("name", "size", "licence", "verified by", "description")]
    for spec in DATASETS.values():
        first = spec.files[0]
        check = ("payload sha256" if first.payload_sha256 else
                 first.hash.split(":")[0] if first.hash else "structure only")
        rows.append((spec.name, _size(spec.size), spec.licence.split(" (")[0].split(";")[0],
                     check, spec.description))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[4])
    print(f"\ncache: {settings.cache_dir()}   mirror ({settings.MIRROR_VARIABLE}): "
          f"{settings.mirror() or 'not set'}")
    return 0


def cmd_get(args) -> int:
    for name in args.names:
        spec = get_dataset(name)
        folder = fetch(spec.name, progress=not args.quiet)
        summary = ""
        if spec.loader in ("idx", "cifar", "medmnist"):
            # Loading proves the files parse, not just that they hash right.
            splits = load(spec.name, progress=False)
            summary = "; ".join(
                f"{part}: x {x.shape} {x.dtype}, y {y.shape} {y.dtype}"
                for part, (x, y) in zip(("train", "test"), splits))
        print(f"{spec.name}: ok, verified in {folder}" + (f" ({summary})" if summary else ""))
    return 0


def cmd_verify(args) -> int:
    names = args.names or [n for n in DATASETS if (settings.cache_dir() / n).is_dir()]
    bad = 0
    for name in names:
        for file_name, status in verify_cached(name):
            print(f"{get_dataset(name).name}/{file_name}: {status}")
            bad += status not in ("ok", "missing")
    if not names:
        print(f"nothing cached in {settings.cache_dir()}")
    if bad:
        raise DatasetError(f"{bad} cached file(s) were corrupt and have been removed; "
                           "run `python -m data_download get NAME` to fetch them again")
    return 0


def cmd_path(args) -> int:
    print(dataset_dir(args.name) if args.name else settings.cache_dir())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m data_download", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="table of datasets with sizes and licences").set_defaults(run=cmd_list)
    get = commands.add_parser("get", help="download, verify and load datasets")
    get.add_argument("names", nargs="+", metavar="NAME")
    get.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    get.set_defaults(run=cmd_get)
    check = commands.add_parser("verify", help="re-hash cached files; remove corrupt ones")
    check.add_argument("names", nargs="*", metavar="NAME")
    check.set_defaults(run=cmd_verify)
    path = commands.add_parser("path", help="print the cache folder (or one dataset's folder)")
    path.add_argument("name", nargs="?")
    path.set_defaults(run=cmd_path)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except DatasetError as error:
        details = str(error).splitlines()[1:]
        if details:
            print("\n".join(details), file=sys.stderr)
        print(f"error: {error.reason}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted (nothing partial was kept in the cache)", file=sys.stderr)
        return 130
