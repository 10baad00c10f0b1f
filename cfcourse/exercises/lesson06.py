"""Lesson 06's exercises: judging top-k lists. Context: ``data``; the hit rate also takes the lesson's
``recommended`` (each model's top-k lists, by name) and ``relevant`` mask."""

from __future__ import annotations

import numpy as np

from cfcourse import ranking
from cfcourse.exercises.answers import (call, judge_array, judge_hashed_number, judge_movies, judge_number, number,
                                        vector)
from cfcourse.exercises.definitions import QUESTION, Exercise, NotYet, Question

K = 10
THRESHOLD = 4.0  # the course's protocol: a test rating of 4.0 or more is relevant
PROBE_USERS = 20
#: The model whose lists the hit-rate exercise asks about: on ml-latest-small the bias and dot-product lists
#: reach the same hit rate, so a learner who took the wrong one of those could not be told.
HIT_RATE_MODEL = "neural_net"


#: The Exercises' first cell, under its heading, and the code cell under it.
INTRO = """
Each exercise below has a cell to fill in: replace the `...` with your answer and run the cell. `check`
then says `correct`, or `not yet` with a hint, or `not attempted` while the `...` is still there. It
computes the expected answer from this lesson's `data` and lists. Worked solutions wait at the very end
of the notebook, folded under **Solutions**: try first.
"""
SETUP = """
import numpy as np

from cfcourse.exercises import check
"""


def recall_probes(data) -> list[tuple[list[int], set[int]]]:
    """(list, relevant movies) for a few users: each list mixes some of the user's liked test movies with
    movies chosen at random (seeded), shuffled, so hits land at different ranks."""
    liked = data.test[data.test.rating >= THRESHOLD].groupby("user_idx").movie_idx.apply(list)
    rng = np.random.default_rng(0)
    probes = []
    for relevant in list(liked)[:PROBE_USERS]:
        hits = rng.choice(relevant, size=min(len(relevant), int(rng.integers(0, 4))), replace=False).tolist()
        others = [int(m) for m in rng.permutation(data.n_movies) if m not in relevant][: K - len(hits)]
        movies = [int(m) for m in rng.permutation(hits + others)]
        probes.append((movies, {int(m) for m in relevant}))
    return probes


def judge_recall_at_k(answer, context):
    probes = recall_probes(context.data)
    if not probes:
        raise NotYet("this data has no test rating of 4.0 or more, so no list can be judged")
    given = vector([number(call(answer, list(movies), set(relevant))) for movies, relevant in probes],
                   len(probes), "recalls")
    hits = np.array([len(set(movies) & relevant) for movies, relevant in probes], dtype=float)
    n_relevant = np.array([len(relevant) for _, relevant in probes], dtype=float)
    judge_array(given, hits / n_relevant, 1e-9, [
        (lambda: hits / K, "that is precision@k: look at what recall divides by"),
        (lambda: hits / np.minimum(n_relevant, K),
         "that caps the number of relevant movies at k, a variant some papers use; the lesson's recall does not"),
        (lambda: hits, "that is the number of hits, not a share"),
    ])


RECALL_AT_K = Exercise(
    "06.recall_at_k", judge_recall_at_k, title="Recall by hand", prompt="""
Write `recall_at_k(recommended, relevant)` for one user: `recommended` is a list of
movie indices, best first, and `relevant` the set of that user's relevant movies. The check tries it on
lists made for a few users of this dataset.
""", stub="""
recall_at_k = ...  # a function: recall_at_k(recommended, relevant) -> a number
check("06.recall_at_k", recall_at_k, data=data)
""", solution_text="""
The hits are the recommended movies that are relevant; recall divides them by the number of
relevant movies (precision would divide by the length of the list).
""", solution_code="""
def recall_for_one_user(recommended, relevant):
    hits = len(set(recommended) & set(relevant))
    return hits / len(relevant)


check("06.recall_at_k", recall_for_one_user, data=data, solution=True)
""")


def judge_popular_list(answer, context):
    data = context.data
    user = 0
    train_counts = np.bincount(data.train.movie_idx, minlength=data.n_movies)

    def rated_by_user(*frames):
        mask = np.zeros(data.n_movies, dtype=bool)
        for frame in frames:
            mask[frame.movie_idx[frame.user_idx == user].to_numpy()] = True
        return mask

    def top(scores, exclude):
        return ranking.top_k_movies(scores[None, :], exclude[None, :], K)[0]

    seen = rated_by_user(data.train, data.val)
    expected = list(top(train_counts, seen))

    def a_tie_ordered_otherwise(given):
        # Movies with as many train ratings are equally popular: a list that orders them differently, or picks
        # another of them at the last place, is as right as the course's (which breaks ties by the smaller index).
        return (len(set(given)) == len(given) == len(expected) and all(0 <= movie < data.n_movies for movie in given)
                and not seen[given].any() and list(train_counts[given]) == list(train_counts[expected]))

    judge_movies(answer, expected, data.movies, accepted=a_tie_ordered_otherwise, mistakes=[
        (lambda: top(train_counts, np.zeros_like(seen)),
         "that list holds movies user 0 already rated in train or validation: leave those out"),
        (lambda: top(data.movies.n_ratings.to_numpy(), seen),
         "data.movies.n_ratings counts all three splits, test too: popularity counts the training ratings only"),
        (lambda: top(train_counts, seen | rated_by_user(data.test)),
         "movies user 0 rated only in test stay candidates: they are exactly the ones we hope to find"),
        (lambda: top(train_counts, rated_by_user(data.train)),
         "leave out the movies rated in validation too, not only those rated in train"),
    ])


