"""Lesson 07's plumbing, so that its page holds the models, the losses and the choices.

Lesson 07 (training for the list) keeps its sampler, losses, models, training loop, EASE, fold-in and
plots in its cells. What it calls here teaches nothing new: a fast "has this user rated this movie?",
lesson 6's protocol with the lesson's parameters and the judging of a model's lists, a model's scores
from its tables, the users x movies matrix of who rated what, the movies EASE can afford, the split
leave-latest-out uses, the learner's own titles, and the results record.
"""

from __future__ import annotations

import difflib
from types import SimpleNamespace

import numpy as np
import scipy.sparse

from cfcourse import ranking
from cfcourse.course import MODELS, lesson_record
from cfcourse.parameters import ParameterError
from cfcourse.protocol import Protocol
from cfcourse.published import check_claim

#: EASE inverts a movies x movies matrix: at 10,000 movies that is 0.4 GB in float32 and half a minute a solve.
EASE_MAX_MOVIES = 10_000
#: Users whose lists are made at once: their scores of every movie are one (users x movies) array.
USERS_AT_ONCE = 256
#: Leave-latest-out's split of each user's ratings in time order: the earliest 80% to fit, the next 10% set
#: aside, from 90% on to test.
LATEST_ASIDE_FROM, LATEST_TEST_FROM = 0.8, 0.9
#: The ratio to most popular's NDCG the best Keras model must reach: on generated data, where popularity decides
#: what is relevant, "most popular" is the best list possible, so matching it is all there is.
AIM_OVER_MOST_POPULAR = {"generated": 1.0}
AIM_ON_REAL_DATA = 1.5
#: How many of generated data's most-rated movies stand in for ``my_ratings``, whose titles it does not have.
STAND_IN_MOVIES = 4


class RatedPairs:
    """Every (user, movie) pair of some ratings as one number, ``user * n_movies + movie``, sorted.

    ``contains`` then answers "has this user rated this movie?" for whole arrays by binary search.
    """

    def __init__(self, users, movies, n_movies: int):
        self.n_movies = n_movies
        self.keys = np.unique(np.asarray(users, dtype=np.int64) * n_movies + np.asarray(movies, dtype=np.int64))

    def contains(self, users, movies) -> np.ndarray:
        """``True`` where ``users[i]`` rated ``movies[i]`` (arrays of the same shape)."""
        keys = np.asarray(users, dtype=np.int64) * self.n_movies + np.asarray(movies, dtype=np.int64)
        if not len(self.keys):
            return np.zeros(keys.shape, dtype=bool)
        return self.keys[np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)] == keys


def protocol(run, fit, target, also_excluded=()) -> Protocol:
    """Lesson 6's protocol with the lesson's ``threshold``, ``max_users`` and ``seed``: lists made from what
    ``fit`` leaves (and ``also_excluded``), judged on what the users liked in ``target``."""
    values = run.parameters
    return Protocol(run.data, fit, target, also_excluded=also_excluded, threshold=values["threshold"],
                    max_users=values["max_users"], seed=values["seed"])


def judge(score, protocol: Protocol, k: int) -> dict[str, float]:
    """Lesson 6's five numbers for the top-``k`` lists of ``score`` (users -> a row of scores per user), made
    :data:`USERS_AT_ONCE` users at a time."""
    users = protocol.users
    lists = [ranking.top_k_movies(score(users[start:start + USERS_AT_ONCE]),
                                  protocol.exclude[start:start + USERS_AT_ONCE], k)
             for start in range(0, len(users), USERS_AT_ONCE)]
    return ranking.evaluate_rankings(np.concatenate(lists), protocol.relevant, protocol.ratings_per_movie)


def most_popular(protocol: Protocol):
    """Lesson 6's "most popular": users -> the same row for everyone, each movie's number of ratings in the
    protocol's fit."""
    return lambda users: np.broadcast_to(protocol.ratings_per_movie, (len(users), len(protocol.ratings_per_movie)))


def on_movies(movies, scores, n_movies: int) -> np.ndarray:
    """``scores`` (users x ``movies``) spread over all ``n_movies`` columns, minus infinity on the other movies, so
    that those only ever fill a list that has no other candidates."""
    spread = np.full((len(scores), n_movies), -np.inf, dtype=np.float32)
    spread[:, movies] = scores
    return spread


def embedding_scores(model):
    """users -> their scores of every movie, ``user vector · movie vector`` (+ the movie's bias where the model
    has a ``movie_bias`` layer), from the model's ``users`` and ``movies`` tables."""
    user_table, movie_table = (model.get_layer(name).get_weights()[0] for name in ("users", "movies"))
    bias = movie_biases(model)
    return lambda users: user_table[users] @ movie_table.T + bias


