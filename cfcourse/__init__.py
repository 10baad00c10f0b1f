"""What the lessons of the collaborative-filtering-with-Keras course share.

The lessons in ``notebooks/`` hold the models, the training and the analysis. This
package has two halves:

- the lessons' helpers, at the top: :mod:`cfcourse.lesson` (one call opens a lesson, one
  closes it), :mod:`cfcourse.training` (the training loop lesson 02 teaches), :mod:`cfcourse.ranking`
  (top-k lists and their metrics), :mod:`cfcourse.metrics`, :mod:`cfcourse.plotting`, and the
  small modules they stand on (paths, runs, parameters, published results, the backend);
- :mod:`cfcourse.data`, the data supply: download and verification, editions, readers, encoding,
  the split and generated data. It never imports from the half above.
"""
