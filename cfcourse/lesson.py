"""One call opens a lesson, one call closes it.

Right after its parameters cell, every lesson runs::

    from cfcourse import lesson

    run = lesson.start("<the notebook's name>", globals())

``start`` reads the lesson's parameters from the notebook's variables (the parameters cell, and
whatever papermill or you changed), checks each against its rule before anything slow, chooses
the run (the course's own, your experiment kept apart, or your own copy's run), checks that the
lessons before it have run, imports Keras quietly, seeds every random number generator, loads the processed data
and, in a training lesson, plans the training. It prints what it did in a few lines.

A training lesson ends with ``run.finish(model, ...)``: it saves the model and its metrics and
compares the result with the one the lesson was published with. A lesson that trains no rating model
ends with ``run.save_results(record)``. A lesson reads what an earlier one saved with
``run.read_results(lesson)``.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path

from cfcourse.course import (BY_NAME, PLAN_NETWORK_TRAINING, PLAN_TRAINING, PROCESSED, QUERY_MOVIE, RAW, SAMPLE_USERS,
                             TRAINED_BY, WRITTEN_BY, Lesson, models_read, read_later)
from cfcourse.data.datasets import DatasetSpec, get_dataset
from cfcourse.metrics import read_model_metrics, write_json_atomically, write_model_metrics
from cfcourse.parameters import ParameterError, check_parameters
from cfcourse.paths import CoursePaths, course_paths, shown_path
from cfcourse.prerequisites import require_files
from cfcourse.processed import LessonData, load_processed, require_made_by_lesson_01, sample_users
from cfcourse.published import changed_parameters, changed_settings, check_published_rmse
from cfcourse.runs import MINE, MINE_DIR, chosen_run, own_copy_run
from cfcourse.training_plan import LIST_TRAINING_RATINGS, TrainingPlan, plan_training


@dataclass
class LessonRun:
    """One run of one lesson: its parameters, where it reads and writes, and what it loaded."""

    lesson: str
    parameters: dict
    paths: CoursePaths
    spec: DatasetSpec
    data: LessonData | None = None
    plan: TrainingPlan | None = None
    #: Lesson 05: the movie it looks for neighbours of (on generated data, possibly not the one asked for).
    query_movie: str | None = None
    #: Whether ``data`` is a seeded sample of the users (set-up step ``SAMPLE_USERS``, past the lesson's
    #: ``most_train_ratings``): results of lessons that judged all of them then judged other users.
    users_sampled: bool = False
    #: Whether it runs from a learner's own notebook rather than the committed lesson (see :mod:`cfcourse.runs`).
    own_copy: bool = False

    @property
    def name(self) -> str | None:
        """The run's name: ``None`` for the course's own run."""
        return self.paths.run

    @property
    def record(self) -> Lesson:
        """The lesson's record in :mod:`cfcourse.course`."""
        return BY_NAME[self.lesson]

    def model_run(self, model_name: str) -> CoursePaths:
        """Where ``model_name`` is read from: this run if it trained it, else the course's own run."""
        return self.paths.run_with(model_name)

    def finish(self, model, *, val_rmse: float, test_rmse: float, training) -> None:
        """Save a training lesson's model and metrics, then compare its test RMSE with the published one.

        ``training`` is what :func:`cfcourse.training.train_rating_model` returned.
        """
        model_name = self.record.trains.model
        self.paths.models.mkdir(parents=True, exist_ok=True)
        model.save(self.paths.model_file(model_name))
        training_values = {name: self.parameters[name] for name in self.record.trains.parameters}
        metrics_file = write_model_metrics(self.paths, model_name, val_rmse=val_rmse, test_rmse=test_rmse,
                                           epochs=training.epochs, train_seconds=training.seconds,
                                           best_epoch=training.best_epoch, parameters=training_values,
                                           edition=self.data.edition)
        print(f"saved {shown_path(self.paths.model_file(model_name))} and {shown_path(metrics_file)}")
        if not self.data.course_split:
            print(f"test RMSE {test_rmse:.4f} on your split ({self.data.split_method}): the course publishes numbers "
                  "for its own random split only, nothing to compare")
            return
        check_published_rmse(self.lesson, self.paths.dataset, test_rmse, training_values, self.data.edition,
                             val_rmse=val_rmse)

    def save_results(self, record: dict) -> None:
        """Write ``record``, this lesson's results, to its results file in this run, and say where.

        Written then renamed, so a reader (``make run-all``'s table, a later lesson) never sees half a file."""
        target = results_file(self.paths, self.lesson)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_json_atomically(target, record)
        print(f"saved {shown_path(target)}")

    def read_results(self, lesson: str) -> dict | None:
        """What the earlier ``lesson`` saved; ``None`` where it has not.

        A training lesson's metrics come from the run that trained its model (this one, else the course's
        own, as :meth:`model_run` says). Any other lesson's come from this run, since another run's may
        have been judged another way; only your own copy, judging with the course's protocol, falls back
        to the course's run, and says so."""
        trains = BY_NAME[lesson].trains
        run = self.model_run(trains.model) if trains else self.paths
        source = results_file(run, lesson)
        judged_otherwise = not trains and changed_settings(lesson, self.parameters)  # lesson 06's protocol, say
        if not source.exists() and self.own_copy and not judged_otherwise:
            source = results_file(self.paths.course_run(), lesson)
            if source.exists():
                print(f"{lesson} has not run in this run: its results come from the course's own run")
        return json.loads(source.read_text()) if source.exists() else None


