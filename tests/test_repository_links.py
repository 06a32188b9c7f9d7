from course_utils import repository


def test_links_name_the_one_repository():
    slug = repository.REPOSITORY
    assert repository.colab_url("notebooks/00_environment_check.ipynb") == (
        f"https://colab.research.google.com/github/{slug}/blob/main/notebooks/00_environment_check.ipynb")
    assert repository.pip_install_target() == f"git+https://github.com/{slug}.git@main"
    assert repository.colab_badge_markdown("x.ipynb").startswith("[![Open In Colab](")
