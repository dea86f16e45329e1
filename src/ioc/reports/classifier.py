"""The suggested category of a report: a small text classifier trained from shipped examples.

TF-IDF over diacritic-folded words, word pairs and character n-grams, and a multinomial
logistic regression fitted with numpy: no network, no model file, trained at first use
from `data/category_examples.jsonl` (well under a second) and kept for the process.

The examples are grouped: the variants of one core sentence share a `group`. A fixed
part of the groups (by a hash of the group) is held out, so the accuracy is measured on
sentences whose substance the model never saw:

    DJANGO_SETTINGS_MODULE=ioc.settings .venv/bin/python -m ioc.reports.classifier --evaluate
"""

import contextlib
import itertools
import json
import math
import re
import sys
import threading
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ioc.geo.names import fold

EXAMPLES_FILE = Path(__file__).resolve().parent / "data" / "category_examples.jsonl"
HELD_OUT_PERCENT = 20
TOP = 3
MIN_DOCUMENT_FREQUENCY = 2
L2 = 1e-4
EPOCHS = 40
LEARNING_RATE = 4.0
# Softmax temperature: at 0.45 the mean top-1 confidence on the held-out part (0.666)
# matches the top-1 accuracy there (0.671); at 1.0 it was 0.344, far too modest.
TEMPERATURE = 0.45
MIN_LETTERS = 3


@dataclass(frozen=True)
class Example:
    text: str
    category: str
    group: str


def read_examples(path: Path = EXAMPLES_FILE) -> list[Example]:
    examples = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                row = json.loads(line)
                examples.append(
                    Example(row["text"], row["category"], row.get("group", row["text"]))
                )
    return examples


def is_held_out(example: Example) -> bool:
    return zlib.crc32(example.group.encode()) % 100 < HELD_OUT_PERCENT


def features(text: str) -> list[str]:
    """Folded words, word pairs, and character 3- to 5-grams inside words."""
    words = re.findall(r"\w+", fold(text))
    grams = [f"w:{word}" for word in words]
    grams += [f"b:{a}_{b}" for a, b in itertools.pairwise(words)]
    for word in words:
        padded = f"<{word}>"
        for size in (3, 4, 5):
            grams += [f"c:{padded[i : i + size]}" for i in range(len(padded) - size + 1)]
    return grams


class Classifier:
    def __init__(self, examples: list[Example]) -> None:
        self.labels = sorted({example.category for example in examples})
        documents = [Counter(features(example.text)) for example in examples]
        frequency = Counter(gram for document in documents for gram in document)
        vocabulary = sorted(g for g, n in frequency.items() if n >= MIN_DOCUMENT_FREQUENCY)
        self.index = {gram: i for i, gram in enumerate(vocabulary)}
        count = len(documents)
        self.idf = np.array(
            [math.log((1 + count) / (1 + frequency[gram])) + 1 for gram in vocabulary],
            dtype=np.float64,
        )
        rows = [self._vector(document) for document in documents]
        y = np.array([self.labels.index(example.category) for example in examples])
        self.weights, self.bias = _fit(_Sparse(rows, len(vocabulary)), y, len(self.labels))

    def _vector(self, document: Counter) -> tuple[np.ndarray, np.ndarray]:
        """(indices, values) of the document's L2-normalised sublinear TF-IDF."""
        pairs = sorted(
            (self.index[gram], (1 + math.log(n)) * self.idf[self.index[gram]])
            for gram, n in document.items()
            if gram in self.index
        )
        indices = np.array([i for i, _v in pairs], dtype=np.int64)
        values = np.array([v for _i, v in pairs], dtype=np.float64)
        norm = np.linalg.norm(values)
        return indices, (values / norm if norm else values)

    def predict(self, text: str, top: int = TOP) -> list[tuple[str, float]]:
        indices, values = self._vector(Counter(features(text)))
        if not len(indices):
            return []
        scores = (values @ self.weights[indices] + self.bias) / TEMPERATURE
        probabilities = np.exp(scores - scores.max())
        probabilities /= probabilities.sum()
        best = np.argsort(-probabilities)[:top]
        return [(self.labels[i], round(float(probabilities[i]), 3)) for i in best]