def movie_table_and_bias(model):
    """The model's ``movies`` table and its movie biases (:func:`movie_biases`)."""
    return model.get_layer("movies").get_weights()[0], movie_biases(model)


def movie_biases(model):
    """The model's ``movie_bias`` table as one number per movie, or 0 if it has none."""
    names = [layer.name for layer in model.layers]
    return model.get_layer("movie_bias").get_weights()[0][:, 0] if "movie_bias" in names else 0


def interactions(data, fit, movies) -> scipy.sparse.csr_matrix:
    """users x ``movies`` 0/1 float32 matrix of who rated what in ``fit``: sparse, as almost all of it is 0.

    Column ``j`` is movie ``movies[j]``; ratings of other movies are left out."""
    column = np.full(data.n_movies, -1)
    column[movies] = np.arange(len(movies))
    columns = column[fit.movie_idx.to_numpy()]
    kept = columns >= 0
    return scipy.sparse.csr_matrix((np.ones(kept.sum(), dtype=np.float32),
                                    (fit.user_idx.to_numpy()[kept], columns[kept])),
                                   shape=(data.n_users, len(movies)))


def ease_movies(data, fit, min_ratings: int) -> np.ndarray | None:
    """The movies EASE ranks: those with ``min_ratings`` or more ratings in ``fit``. ``None``, saying why in
    one line, where more than :data:`EASE_MAX_MOVIES` qualify (its matrix grows with their square, its solve
    with their cube)."""
    movies = np.flatnonzero(np.bincount(fit.movie_idx, minlength=data.n_movies) >= min_ratings)
    if len(movies) > EASE_MAX_MOVIES:
        print(f"EASE skipped: {len(movies):,} movies have {min_ratings} or more train ratings, more than "
              f"{EASE_MAX_MOVIES:,} (its movies x movies matrix grows with their square, its solve with their cube)")
        return None
    return movies


def aim_over_most_popular(data) -> float:
    """How many times most popular's NDCG@k the best Keras model should reach on ``data``
    (see :data:`AIM_OVER_MOST_POPULAR`)."""
    return AIM_OVER_MOST_POPULAR.get(data.edition, AIM_ON_REAL_DATA)


def check_real_data_claim(data, claim: str, holds: bool, evidence: str, dataset: str | None = None) -> None:
    """:func:`check_claim` for a claim the text makes of real ratings; ``dataset`` as there.

    Generated data is not what the text describes (its popularity decides what is relevant, its timestamps
    are drawn at random): there the claim is not checked, and it says so."""
    if data.edition == "generated":
        print(f"Not checked on generated data, which the text does not describe: {claim}.")
        return
    check_claim(claim, holds, evidence, dataset=dataset)


def check_sampler_claim(share: dict) -> None:
    """Say what share of the train ratings the 100 most-rated movies hold, and check what lesson 07's text says
    of its two samplers: ``share`` holds the share of each one's draws (``uniform``,
    ``by popularity``) among the 100 most-rated movies, and those movies' share ``of the train ratings``."""
    uniform, popular, train = share["uniform"], share["by popularity"], share["of the train ratings"]
    print(f"those 100 movies hold {train:.1%} of the train ratings")
    check_claim("the popular sampler draws the 100 most-rated movies more often than the uniform one, "
                "yet less often than their share of the train ratings", uniform < popular < train,
                f"{popular:.1%} against {uniform:.1%} and a share of {train:.1%}")


def rating_models(run) -> dict:
    """Lesson 6's rows for the rating models of lessons 2 to 4, judged on the same protocol (the lesson whose
    protocol this one's record says it is judged by); none where lesson 6 has not run (in this run, as
    :meth:`LessonRun.read_results` says)."""
    lesson_06 = run.read_results(lesson_record(run.lesson).judged_as) or {"models": {}}
    return {name: lesson_06["models"][name] for name in MODELS if name in lesson_06["models"]}