POPULAR_LIST = Exercise(
    "06.popular_list", judge_popular_list, title="The most-popular list", prompt=f"""
Under the lesson's protocol, what is the most-popular top-{K} list of the
user with `user_idx` 0? Rank candidates by their number of *training* ratings (movies with as many
ratings may come in either order). Give movie indices or titles, best first.
""", stub="""
popular_list = ...  # a list of 10 movie indices or titles
check("06.popular_list", popular_list, data=data)
""", solution_text="""
Count each movie's training ratings, leave out what user 0 rated in train or validation (a movie
rated only in test stays a candidate), and rank. `ranking.top_k_movies` breaks ties by the smaller index.
""", solution_code="""
user_0 = 0
popularity = np.bincount(data.train.movie_idx, minlength=data.n_movies)
already_rated = np.zeros(data.n_movies, dtype=bool)
for part in (data.train, data.val):
    already_rated[part.movie_idx[part.user_idx == user_0].to_numpy()] = True
popular_list = ranking.top_k_movies(popularity[None, :], already_rated[None, :], 10)[0]
check("06.popular_list", popular_list, data=data, solution=True)
""")


def judge_hit_rate(answer, context):
    relevant = np.asarray(context.relevant, dtype=bool)
    recommended = context.recommended
    hits = ranking.hits_at_k(np.asarray(recommended[HIT_RATE_MODEL]), relevant)
    other_models = [(lambda lists=lists: ranking.hits_at_k(np.asarray(lists), relevant).any(axis=1).mean(),
                     f"that is another model's hit rate (the {name} lists): the exercise asks about the "
                     f"{HIT_RATE_MODEL} lists") for name, lists in recommended.items() if name != HIT_RATE_MODEL]
    judge_number(number(answer), float(hits.any(axis=1).mean()), 1e-9, [
        (lambda: hits.mean(), "that is the mean precision@k: the exercise counts users, not hits"),
        (lambda: hits.any(axis=1).sum(), "that is a number of users, not a share of them"),
        (lambda: hits.sum(axis=1).mean(), "that is the mean number of hits per list: the exercise counts users, "
                                          "not hits"),
        *other_models,
    ])


HIT_RATE = Exercise(
    "06.hit_rate", judge_hit_rate, title="Hit rate", prompt="""
What share of the evaluated users have at least one relevant movie in the neural
network's list (`recommended["neural_net"]`)? Compare it with the other models' in the table above.
""", stub="""
hit_rate = ...
check("06.hit_rate", hit_rate, data=data, recommended=recommended, relevant=protocol.relevant)
""", solution_text="""
`ranking.hits_at_k` marks each place of each list; a user counts once if any place is a hit.
""", solution_code="""
network_hits = ranking.hits_at_k(recommended["neural_net"], protocol.relevant)
hit_rate = network_hits.any(axis=1).mean()
check("06.hit_rate", hit_rate, data=data, recommended=recommended, relevant=protocol.relevant, solution=True)
""")


def judge_recall_example(answer, context):
    judge_hashed_number("06.q.recall_example", answer, "dae1f4e09012749d", {
        "993f9511db39d287": "that is precision@10: look at what recall divides by",
        "4e180d269cdd753c": "that is the number of hits, not a share",
    }, otherwise="not that: re-read the lesson's definition of recall@k")


RECALL_EXAMPLE = Exercise(
    "06.q.recall_example", judge_recall_example, kind=QUESTION, prompt="""
A list of 10 holds 2 of a user's 4 relevant movies. What is its recall@10? (A number.)
""", stub="""
recall_example = ...
check("06.q.recall_example", recall_example, data=data)
""", solution_text="""
Recall divides the 2 hits by the 4 relevant movies: **0.5**. (Precision@10 would be 2 / 10.)
""", solution_code="""
check("06.q.recall_example", 2 / 4, data=data, solution=True)
""")


#: The questionnaire, in the order asked: its checked questions are exercises above.
QUESTIONNAIRE = [
    Question("""
Why are movies a user rated in train or validation left out of their candidates, but not those
rated only in test?
""", """
Recommending a film the user already rated is useless, and would hand free hits to a model that
memorised its training data. Films rated only in test are exactly the ones we hope to find.
"""),
    RECALL_EXAMPLE,
    Question("Why do precision@k and recall@k move in opposite directions as k grows?", """
A longer list finds more of the relevant movies (recall rises) but fills most of its new places with
misses (precision falls).
"""),
    Question("What does NDCG add to recall?", "Position: a hit at the top counts more than one at rank 10."),
    Question("Why is the most-popular list such a strong baseline offline?", """
Test ratings exist only where users chose to watch and rate, and people watch famous films far more
often, so a famous film is a good bet for anyone.
"""),
    Question("How can a model with a better RMSE make worse lists?", """
RMSE is measured on pairs users chose to rate and rewards every rating being roughly right; a list
depends only on the very highest scores among thousands of unrated movies, where a few films scored
a little too high for everyone can take most places.
"""),
]

#: Every exercise of the lesson, in the order its notebook asks them.
EXERCISES = [RECALL_AT_K, POPULAR_LIST, HIT_RATE, RECALL_EXAMPLE]
