"""The course's lessons: one record each, in the order they run. The only place that names a lesson.

Everything else reads these records: ``lesson.start`` (parameters, what a lesson reads, its set-up step,
which changes make an experiment), ``run.finish``/``run.save_results``/``run.read_results`` (what a lesson
writes), the published figures (:mod:`cfcourse.published` checks runs against ``Lesson.trains``), the
exercise registry (``Lesson.exercises``), the saved-code generator (``Lesson.saved_code``), the course
runner, the benchmarks, the settings search and the tests.

Adding a lesson means: its notebook in ``notebooks/``, its :class:`Lesson` record in :data:`COURSE` at the
place it runs, and its exercises module; nothing more (docs/maintainers.md, "Adding a lesson").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cfcourse.paths import LIST_RANKING_FILE, RANKING_FILE, REPOSITORY_ROOT

NOTEBOOKS_DIR = REPOSITORY_ROOT / "notebooks"

#: What a lesson may write for the lessons after it, besides a trained model and a results file.
RAW = "raw"  # the downloaded files of the dataset
PROCESSED = "processed"  # the processed folder: ratings with their split, movies, users

#: Set-up steps ``lesson.start`` takes once the data is loaded, as a lesson's record names them.
PLAN_TRAINING = "plan training"  # a rating model's training plan (``run.plan``)
PLAN_NETWORK_TRAINING = "plan a network's training"  # the same, for a network (its own penalty scale)
QUERY_MOVIE = "check the query movie"  # lesson 05's ``query_movie`` and ``user_id`` against the data
SAMPLE_USERS = "sample users"  # a seeded sample of users where the data is large (``Lesson.most_train_ratings``)


@dataclass(frozen=True)
class PublishedLesson:
    """One training lesson as published: the model it saves, its parameters, its test RMSE by dataset.

    The committed notebook holds one run with exactly these parameters (a test keeps them equal to its
    ``parameters`` cell); :mod:`cfcourse.published` compares a learner's run with it."""

    model: str
    parameters: dict
    test_rmse: dict[str, float]
    #: The validation RMSE of the published run, and how far validation RMSE moves with the seed alone
    #: (the spread over seeds 1-4 and 42, measured once with the published parameters): an experiment
    #: is compared on validation, where settings are chosen, within that noise.
    val_rmse: dict[str, float] = field(default_factory=dict)
    seed_spread: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Lesson:
    """One lesson: what it is called, what it reads and writes, what it is checked against, where its
    exercises are. Only ``name``, ``title`` and ``parameters`` are needed; the rest say what it does."""

    #: The notebook's name without ``.ipynb``; its first two digits are the lesson's number.
    name: str
    #: The notebook's title, after "Lesson N — " (a test keeps it equal to the notebook's first heading).
    title: str
    #: The parameters its ``parameters`` cell sets, in order (a test keeps the two equal); each value is
    #: checked by its rule in :mod:`cfcourse.parameters` (``RULES``, by the parameter's name), or in ``rules``.
    parameters: tuple[str, ...]
    #: The rules of parameters of its own that ``cfcourse.parameters.RULES`` does not have: name -> (what is
    #: allowed, in words; a function that says whether a value is).
    rules: dict = field(default_factory=dict)
    #: The earlier lessons whose outputs it needs (:data:`RAW`, :data:`PROCESSED`, a trained model): ``lesson.start``
    #: stops, naming the lesson to run, while one is missing. A lesson reading :data:`PROCESSED` gets ``run.data``.
    reads: tuple[str, ...] = ()
    #: Earlier lessons whose results it reads where they exist (``run.read_results``), and does without.
    reads_if_there: tuple[str, ...] = ()
    #: What it writes for later lessons besides a model or a results file: :data:`RAW` or :data:`PROCESSED`.
    writes: str | None = None
    #: The model it trains and its published figures: it ends with ``run.finish(model, ...)``.
    trains: PublishedLesson | None = None
    #: The file name of its results in the run's metrics folder: it ends with ``run.save_results(record)``.
    results: str | None = None
    #: Its own settings as published, besides a trained model's parameters (lesson 06's protocol, lesson 07's
    #: training): another value of one makes an experiment, a run of its own.
    settings: dict = field(default_factory=dict)
    #: The lesson whose settings it judges with (lesson 07 judges on lesson 06's protocol): changing those makes
    #: an experiment too.
    judged_as: str | None = None
    #: The set-up steps ``lesson.start`` takes for it after loading the data (:data:`PLAN_TRAINING`, ...).
    set_up: tuple[str, ...] = ()
    #: With :data:`SAMPLE_USERS`: past this many train ratings it learns from a seeded sample of users whose train
    #: ratings total this many (``None``: the course's limit, ``cfcourse.training_plan.LIST_TRAINING_RATINGS``).
    most_train_ratings: int | None = None
    #: Whether the course's notebook reads the models of the run it is told (``run``) and never the course's in
    #: their place (lesson 05 inspects one model); a learner's own copy falls back like any lesson.
    models_of_its_run: bool = False
    #: The package module generated from its cells marked ``#@save`` (scripts/maintainers/generate_saved_code.py).
    saved_code: str | None = None
    #: Its exercises' module in :mod:`cfcourse.exercises` (a list ``EXERCISES``), if it has exercises.
    exercises: str | None = None
    #: Candidate changes to its published settings for scripts/maintainers/search_settings.py (``{}`` first).
    search_candidates: tuple[dict, ...] = ()

    @property
    def number(self) -> str:
        """``"02"``: what an exercise id starts with, and what ``--lesson 02`` means."""
        return self.name.split("_", 1)[0]

    @property
    def notebook(self):
        return NOTEBOOKS_DIR / f"{self.name}.ipynb"