def check_test_claims(data, results: dict, earlier: dict, best_keras: str, k: int, dataset: str) -> None:
    """What lesson 07's text says of the test lists: ``results`` (most popular's among them) against most popular
    and against ``earlier``, lesson 6's rows for the rating models of lessons 2 to 4 (none if it has not run)."""
    popular, list_models = results["most_popular"], [name for name in results if name != "most_popular"]
    best, aim = results[best_keras]["ndcg"], aim_over_most_popular(data)
    check_claim(f"the best Keras ranking model ({best_keras}) reaches {aim}x most popular's test NDCG@{k}",
                best >= aim * popular["ndcg"], f"{best:.4f} against {popular['ndcg']:.4f}: {best / popular['ndcg']:.2f}x")
    for name in list_models if earlier else []:
        check_claim(f"{name} makes better lists than the rating models of lessons 2-4",
                    all(results[name]["ndcg"] > row["ndcg"] for row in earlier.values()),
                    ", ".join(f"{model} {row['ndcg']:.4f}" for model, row in {name: results[name], **earlier}.items()))
    for name in list_models:
        row = results[name]
        check_real_data_claim(
            data, f"{name} beats most popular, from a larger part of the catalogue and with less famous films",
            row["ndcg"] > popular["ndcg"] and row["coverage"] > popular["coverage"]
            and row["mean_popularity"] < popular["mean_popularity"],
            f"NDCG@{k} {row['ndcg']:.4f} against {popular['ndcg']:.4f}, coverage {row['coverage']:.4f} against "
            f"{popular['coverage']:.4f}, mean popularity {row['mean_popularity']:.1f} against "
            f"{popular['mean_popularity']:.1f}", dataset)
    if "ease" in results:
        others = {name: row["ndcg"] for name, row in {**results, **earlier}.items() if name != "ease"}
        check_real_data_claim(data, "EASE makes the best lists of all", results["ease"]["ndcg"] > max(others.values()),
                              f"EASE {results['ease']['ndcg']:.4f}, the best other {max(others.values()):.4f}", dataset)


def check_latest_claims(data, latest, latest_results: dict, split_results: dict, dataset: str) -> None:
    """What lesson 07's text says of leave-latest-out: ``latest_results`` (most popular's among them) against
    ``split_results``, the same models' on the run's split; nothing to compare where the split is by time."""
    if not latest.drawn_here:
        print("The run's own split is by time: there is no other split here to compare it with")
        return
    check_real_data_claim(
        data, f"every model scores lower on each user's latest ratings than on the {data.split_method} split",
        all(row["ndcg"] < split_results[name]["ndcg"] for name, row in latest_results.items()),
        ", ".join(f"{name} {split_results[name]['ndcg']:.4f} -> {row['ndcg']:.4f}" for name, row in latest_results.items()),
        dataset)
    popular = latest_results["most_popular"]["ndcg"]
    for name in [name for name in latest_results if name != "most_popular"]:
        check_real_data_claim(data, f"{name} beats most popular on the latest ratings too",
                              latest_results[name]["ndcg"] > popular, f"{latest_results[name]['ndcg']:.4f} against {popular:.4f}")


def check_fold_in_claims(fold_in_ndcg: dict, trained: float, popular: float, k: int, dataset: str):
    """Say which penalty validation chose from ``fold_in_ndcg`` (NDCG@k by penalty), and check what lesson 07's
    text says of it against the trained vectors' NDCG (``trained``) and most popular's (``popular``)."""
    chosen_l2, smallest = max(fold_in_ndcg, key=fold_in_ndcg.get), min(fold_in_ndcg)
    chosen = fold_in_ndcg[chosen_l2]
    print(f"chosen on validation: l2 = {chosen_l2:,}, NDCG@{k} {chosen:.4f}; at l2 = {smallest}: "
          f"{fold_in_ndcg[smallest]:.4f}; trained vectors {trained:.4f}")
    check_claim("folded-in vectors, with the penalty chosen on validation, make better lists than most popular",
                chosen > popular, f"validation NDCG@{k} {chosen:.4f} against {popular:.4f}", dataset=dataset)
    check_claim("the smallest penalty makes lists no better than most popular", fold_in_ndcg[smallest] <= popular,
                f"{fold_in_ndcg[smallest]:.4f} at l2 = {smallest}, most popular {popular:.4f}", dataset=dataset)
    check_claim("the chosen penalty is within 5% of the trained vectors, or better", chosen >= 0.95 * trained,
                f"{chosen:.4f} against {trained:.4f}", dataset=dataset)


def plot_ndcg_against_coverage_and_popularity(table, k: int):
    """Lesson 6's picture of a table of models (one row each, with ``ndcg``, ``coverage``, ``mean_popularity`` and
    ``trained for``): NDCG@k against catalogue coverage and against the popularity of what each recommends.
    Models trained for the list are round, the others square. Returns the figure."""
    import matplotlib.pyplot as plt

    figure, (by_coverage, by_popularity) = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for name, row in table.iterrows():
        marker = "o" if row["trained for"] == "the list" else "s"
        by_coverage.scatter(row["coverage"], row["ndcg"], s=60, marker=marker, label=name)
        by_popularity.scatter(row["mean_popularity"], row["ndcg"], s=60, marker=marker, label=name)
    by_coverage.set(xscale="log", xlabel="catalogue coverage (log scale)", ylabel=f"test NDCG@{k}",
                    title=f"NDCG@{k} against coverage")
    by_popularity.set(xlabel="mean train ratings of the recommended movies", title=f"NDCG@{k} against popularity")
    by_popularity.legend(loc="lower right", fontsize="small")
    figure.tight_layout()
    return figure


