"""Explorer controls: released-value updates and full, readable labels."""

import ipywidgets

from course_utils.widgets import prepare_controls, readable_label


def test_controls_update_on_release_and_get_readable_labels():
    controls = prepare_controls({
        "hidden_units": ipywidgets.IntSlider(value=8, min=1, max=16),
        "learning_rate": ipywidgets.SelectionSlider(options=[0.1, 0.5, 1.0], value=0.5,
                                                    description="learning rate"),
        "dataset": ipywidgets.Dropdown(options=["moons", "circles"]),
    })
    assert controls["hidden_units"].continuous_update is False
    assert controls["learning_rate"].continuous_update is False
    assert controls["hidden_units"].description == "hidden units"
    assert controls["learning_rate"].description == "learning rate"  # a given label is kept
    assert controls["learning_rate"].value == 0.5  # not snapped to a grid
    assert all(control.style.description_width == "initial" for control in controls.values())


def test_readable_label():
    assert readable_label("image_name") == "image name"