#: Lesson 06's protocol as published: the course's own ``ranking.json`` is made with these values.
RANKING_PROTOCOL = dict(k=10, threshold=4.0, seed=42, max_users=2000)

#: Lesson 07's own settings as published: its ranking models' sizes and training, EASE's catalogue and the
#: learner's ratings (the protocol is lesson 06's, above). Other values make an experiment, as for lesson 06.
LIST_TRAINING = dict(embedding_size=64, max_epochs=8, list_learning_rate=5e-3, ease_min_ratings=10, refit=False)

#: Lesson 08's own settings as published: its next-movie model's size and training (the protocol is lesson 06's).
SEQUENCE_TRAINING = dict(sequence_length=30, embedding_size=48, max_epochs=8, learning_rate=5e-3, min_ratings=20)

_RATING_TRAINING = ("learning_rate", "epochs", "batch_size", "patience", "seed")

#: The course, in running order: each lesson reads only what the ones before it wrote.
COURSE: tuple[Lesson, ...] = (
    Lesson("00_download", "Getting the MovieLens data",
           ("dataset", "data_dir", "mirror", "accept_new_edition"), writes=RAW),
    Lesson("01_preprocessing", "Looking at the ratings, and preparing them for a model",
           ("dataset", "data_dir", "split", "split_seed", "val_fraction", "test_fraction"),
           reads=("00_download",), writes=PROCESSED, exercises="lesson01"),
    Lesson("02_dot_product", "The dot-product recommender (matrix factorisation)",
           ("dataset", "data_dir", "run", "n_factors", "l2", *_RATING_TRAINING),
           reads=("01_preprocessing",), set_up=(PLAN_TRAINING,), saved_code="cfcourse/training.py",
           exercises="lesson02",
           trains=PublishedLesson(
               model="dot_product",
               parameters=dict(n_factors=50, l2=5e-5, learning_rate=1e-2, epochs=20, batch_size=2048, patience=2,
                               seed=42),
               test_rmse={"ml-latest-small": 0.8772},
               val_rmse={"ml-latest-small": 0.8693},
               seed_spread={"ml-latest-small": 0.0050}),
           search_candidates=(
               {},
               {"l2": 1e-4},  # the course's setting before the last search
               {"l2": 2e-4},
               {"n_factors": 100},
               {"learning_rate": 2e-2},
           )),
    Lesson("03_bias", "Adding user and movie biases",
           ("dataset", "data_dir", "run", "n_factors", "l2", *_RATING_TRAINING),
           reads=("01_preprocessing", "02_dot_product"), set_up=(PLAN_TRAINING,), exercises="lesson03",
           trains=PublishedLesson(
               model="bias",
               parameters=dict(n_factors=50, l2=1e-4, learning_rate=1e-2, epochs=20, batch_size=2048, patience=2,
                               seed=42),
               test_rmse={"ml-latest-small": 0.8381},
               val_rmse={"ml-latest-small": 0.8320},
               seed_spread={"ml-latest-small": 0.0019}),
           search_candidates=(
               {},
               {"l2": 5e-5},
               {"l2": 1.5e-4},
               {"n_factors": 30},
               {"learning_rate": 2e-2},
           )),
    Lesson("04_neural_net", "A neural network instead of a dot product",
           ("dataset", "data_dir", "run", "n_factors", "l2", "dropout_embeddings", "hidden_units", "dropout_hidden",
            *_RATING_TRAINING),
           reads=("01_preprocessing", "02_dot_product", "03_bias"), set_up=(PLAN_NETWORK_TRAINING,),
           exercises="lesson04",
           trains=PublishedLesson(
               model="neural_net",
               parameters=dict(n_factors=50, l2=5e-4, dropout_embeddings=0.5, hidden_units=70, dropout_hidden=0.2,
                               learning_rate=3e-2, epochs=20, batch_size=2048, patience=2, seed=42),
               test_rmse={"ml-latest-small": 0.8520},
               val_rmse={"ml-latest-small": 0.8465},
               seed_spread={"ml-latest-small": 0.0026}),
           search_candidates=(
               {},
               {"dropout_hidden": 0.5, "learning_rate": 6e-3},  # the course's setting before the last search
               {"dropout_hidden": 0.5},
               {"learning_rate": 1e-2},
               {"learning_rate": 2e-2},
               {"learning_rate": 5e-2},
               {"l2": 1e-3},
           )),
    Lesson("05_inspect_embeddings", "What did the model learn? Inspecting biases and embeddings",
           ("dataset", "data_dir", "run", "min_ratings", "query_movie", "user_id", "n_top"),
           reads=("01_preprocessing", "03_bias"), set_up=(QUERY_MOVIE,), models_of_its_run=True,
           exercises="lesson05"),
    Lesson("06_evaluate_recommendations", "Judging recommendations: top-10 lists, not RMSE",
           ("dataset", "data_dir", "run", "k", "threshold", "seed", "max_users"),
           reads=("01_preprocessing", "02_dot_product", "03_bias", "04_neural_net"), results=RANKING_FILE,
           settings=RANKING_PROTOCOL, saved_code="cfcourse/protocol.py", exercises="lesson06"),
    Lesson("07_train_for_the_list",
           "Training for the list: implicit feedback, negative sampling and ranking losses",
           ("dataset", "data_dir", "run", "k", "threshold", "seed", "max_users", "embedding_size", "max_epochs",
            "list_learning_rate", "ease_min_ratings", "refit", "my_ratings"),
           reads=("01_preprocessing",), reads_if_there=("06_evaluate_recommendations",), results=LIST_RANKING_FILE,
           settings=LIST_TRAINING, judged_as="06_evaluate_recommendations", set_up=(SAMPLE_USERS,),
           exercises="lesson07",
           search_candidates=(
               {},
               {"embedding_size": 32},
               {"embedding_size": 128},
               {"list_learning_rate": 2e-3},
               {"list_learning_rate": 1e-2},
           )),
    Lesson("08_next_movie", "What comes next: a history is a sequence",
           ("dataset", "data_dir", "run", "k", "threshold", "seed", "max_users", "sequence_length", "embedding_size",
            "max_epochs", "learning_rate", "min_ratings"),
           rules={"sequence_length": ("a whole number > 0",
                                      lambda v: isinstance(v, int) and not isinstance(v, bool) and v > 0)},
           reads=("01_preprocessing",), reads_if_there=("07_train_for_the_list",), results="ranking_08.json",
           settings=SEQUENCE_TRAINING, judged_as="06_evaluate_recommendations", set_up=(SAMPLE_USERS,),
           # its softmax runs over every movie it predicts at every place of every history, and it trains two
           # sequence models and two towers: a sample of users sooner than lesson 07 (ml-25m: about 1,600 users)
           most_train_ratings=250_000, exercises="lesson08"),
)