def latest_split(data) -> SimpleNamespace:
    """The ratings leave-latest-out fits on (``fit``), sets aside (``aside``) and tests on (``test``);
    ``drawn_here``, whether they differ from the run's own split, and ``label``, which the results record keeps.
    Says in one line which it is.

    A run whose own split is by time is leave-latest-out already: its own train, validation and test. Any
    other run gets one drawn here: each user's ratings in time order, the earliest 80% to fit, the next
    10% set aside, the latest 10% to test."""
    if data.split_method == "time":
        print("This run's split is each user's latest ratings already: its test above is leave-latest-out.")
        return SimpleNamespace(fit=data.train, aside=data.val, test=data.test, drawn_here=False,
                               label="this run's own")
    print(f"This run's split is {data.split_method!r}, so leave-latest-out draws its own split, by time, here.")
    ratings = data.ratings
    order = ratings.groupby("user_idx").timestamp.rank(method="first") - 1
    position = order / ratings.groupby("user_idx").timestamp.transform("size")
    return SimpleNamespace(fit=ratings[position < LATEST_ASIDE_FROM],
                           aside=ratings[(position >= LATEST_ASIDE_FROM) & (position < LATEST_TEST_FROM)],
                           test=ratings[position >= LATEST_TEST_FROM], drawn_here=True, label="its own, by time")


def my_movies(data, my_ratings: dict, dataset: str) -> np.ndarray:
    """The movie indices of the titles of ``my_ratings``, after printing them; a title the data lacks stops,
    naming close ones.

    Generated data has made-up titles: there the course's default ratings become its
    :data:`STAND_IN_MOVIES` most-rated movies, and it says so."""
    movies_by_title = data.movies.set_index("title").movie_idx
    titles = list(my_ratings)
    if data.edition == "generated" and not set(titles) & set(movies_by_title.index):
        most_rated = data.movies.sort_values("n_ratings", ascending=False, kind="stable").title
        titles = list(most_rated[:STAND_IN_MOVIES])
        print(f"{dataset} has made-up titles, so your ratings become its four most-rated movies: {titles}")
    unknown = [title for title in titles if title not in movies_by_title.index]
    if unknown:
        close = difflib.get_close_matches(unknown[0], movies_by_title.index, n=3)
        raise ParameterError(f"parameter 'my_ratings': no movie titled {unknown[0]!r}; close titles: {close}")
    print("you rated:", "; ".join(titles))
    return np.unique(movies_by_title[titles].to_numpy())


def titles_of(data, lists: dict[str, np.ndarray]) -> dict[str, list[str]]:
    """Each named top-k list of movie indices as titles ("" for an empty place)."""
    titles = data.movies.set_index("movie_idx").title
    return {name: [titles[movie] if movie != ranking.NO_MOVIE else "" for movie in movies]
            for name, movies in lists.items()}


def record(run, test_protocol: Protocol, results: dict, refitted: dict, chosen: dict, validation_ndcg: dict,
           latest_results: dict, latest) -> dict:
    """The lesson's results record: what ``make run-all`` prints below lesson 6's table, and what it chose.

    ``results`` are the test numbers of the models ``refit`` chose (most popular's is lesson 6's row, left out),
    ``refitted`` those refit on train + validation; ``latest_results`` leave-latest-out's, on ``latest``
    (from :func:`latest_split`)."""
    values = run.parameters
    return {
        "dataset": values["dataset"], "edition": run.data.edition, "k": values["k"], "threshold": values["threshold"],
        "users_evaluated": len(test_protocol.users), "users_qualifying": len(test_protocol.qualifying),
        "max_users": values["max_users"],
        "models": {name: row for name, row in results.items() if name != "most_popular"},
        "fitted_on": "train + validation" if values["refit"] else "train",
        "refit_ndcg": {name: row["ndcg"] for name, row in refitted.items()},
        "chosen_on_validation": chosen,
        "validation_ndcg": validation_ndcg,
        "leave_latest_out": {name: row["ndcg"] for name, row in latest_results.items()},
        "leave_latest_out_split": latest.label,
    }
