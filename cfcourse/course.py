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

#: Each lesson's parameters, as its ``parameters`` cell names them (a test keeps the two equal).
LESSON_PARAMETERS = {
    "00_download": ("dataset", "data_dir", "mirror", "accept_new_edition"),
    "01_preprocessing": ("dataset", "data_dir", "split", "split_seed", "val_fraction", "test_fraction"),
    "02_dot_product": ("dataset", "data_dir", "run", "n_factors", "l2", "learning_rate", "epochs", "batch_size",
                       "patience", "seed"),
    "03_bias": ("dataset", "data_dir", "run", "n_factors", "l2", "learning_rate", "epochs", "batch_size", "patience",
                "seed"),
    "04_neural_net": ("dataset", "data_dir", "run", "n_factors", "l2", "dropout_embeddings", "hidden_units",
                      "dropout_hidden", "learning_rate", "epochs", "batch_size", "patience", "seed"),
    "05_inspect_embeddings": ("dataset", "data_dir", "run", "min_ratings", "query_movie", "user_id", "n_top"),
    "06_evaluate_recommendations": ("dataset", "data_dir", "run", "k", "threshold", "seed", "max_users"),
    "07_train_for_the_list": ("dataset", "data_dir", "run", "k", "threshold", "seed", "max_users", "embedding_size",
                              "max_epochs", "list_learning_rate", "ease_min_ratings", "refit", "my_ratings"),
}

#: Lessons whose cells marked ``#@save`` hold code a later lesson imports, and the package module generated from
#: them (d2l's single-source way) by scripts/maintainers/generate_saved_code.py.
SAVED_CODE = {"02_dot_product": "cfcourse/training.py", "06_evaluate_recommendations": "cfcourse/protocol.py"}

#: The trained models in lesson order, as their metrics and model files name them.
MODELS = ["dot_product", "bias", "neural_net"]

#: The ranking models lesson 07 trains and judges on lesson 06's protocol (not saved as ``.keras`` files).
LIST_MODELS = ["bpr", "two_tower", "ease"]

#: The Jupyter kernel the lessons run on: ``make setup`` registers it inside ``.venv``, pointing at
#: the course's own Python, and every notebook's metadata names it.
KERNEL_NAME = "cf-course"
#: How Jupyter lists that kernel; the same for every supported Python, so the notebooks' metadata never changes.
KERNEL_DISPLAY_NAME = "Python 3 (cf-course)"
