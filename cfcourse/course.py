"""The course's lessons, in the order they run, and the models they train.

The course runner, the benchmark and the tests all read these lists, so a new
lesson or model is added here once.
"""

from cfcourse.paths import REPOSITORY_ROOT

NOTEBOOKS_DIR = REPOSITORY_ROOT / "notebooks"

#: Notebook names (without ``.ipynb``) in running order: each one reads what the ones before it wrote.
LESSONS = [
    "00_download",
    "01_preprocessing",
    "02_dot_product",
    "03_bias",
    "04_neural_net",
    "05_inspect_embeddings",
    "06_evaluate_recommendations",
    "07_train_for_the_list",
]

#: The trained models in lesson order, as their metrics and model files name them.
MODELS = ["dot_product", "bias", "neural_net"]

#: The ranking models lesson 07 trains and judges on lesson 06's protocol (not saved as ``.keras`` files).
LIST_MODELS = ["bpr", "two_tower", "ease"]

#: The Jupyter kernel the lessons run on: ``make setup`` registers it inside ``.venv``, pointing at
#: the course's own Python, and every notebook's metadata names it.
KERNEL_NAME = "cf-course"
#: How Jupyter lists that kernel; the same for every supported Python, so the notebooks' metadata never changes.
KERNEL_DISPLAY_NAME = "Python 3 (cf-course)"