def results_file(paths: CoursePaths, lesson: str) -> Path:
    """Where ``lesson`` keeps its results in the run of ``paths``: a training lesson its model's metrics, any
    other the file its record names (``Lesson.results``) in the run's metrics folder."""
    record = BY_NAME[lesson]
    if record.trains:
        return paths.metrics_file(record.trains.model)
    if record.results is None:
        raise ValueError(f"{lesson} saves no results: its record in cfcourse/course.py names no results file")
    return paths.metrics / record.results


def start(lesson: str, namespace: dict) -> LessonRun:
    """Set up ``lesson`` from its parameters in ``namespace`` (a notebook's ``globals()``); see the module."""
    record = BY_NAME[lesson]
    parameters = _parameters(record, namespace)
    check_parameters(**parameters)  # every value, before the slow imports below
    copy_run = own_copy_run(lesson, namespace)
    paths = choose_run(lesson, parameters) if copy_run is None else choose_copy_run(lesson, parameters, copy_run)
    run = LessonRun(lesson, parameters, paths, get_dataset(parameters["dataset"]), own_copy=copy_run is not None)
    if record.writes == PROCESSED:
        require_made_by_lesson_01(paths)  # a learner's own processed folder is never replaced
    if WRITTEN_BY.get(RAW) in record.reads:
        raw = paths.data_dir / "raw"
        require_files(raw / run.spec.ratings_file, raw / run.spec.movies_file, written_by=WRITTEN_BY[RAW],
                      dataset=paths.dataset)
    if WRITTEN_BY.get(PROCESSED) not in record.reads:
        return run
    _require_models(run)
    from cfcourse.backend import backend_name, set_seeds  # the backend's import takes seconds: only now

    run.data = load_processed(paths)
    if "seed" in parameters:
        set_seeds(parameters["seed"])
    data = run.data
    print(f"{data.n_users:,} users, {data.n_movies:,} movies; {len(data.train):,} train / "
          f"{len(data.val):,} validation / {len(data.test):,} test ratings; Keras on {backend_name()}")
    for step in record.set_up:
        SET_UP_STEPS[step](run)
    return run


def _plan_training(run: LessonRun, network: bool = False) -> None:
    parameters = run.parameters
    run.plan = plan_training(len(run.data.train), learning_rate=parameters["learning_rate"],
                             batch_size=parameters["batch_size"], epochs=parameters["epochs"], l2=parameters["l2"],
                             network=network)
    print(run.plan.describe())


def _check_query_movie(run: LessonRun) -> None:
    run.query_movie = _query_movie(run)


def _sample_users(run: LessonRun) -> None:
    data = run.data
    most = run.record.most_train_ratings or LIST_TRAINING_RATINGS
    run.data = sample_users(data, most, run.parameters["seed"])
    run.users_sampled = run.data is not data
    if run.users_sampled:
        print(f"{len(data.train):,} train ratings are more than this lesson's {most:,}: it learns "
              f"from a seeded sample of {run.data.n_users:,} users, with {len(run.data.train):,} train ratings")


#: What each set-up step a lesson's record names (``Lesson.set_up``) does, once the data is loaded.
SET_UP_STEPS = {
    PLAN_TRAINING: _plan_training,
    PLAN_NETWORK_TRAINING: lambda run: _plan_training(run, network=True),
    QUERY_MOVIE: _check_query_movie,
    SAMPLE_USERS: _sample_users,
}


def _parameters(record: Lesson, namespace: dict) -> dict:
    missing = [name for name in record.parameters if name not in namespace]
    if missing:
        raise ParameterError(f"parameter {missing[0]!r} is not set: run the parameters cell first")
    values = {name: namespace[name] for name in record.parameters}
    if isinstance(values.get("run"), LessonRun):  # the set-up cell run a second time: `run` is already the run
        values["run"] = values["run"].name
    return values


def choose_run(lesson: str, parameters: dict) -> CoursePaths:
    """The paths of the run ``lesson`` saves into, given its checked parameters: changed values of what its record
    publishes (a model's parameters, lesson 06's protocol, lesson 07's settings) make an experiment of their own
    (see :mod:`cfcourse.runs`)."""
    dataset, data_dir, run = parameters["dataset"], parameters["data_dir"], parameters.get("run")
    record = BY_NAME[lesson]
    if record.trains or record.settings:
        # later lessons find a trained model by its run's name
        return chosen_run(dataset, data_dir, run, changed_settings(lesson, parameters),
                          later_lessons=record.trains is not None)
    return course_paths(dataset, data_dir, run)


