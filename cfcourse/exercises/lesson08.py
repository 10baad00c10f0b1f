"""Lesson 08's exercises: a history as a sequence. Context: ``data``."""

from __future__ import annotations

import numpy as np

from cfcourse.exercises.answers import call, describe, judge_choice, judge_hashed_number, judge_number, number
from cfcourse.exercises.definitions import QUESTION, Exercise, NotYet, Question

#: The sizes the causal mask is tried at: one small enough to read, one the lesson's own length.
MASK_SIZES = (5, 30)

#: The Exercises' first cell, under its heading, and the code cell under it.
INTRO = """
Each exercise below has a cell to fill in: replace the `...` with your answer and run the cell. `check`
then says `correct`, or `not yet` with a hint, or `not attempted` while the `...` is still there. It
computes the expected answer from this lesson's `data`. Worked solutions wait at the very end of the
notebook, folded under **Solutions**: try first.
"""
SETUP = """
import numpy as np

from cfcourse.exercises import check
"""


# -- 08.time_order ------------------------------------------------------------------------------------------

def heaviest_user(data) -> int:
    """The user with the most ratings: the longest sequence, and the most ratings given in the same second."""
    return int(np.argmax(np.bincount(data.ratings.user_idx, minlength=data.n_users)))


def judge_time_order(answer, context):
    data = context.data
    ratings = data.ratings[data.ratings.user_idx == heaviest_user(data)]
    expected = ratings.sort_values("timestamp", kind="stable").movie_idx.to_numpy()
    try:
        given = np.asarray(list(answer), dtype=np.int64)
    except (TypeError, ValueError):
        raise NotYet(f"expected the user's movie indices, a list or array of whole numbers, got {describe(answer)}") from None
    if len(given) != len(expected):
        raise NotYet(f"{len(given)} movies, but the user has {len(expected)} ratings: one movie per rating, all splits")
    if np.array_equal(given, expected):
        return
    timestamps = ratings.set_index("movie_idx").timestamp
    if not set(given) <= set(timestamps.index) or len(set(given)) != len(given):
        raise NotYet("those are not the user's movies, each once: take the rows of data.ratings whose user_idx is theirs")
    given_times = timestamps[given].to_numpy()
    if np.all(np.diff(given_times) <= 0):
        raise NotYet("your movies run from the latest to the earliest: a sequence starts with the first movie watched")
    if np.all(np.diff(given_times) >= 0):
        raise NotYet("the times are in order, but movies rated in the same second are not in the order of "
                     "data.ratings: a stable sort keeps them so (pandas' sort_values is not stable unless asked)")
    if np.array_equal(given, np.sort(expected)):
        raise NotYet("those are sorted by movie index, not by time: look at which column you sorted by")
    raise NotYet("not in time order yet: sort the user's rows of data.ratings by their timestamp")

TIME_ORDER = Exercise(
    "08.time_order", judge_time_order, title="A history in time order", prompt="""
Take the user with the most ratings in `data.ratings` (all three
splits) and give the `movie_idx` of each of their ratings in time order, earliest first. Ratings given
in the same second keep the order they have in `data.ratings`.
""", stub="""
history_in_order = ...  # a list or array of movie indices
check("08.time_order", history_in_order, data=data)
""", solution_text="""
Keep the user's rows of `data.ratings`, sort them by `timestamp` with a *stable* sort (pandas'
default sort is not stable, so it may reorder ratings given in the same second), and read `movie_idx`.
""", solution_code="""
most_ratings = data.ratings.user_idx.value_counts().idxmax()
user_ratings = data.ratings[data.ratings.user_idx == most_ratings]
check("08.time_order", user_ratings.sort_values("timestamp", kind="stable").movie_idx.to_numpy(), data=data,
      solution=True)
""")

# -- 08.causal_mask -----------------------------------------------------------------------------------------

def judge_causal_mask(answer, context):
    for size in MASK_SIZES:
        mask = np.asarray(call(answer, size))
        if mask.shape != (size, size):
            raise NotYet(f"for {size} places the mask should be {size} x {size}, one row per place, got shape {mask.shape}")
        allowed = np.tril(np.ones((size, size), dtype=bool))
        if np.array_equal(mask.astype(bool), allowed):
            continue
        if np.array_equal(mask.astype(bool), allowed.T):
            raise NotYet("your rows look at the later places: that is reading the answer; row i is the place that "
                         "looks, and it may see only the places up to it")
        if np.array_equal(mask.astype(bool), np.tril(allowed, -1)):
            raise NotYet("a place may also look at itself: its own movie is the most recent one it knows")
        if mask.astype(bool).all():
            raise NotYet("every place may look everywhere: that is no mask at all")
        raise NotYet("not yet: row i should be True up to column i, and False after it")

CAUSAL_MASK = Exercise(
    "08.causal_mask", judge_causal_mask, title="The causal mask", prompt=f"""
Write `causal_mask(n)`: an `n` x `n` boolean numpy array whose row `i` says
which places the place `i` may look at (True) when the model guesses what comes after it. The check
tries it for `n` = {MASK_SIZES[0]} and {MASK_SIZES[1]}.
""", stub="""
causal_mask = ...  # a function: causal_mask(n) -> an n x n boolean array
check("08.causal_mask", causal_mask, data=data)
""", solution_text="""
Place `i` may look at the places up to and including itself: the lower triangle of an all-True
matrix, diagonal included. Looking at a later place would be reading the answer.
""", solution_code="""
def lower_triangle(n):
    return np.tril(np.ones((n, n), dtype=bool))


check("08.causal_mask", lower_triangle, data=data, solution=True)
""")

