"""How a training lesson trains, chosen by how many training ratings there are.

Up to :data:`LARGE_TRAINING_SET` training ratings (ml-latest-small, ml-100k) every lesson
trains exactly as its parameters say: Adam, the lesson's rate and batch size, and an L2
penalty on the whole embedding tables. Past it (ml-1m and up), two facts about embedding
tables decide the training instead:

1. **Adam touches every row at every step.** It keeps two running averages for every
   weight and moves every row of every table at every step, whether the row was in the
   batch or not: its cost per step grows with the tables, not with the batch. At ml-25m's
   size (162,541 users and 59,047 movies, 50 factors) that is about 51 ms per step, some
   500 s per epoch at batch 2048. Plain SGD moves only the rows the batch looked up.
2. **A penalty on the whole table is a gradient for every row.** ``embeddings_regularizer``
   adds ``l2 * sum(table ** 2)`` to the loss, so every row gets a gradient at every step:
   SGD would touch every row again, and Adam, which scales each step to the same size,
   pulls a row seen once an epoch towards zero at full speed. ``activity_regularizer``
   penalises the rows looked up in each batch instead, as classic matrix factorisation
   does: a row is shrunk each time it is used, never in between.

So past the threshold the dot-product and bias models train with SGD and the penalty on
the rows in the batch, in large batches. The mean loss divides each rating's pull on its
rows by the batch size, so SGD's rate is large: 200 / 16,384 is about 0.012 per rating.

The neural network has dense layers, which every rating updates: SGD with one rate for
them and for the embeddings does not train (measured: validation RMSE 0.94 on
synthetic-1m, against 0.75 for the closed-form biases). It keeps Adam, with large batches
so that its whole-table update is paid 1,221 times an epoch instead of 9,766 times.

Every value comes from :func:`plan_training`; ``TrainingPlan.describe`` says in one line
which ones apply, so a learner sees what their run uses.
"""

from __future__ import annotations

from dataclasses import dataclass

#: From this many training ratings on, lessons train with the large-data settings below.
LARGE_TRAINING_SET = 500_000
#: Lesson 07 trains five models and judges each epoch's lists: past this many training ratings it learns
#: from a seeded sample of users whose train ratings total this many (ml-25m: about 6,500 of 162,541 users).
LIST_TRAINING_RATINGS = 1_000_000
#: Large-data settings: ratings per step, and training steps TensorFlow runs per call from Python.
LARGE_BATCH_SIZE = 16_384
LARGE_STEPS_PER_EXECUTION = 8
#: SGD's rate and its penalty per looked-up row, for the dot-product and bias models.
SGD_LEARNING_RATE = 200.0
SGD_ROW_L2 = 5e-7
#: Adam's rate and its penalty per looked-up row, for the neural network.
NETWORK_LEARNING_RATE = 3e-3
NETWORK_ROW_L2 = 1e-6
#: The optimisers' names, in print and in ``keras.optimizers``.
OPTIMIZER_NAMES = {"adam": "Adam", "sgd": "SGD"}


@dataclass(frozen=True)
class TrainingPlan:
    """The optimiser, rate, batch, penalty and epochs one training lesson uses."""

    n_train_ratings: int
    optimizer: str  # "adam" or "sgd"
    learning_rate: float
    batch_size: int
    epochs: int
    l2: float
    #: ``"table"``: L2 on the whole embedding tables at every step (``embeddings_regularizer``);
    #: ``"rows"``: L2 on the rows each batch looks up (``activity_regularizer``).
    penalised: str
    steps_per_execution: int = 1

    @property
    def large(self) -> bool:
        """True when the large-data settings apply, not the lesson's parameters."""
        return self.n_train_ratings >= LARGE_TRAINING_SET

    def make_optimizer(self):
        """A fresh Keras optimiser: every model needs its own, since it keeps state per weight."""
        import keras

        return getattr(keras.optimizers, OPTIMIZER_NAMES[self.optimizer])(learning_rate=self.learning_rate)

    def embedding_penalty(self) -> dict:
        """The keyword argument that puts this plan's L2 penalty on an ``Embedding`` layer."""
        import keras

        argument = "embeddings_regularizer" if self.penalised == "table" else "activity_regularizer"
        return {argument: keras.regularizers.L2(self.l2)}

    def describe(self) -> str:
        """One line: what this run trains with, and why."""
        where = "on the whole tables" if self.penalised == "table" else "on the rows in each batch"
        settings = (f"{OPTIMIZER_NAMES[self.optimizer]} at rate {self.learning_rate:g}, "
                    f"batch {self.batch_size:,}, L2 {self.l2:g} {where}, at most {self.epochs} epochs")
        if not self.large:
            return f"{self.n_train_ratings:,} training ratings: {settings}, as the parameters say."
        return (f"{self.n_train_ratings:,} training ratings, {LARGE_TRAINING_SET:,} or more: {settings} "
                "(the large-data settings of cfcourse.training_plan, in place of learning_rate, batch_size and l2).")


def plan_training(n_train_ratings: int, *, learning_rate: float, batch_size: int, epochs: int, l2: float,
                  network: bool = False) -> TrainingPlan:
    """The plan for ``n_train_ratings``: the lesson's own values below :data:`LARGE_TRAINING_SET`,
    the large-data settings from it on (see the module). ``network`` asks for the neural network's."""
    if n_train_ratings < LARGE_TRAINING_SET:
        return TrainingPlan(n_train_ratings, "adam", learning_rate, batch_size, epochs, l2, "table")
    if network:
        return TrainingPlan(n_train_ratings, "adam", NETWORK_LEARNING_RATE, LARGE_BATCH_SIZE, epochs, NETWORK_ROW_L2,
                            "rows", LARGE_STEPS_PER_EXECUTION)
    return TrainingPlan(n_train_ratings, "sgd", SGD_LEARNING_RATE, LARGE_BATCH_SIZE, epochs, SGD_ROW_L2, "rows",
                        LARGE_STEPS_PER_EXECUTION)