def choose_copy_run(lesson: str, parameters: dict, copy_run: str) -> CoursePaths:
    """The paths of a learner's own copy of ``lesson``: its ``run`` parameter if set, else ``copy_run``
    (see :func:`cfcourse.runs.own_copy_run`). Says in one line where it saves."""
    paths = course_paths(parameters["dataset"], parameters["data_dir"], parameters.get("run") or copy_run)
    print(_where_a_copy_saves(lesson, paths))
    return paths


def _where_a_copy_saves(lesson: str, paths: CoursePaths) -> str:
    record = BY_NAME[lesson]
    your_copy = f"Your own copy of lesson {record.number}"
    if record.writes == RAW:
        return f"{your_copy} downloads into {shown_path(paths.raw)}/, which every run reads, the course's own included."
    readers = (f"; your other copies in {shown_path(MINE_DIR)}/ read it" if paths.run == MINE else
               f"; later lessons read it with run = {paths.run!r}")
    if not read_later(record):
        readers = ""  # no later lesson reads what it saves
    if record.writes == PROCESSED:
        return (f"{your_copy} writes the processed data every run reads, the course's own included, to "
                f"{shown_path(paths.processed)}/ (`make run-all` writes the course's back); its exercise checks go "
                f"to run {paths.run!r}, {shown_path(paths.metrics)}/.")
    return (f"{your_copy} is a run of its own, {paths.run!r}: it saves to {shown_path(paths.run_folder)}/, never over "
            f"the course's run{readers}.")


#: The models each lesson reads (from its record's ``reads``).
MODELS_READ = {name: models_read(record) for name, record in BY_NAME.items() if models_read(record)}


def _require_models(run: LessonRun) -> None:
    """Stop with one line if a model this lesson reads has not been trained yet; in a run other than the
    course's, say which run each model comes from."""
    needed = MODELS_READ.get(run.lesson, [])
    # A lesson that inspects the model of the run it was told to (lesson 05: its `run` parameter) never takes a
    # stand-in; a copy reads its own run's models where they exist, like every other lesson.
    strict = run.record.models_of_its_run and not run.own_copy
    sources = {}
    for model_name in needed:
        model_run = run.paths if strict else run.model_run(model_name)
        require_files(model_run.metrics_file(model_name), model_run.model_file(model_name),
                      written_by=TRAINED_BY[model_name], dataset=run.paths.dataset, run=model_run.run,
                      command=_command_completing(model_run, TRAINED_BY[model_name]))
        sources[model_name] = model_run.run
    if run.name is not None and sources:
        print("Models this lesson reads: " + ", ".join(f"{model_name} from {whose_run(source)}"
                                                       for model_name, source in sources.items()) + ".")


def whose_run(run_name: str | None) -> str:
    """``the course's own run``, or ``your run 'mine'``."""
    return "the course's own run" if run_name is None else f"your run {run_name!r}"


def _command_completing(paths: CoursePaths, lesson: str) -> str | None:
    """For a named run that lacks ``lesson``'s model: the command that trains it into the run with the values
    the learner changed for the run's other models (so `n_factors-8` gets 8 factors, not the lesson's default)."""
    if paths.run is None:
        return None
    changed = {}
    for record in read_model_metrics(paths) if paths.metrics.is_dir() else []:
        if record.get("run") == paths.run and "parameters" in record:
            changed.update(changed_parameters(TRAINED_BY[record["model"]], record["parameters"]))
    names = BY_NAME[lesson].trains.parameters
    settings = [f"{name}={value}" for name, (value, _) in sorted(changed.items()) if name in names]
    dataset = "" if paths.dataset == "ml-latest-small" else f"DATASET={paths.dataset} "
    return f'make experiment {dataset}LESSON={lesson} PARAMS="{" ".join([*settings, f"run={paths.run}"])}"'


def _query_movie(run: LessonRun) -> str:
    """Lesson 05's ``query_movie``, checked against the data, with the lesson's other data-dependent checks."""
    movies, parameters = run.data.movies, run.parameters
    query, min_ratings = parameters["query_movie"], parameters["min_ratings"]
    titles = set(movies.title)
    if query == "Toy Story (1995)" and query not in titles and run.data.edition == "generated":
        # Generated data has made-up titles: the default query becomes its most-rated movie; a title you chose never does.
        most_rated = movies.title[movies.n_ratings.idxmax()]
        print(f"{run.paths.dataset} has made-up titles, so the query is its most-rated movie, {most_rated!r}, "
              f"not {query!r}")
        query = most_rated
    if query not in titles:
        close = difflib.get_close_matches(str(query), movies.title, n=3)
        raise ParameterError(f"parameter 'query_movie': no movie titled {query!r}; close titles: {close}")
    if movies.loc[movies.title == query, "n_ratings"].max() < min_ratings:
        raise ParameterError(f"parameter 'query_movie': {query!r} has fewer than {min_ratings} ratings; "
                             "choose a better-known movie or lower min_ratings")
    if parameters["user_id"] not in set(run.data.users.user):
        raise ParameterError(f"parameter 'user_id': no user {parameters['user_id']!r} in {run.paths.dataset}")
    print(f"{(movies.n_ratings >= min_ratings).sum():,} of {len(movies):,} movies have at least {min_ratings} ratings")
    return query