# -- 08.next_movie_examples ---------------------------------------------------------------------------------

def judge_next_movie_examples(answer, context):
    train = context.data.train
    users_with_ratings = train.user_idx.nunique()
    expected = len(train) - users_with_ratings
    judge_number(number(answer), expected, 0, [
        (lambda: len(train), "that is one example per rating, but a user's last movie has no next movie to guess"),
        (lambda: len(train) - 1, "that treats all the train ratings as one sequence: each user's is one of its own"),
        (lambda: len(train) - 2 * users_with_ratings, "each sequence loses one example, not two: only its last "
                                                      "movie has nothing after it"),
    ], otherwise="count, for each user, the movies that have a next movie, and add them up")

NEXT_MOVIE_EXAMPLES = Exercise(
    "08.next_movie_examples", judge_next_movie_examples, title="How many examples?", prompt="""
Each user's ratings in `data.train` form one sequence, and every movie that
has a next movie in its sequence is one next-movie example. How many examples do the train ratings
make? (Count with numpy or pandas; windows and padding play no part.)
""", stub="""
next_movie_examples = ...  # a whole number
check("08.next_movie_examples", next_movie_examples, data=data)
""", solution_text="""
In each sequence every movie but the last has a next movie, so a user with `n` train ratings
gives `n - 1` examples: in all, the number of train ratings less the number of users who have any.
""", solution_code="""
check("08.next_movie_examples", len(data.train) - data.train.user_idx.nunique(), data=data, solution=True)
""")

# -- the questionnaire --------------------------------------------------------------------------------------

def judge_window_examples(answer, context):
    judge_hashed_number("08.q.window_examples", answer, "55802003ee069a82", {
        "104b571c66374046": "the last movie of the window is a target only: nothing comes after it to guess",
        "f7f604c84a278892": "the first movie is an input, and the movie after it a target: count the targets",
        "62b692b691140611": "that is the one guess a user's list is made from, but training guesses at every place",
    }, otherwise="not that: count the places of the window that have a next movie")


WINDOW_EXAMPLES = Exercise(
    "08.q.window_examples", judge_window_examples, kind=QUESTION, prompt="""
A window of 31 movies: how many next-movie examples does it give?
""", stub="""
window_examples = ...
check("08.q.window_examples", window_examples, data=data)
""", solution_text="""
**30**: each of the first 30 movies is an input whose next movie is a target; the 31st is a target only.
""", solution_code="""
check("08.q.window_examples", 30, data=data, solution=True)
""")


def judge_hides_future(answer, context):
    judge_choice("08.q.hides_future", answer, "ef21a049566a4364", "abc", {
        "445c5e67113fad49": "the padding mask hides the padding tokens, which are in the past",
        "fb3332392f64a1ed": "the position vectors tell the model where a movie is, not what it may look at",
    })

HIDES_FUTURE = Exercise(
    "08.q.hides_future", judge_hides_future, kind=QUESTION, prompt="""
Which hides the later places from a place: (a) the padding mask, (b) the causal mask, (c) the
position embedding?
""", stub="""
hides_future = ...  # "a", "b" or "c"
check("08.q.hides_future", hides_future, data=data)
""", solution_text="""
**(b)** the causal mask: place `i` sees only places up to `i`. The padding mask hides the padding
tokens; the positions only tell the model where each movie is.
""", solution_code="""
check("08.q.hides_future", "b", data=data, solution=True)
""")


#: The questionnaire, in the order asked: its checked questions are exercises above.
QUESTIONNAIRE = [
    Question("Why can a model that treats a history as a bag not say what a user will watch *next*?", """
A bag has no first and no last: the model would make the same list whether a movie was watched
yesterday or years ago, and what someone watches next depends most on what they watched last.
"""),
    WINDOW_EXAMPLES,
    HIDES_FUTURE,
    Question("Why is training the same model on shuffled histories the fair way to measure what order is worth?", """
Everything else stays the same (the movies, the model, the training, the number of epochs allowed), so
the only difference between the two models is whether the positions carry time: the gap between them
is what order is worth, and nothing else.
"""),
    Question("""
The next-movie model learned from the first 80% of each history, as lesson 7's models did. Why do its
lists of the test ratings improve when it is given the validation ratings to read, with no retraining?
Which of lesson 7's models could read them the same way?
""", """
What someone watches next follows most from what they watched last, and the validation ratings are the
ones right before the test: reading them, the model starts from the user's latest movies instead of
movies months old. It needs no retraining, since a user is only its input. EASE can do the same: a user
is their row of `X`, times the `B` it learned. The two-tower model has a trained vector per user, frozen
at the end of the 80%: it needs a fold-in (lesson 7) to take in new ratings.
"""),
    Question("""
Why does the ID tower rank cold movies no better than random, and what does the content tower give up
on warm movies in exchange for ranking them?
""", """
A cold movie's row of the ID embedding never appeared in a training batch, so it keeps its random
initial vector: its scores are noise. The content tower builds every movie's vector from its genres and
decade, so a new movie has a meaningful vector at once; but movies with the same genres and decade get
the same vector, so on warm movies it cannot tell apart what the ratings can (which comedies, which
dramas), and its lists there are much worse than the ID tower's.
"""),
]

#: Every exercise of the lesson, in the order its notebook asks them.
EXERCISES = [TIME_ORDER, CAUSAL_MASK, NEXT_MOVIE_EXAMPLES, WINDOW_EXAMPLES, HIDES_FUTURE]