#: Each lesson's record by name.
BY_NAME: dict[str, Lesson] = {lesson.name: lesson for lesson in COURSE}


def lesson_record(name: str) -> Lesson:
    """The record of the lesson ``name``; a ``KeyError`` naming the course's lessons if there is none."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"no lesson {name!r}: the lessons are {', '.join(LESSONS)}") from None


#: Notebook names (without ``.ipynb``) in running order: each one reads what the ones before it wrote.
LESSONS = [lesson.name for lesson in COURSE]

#: Each lesson's parameters, as its ``parameters`` cell names them (a test keeps the two equal).
LESSON_PARAMETERS = {lesson.name: lesson.parameters for lesson in COURSE}

#: Lessons whose cells marked ``#@save`` hold code a later lesson imports, and the package module generated from
#: them (d2l's single-source way) by scripts/maintainers/generate_saved_code.py.
SAVED_CODE = {lesson.name: lesson.saved_code for lesson in COURSE if lesson.saved_code}

#: The trained models in lesson order, as their metrics and model files name them.
MODELS = [lesson.trains.model for lesson in COURSE if lesson.trains]

#: The lesson that trains each model, so a lesson that needs one can say which lesson to run.
TRAINED_BY = {lesson.trains.model: lesson.name for lesson in COURSE if lesson.trains}

#: The lesson that writes :data:`RAW` and the one that writes :data:`PROCESSED`.
WRITTEN_BY = {lesson.writes: lesson.name for lesson in COURSE if lesson.writes}

#: The ranking models lesson 07 trains and judges on lesson 06's protocol (not saved as ``.keras`` files).
LIST_MODELS = ["bpr", "two_tower", "ease"]

#: The Jupyter kernel the lessons run on: ``make setup`` registers it inside ``.venv``, pointing at
#: the course's own Python, and every notebook's metadata names it.
KERNEL_NAME = "cf-course"
#: How Jupyter lists that kernel; the same for every supported Python, so the notebooks' metadata never changes.
KERNEL_DISPLAY_NAME = "Python 3 (cf-course)"


def models_read(lesson: Lesson) -> list[str]:
    """The models ``lesson`` reads, in lesson order: those of the training lessons it reads."""
    return [BY_NAME[name].trains.model for name in lesson.reads if BY_NAME[name].trains]


def experiment_values(lesson: Lesson) -> dict:
    """The published values whose change makes ``lesson``'s run an experiment: its model's parameters, its
    own settings, and the settings of the lesson it judges as."""
    judged_as = BY_NAME[lesson.judged_as].settings if lesson.judged_as else {}
    return {**judged_as, **lesson.settings, **(lesson.trains.parameters if lesson.trains else {})}


def own_values(lesson: Lesson) -> dict:
    """Its own published settings: a trained model's parameters, else its settings (what a search changes)."""
    return lesson.trains.parameters if lesson.trains else lesson.settings


def read_later(lesson: Lesson) -> bool:
    """Whether a later lesson reads what ``lesson`` writes."""
    return any(lesson.name in (*other.reads, *other.reads_if_there) for other in COURSE)


def needed_by(lesson: Lesson) -> list[str]:
    """The lessons ``lesson`` needs to have run, directly or through the lessons it reads, in course order."""
    needed, waiting = set(), list(lesson.reads)
    while waiting:
        name = waiting.pop()
        if name not in needed:
            needed.add(name)
            waiting.extend(BY_NAME[name].reads)
    return [name for name in LESSONS if name in needed]
