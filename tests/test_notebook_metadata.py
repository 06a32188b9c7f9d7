"""The metadata Colab reads: detected when missing, added without losing anything else."""

import copy

from course_utils.notebook_metadata import (COLAB_METADATA, ensure_colab_metadata,
                                            missing_colab_metadata)


def test_empty_metadata_lacks_every_key_and_gets_them_all():
    metadata = {}
    assert len(missing_colab_metadata(metadata)) >= 4
    ensure_colab_metadata(metadata)
    assert missing_colab_metadata(metadata) == []
    assert metadata["accelerator"] == "GPU" and metadata["colab"]["gpuType"] == "T4"


def test_wrong_values_are_reported_and_corrected():
    metadata = copy.deepcopy(COLAB_METADATA)
    metadata["accelerator"] = "TPU"
    metadata["colab"]["gpuType"] = "V28"
    assert missing_colab_metadata(metadata) == ["accelerator: 'GPU'", "colab.gpuType: 'T4'"]
    ensure_colab_metadata(metadata)
    assert missing_colab_metadata(metadata) == []


def test_other_keys_and_colab_provenance_are_kept():
    run_info = {"name": "python", "version": "3.13.1", "pygments_lexer": "ipython3"}
    metadata = {"language_info": dict(run_info), "jupytext": {"main_language": "python"},
                "colab": {"provenance": [{"file_id": "abc"}], "name": "lesson.ipynb"}}
    ensure_colab_metadata(metadata)
    assert metadata["language_info"] == run_info
    assert metadata["jupytext"] == {"main_language": "python"}
    assert metadata["colab"] == {"provenance": [{"file_id": "abc"}], "name": "lesson.ipynb",
                                 "gpuType": "T4"}


def test_ensure_does_not_share_state_between_notebooks():
    first, second = {}, {}
    ensure_colab_metadata(first)
    ensure_colab_metadata(second)
    first["colab"]["provenance"].append("x")
    assert second["colab"]["provenance"] == [] and COLAB_METADATA["colab"]["provenance"] == []