class _Sparse:
    """Rows of (indices, values) as one compressed sparse matrix: x @ w and x.T @ e.

    Every column holds a value (the vocabulary is made of the documents' own grams)."""

    def __init__(self, rows: list[tuple[np.ndarray, np.ndarray]], columns: int) -> None:
        self.shape = (len(rows), columns)
        self.indices = np.concatenate([indices for indices, _values in rows])
        self.values = np.concatenate([values for _indices, values in rows])
        lengths = np.array([len(indices) for indices, _values in rows])
        self.row_of = np.repeat(np.arange(len(rows)), lengths)
        self.row_starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        self.by_column = np.argsort(self.indices, kind="stable")
        sorted_columns = self.indices[self.by_column]
        self.column_starts = np.flatnonzero(np.diff(sorted_columns, prepend=-1))

    def __matmul__(self, weights: np.ndarray) -> np.ndarray:
        products = self.values[:, None] * weights[self.indices]
        return np.add.reduceat(products, self.row_starts, axis=0)

    def transposed_times(self, error: np.ndarray) -> np.ndarray:
        order = self.by_column
        products = self.values[order, None] * error[self.row_of[order]]
        return np.add.reduceat(products, self.column_starts, axis=0)


def _fit(x: _Sparse, y: np.ndarray, classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression, full-batch gradient descent with momentum."""
    samples, dimensions = x.shape
    weights = np.zeros((dimensions, classes))
    bias = np.zeros(classes)
    target = np.eye(classes)[y]
    velocity_w, velocity_b = np.zeros_like(weights), np.zeros_like(bias)
    for _epoch in range(EPOCHS):
        scores = x @ weights + bias
        scores -= scores.max(axis=1, keepdims=True)
        probabilities = np.exp(scores)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        error = (probabilities - target) / samples
        gradient_w = x.transposed_times(error) + L2 * weights
        gradient_b = error.sum(axis=0)
        velocity_w = 0.9 * velocity_w - LEARNING_RATE * gradient_w
        velocity_b = 0.9 * velocity_b - LEARNING_RATE * gradient_b
        weights += velocity_w
        bias += velocity_b
    return weights, bias


_lock = threading.Lock()
_model: dict[str, Classifier] = {}
_training: list[threading.Thread] = []


def classifier() -> Classifier:
    """The model trained on every shipped example, once per process."""
    with _lock:
        if "all" not in _model:
            _model["all"] = Classifier(read_examples())
        return _model["all"]


def train_in_background() -> threading.Thread:
    """Start training the process's model in a thread (once); returns that thread."""
    with _lock:
        if not _training:
            _training.append(threading.Thread(target=_train_quietly, daemon=True))
            _training[0].start()
        return _training[0]


def _train_quietly() -> None:
    # On failure suggest_category() says nothing, and tries again when waited for.
    with contextlib.suppress(OSError, ValueError):
        classifier()


def suggest_category(text: str, *, wait: bool = True) -> list[tuple[str, float]]:
    """Up to three (category code, confidence) pairs, best first; empty for text with too
    few letters to judge. Never raises on odd input: a suggestion must not block a citizen.

    Training takes about a second at the first use in a process (several on a busy
    machine); with wait=False that first call starts it in the background and returns
    no suggestion instead of waiting (a web request)."""
    if not isinstance(text, str) or sum(char.isalpha() for char in text) < MIN_LETTERS:
        return []
    if not wait and "all" not in _model:
        train_in_background()
        return []
    try:
        return classifier().predict(text)
    except (OSError, ValueError):
        return []


@dataclass(frozen=True)
class Evaluation:
    train: int
    held_out: int
    top1: float
    top3: float


def evaluate(path: Path = EXAMPLES_FILE) -> Evaluation:
    """Train on the kept part, measure on the held-out part (fixed by the groups' hash)."""
    examples = read_examples(path)
    train = [example for example in examples if not is_held_out(example)]
    test = [example for example in examples if is_held_out(example)]
    model = Classifier(train)
    top1 = top3 = 0
    for example in test:
        codes = [code for code, _confidence in model.predict(example.text)]
        top1 += bool(codes) and codes[0] == example.category
        top3 += example.category in codes
    return Evaluation(
        train=len(train),
        held_out=len(test),
        top1=round(top1 / len(test), 3),
        top3=round(top3 / len(test), 3),
    )


def main(argv: list[str]) -> int:
    if argv[:1] == ["--evaluate"]:
        result = evaluate()
        print(
            f"trained on {result.train} examples, held out {result.held_out}: "
            f"top-1 accuracy {result.top1:.3f}, top-3 accuracy {result.top3:.3f}"
        )
        return 0
    text = " ".join(argv)
    for code, confidence in suggest_category(text):
        print(f"{code:<20} {confidence:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
