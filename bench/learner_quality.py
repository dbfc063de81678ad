"""How well each learner rule predicts a user's next decision (progressive validation).

A seeded synthetic decision stream: users with known hidden preferences (a weight per
category, per sender domain, per subject word, plus an overall leaning) decide on emails
drawn from a small vocabulary; a user approves with probability σ(hidden score). Every
model predicts each decision *before* it learns from it, so every event is a test event
(progressive validation, Blum et al. 1999). Each user has its own model, as in the service.

Rows: the ``linear`` seed rule (with the documented calibration and without it), the
``logistic`` FTRL-Proximal rule, River's ``linear_model.LogisticRegression`` as an outside
reference (its default optimizer, plain SGD with lr 0.01; AdaGrad; and River's own
FTRL-Proximal with our defaults, as a cross-check of our implementation), a constant
baseline (the running global approve rate), a per-user approve rate, and the oracle (the
true probability: the best any model can do). Prints a table; asserts nothing.

    uv run --with river==0.26.1 python bench/learner_quality.py            # evaluation (seed 7)
    uv run --with river==0.26.1 python bench/learner_quality.py --tune     # the grids (seed 1)

River is optional: without it its rows are skipped.
"""

from __future__ import annotations

import argparse
import math
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from applylens_contracts.events import EmailSnapshot
from applylens_learner.domain import (
    LINEAR_CALIBRATION,
    Calibration,
    FeatureState,
    LinearParams,
    LogisticParams,
    apply_logistic,
    features,
    linear_deltas,
    score,
    sigmoid,
)

CATEGORIES = ["promo", "newsletter", "social", "updates", "finance", "recruiter", "events", "personal"]
TOPIC_WORDS = {
    "promo": "sale discount deal coupon offer clearance flash wholesale savings bundle voucher outlet",
    "newsletter": "weekly digest roundup issue edition briefing highlights recap stories trends",
    "social": "friend tagged photo comment liked followers mention invitation profile story",
    "updates": "security alert password login account verify policy terms update notice",
    "finance": "receipt invoice payment statement order refund charge billing subscription renewal",
    "recruiter": "role opportunity interview engineer position hiring recruiter application onsite offer",
    "events": "event meetup conference webinar workshop summit ticket registration agenda talk",
    "personal": "dinner weekend trip family birthday photos plans catch call lunch",
}
GENERAL_WORDS = (
    "new today latest important reminder quick final last chance exclusive free inside "
    "prevent eventually special limited members community team product launch news"
).split()
FILLER = "the a your for and of to in on with is this our you".split()


@dataclass
class World:
    domains: dict[str, list[str]]  # category -> sender hosts
    list_ids: dict[str, str]  # host -> list id


@dataclass
class User:
    id: str
    hidden: dict[str, float]  # feature -> weight, plus "bias"
    category_mix: list[float]
    n_decisions: int


def make_world(rng: random.Random) -> World:
    domains: dict[str, list[str]] = {}
    list_ids: dict[str, str] = {}
    for c in CATEGORIES:
        hosts = []
        for i in range(rng.randint(5, 9)):
            base = f"{c}{i}{rng.choice(['shop', 'mail', 'hub', 'co', 'labs'])}.{rng.choice(['com', 'io', 'co.uk', 'de'])}"
            host = f"{rng.choice(['email.', 'news.', 'mail.', ''])}{base}"
            hosts.append(host)
            if rng.random() < 0.5:
                list_ids[host] = f"{rng.choice(['Deals', 'News', 'Updates'])} <list{i}.{base}>"
        domains[c] = hosts
    return World(domains, list_ids)


def make_user(rng: random.Random, i: int, world: World) -> User:
    hidden: dict[str, float] = {"bias": rng.gauss(0.0, 0.5)}
    for c in CATEGORIES:
        hidden[f"category:{c}"] = rng.gauss(0.0, 1.5)
        for host in world.domains[c]:
            if rng.random() < 0.3:
                dom = features(EmailSnapshot(id="x", sender_domain=host))[0]
                hidden[dom] = rng.gauss(0.0, 1.0)
    all_topic = [w for c in CATEGORIES for w in TOPIC_WORDS[c].split()]
    for word in rng.sample(all_topic + GENERAL_WORDS, 12):
        hidden[f"contains:{word}"] = rng.gauss(0.0, 1.0)
    mix = [rng.random() ** 2 for _ in CATEGORIES]
    n = int(min(400, max(10, rng.lognormvariate(4.2, 0.8))))  # median ~67 decisions, long tail
    return User(f"user{i}@example.com", hidden, mix, n)


def make_email(rng: random.Random, user: User, world: World, k: int) -> EmailSnapshot:
    c = rng.choices(CATEGORIES, weights=user.category_mix)[0]
    host = rng.choice(world.domains[c])
    words = []
    for _ in range(rng.randint(3, 7)):
        r = rng.random()
        if r < 0.55:
            words.append(rng.choice(TOPIC_WORDS[c].split()))
        elif r < 0.8:
            words.append(rng.choice(GENERAL_WORDS))
        elif r < 0.93:
            words.append(rng.choice(FILLER))
        else:
            words.append(str(rng.randint(2, 2030)))
    subject = " ".join(words).capitalize()
    return EmailSnapshot(id=f"{user.id}/{k}", category=c, sender_domain=host, list_id=world.list_ids.get(host), subject=subject)


@dataclass(frozen=True)
class Event:
    user: str
    features: tuple[str, ...]
    y: int  # +1 approve, -1 reject
    p_true: float


def decision_stream(seed: int, n_users: int) -> list[Event]:
    """Every user's decisions in order, users interleaved at random."""
    rng = random.Random(seed)
    world = make_world(rng)
    users = [make_user(rng, i, world) for i in range(n_users)]
    per_user: list[list[Event]] = []
    for u in users:
        events = []
        for k in range(u.n_decisions):
            feats = tuple(features(make_email(rng, u, world, k)))
            p = sigmoid(u.hidden["bias"] + sum(u.hidden.get(f, 0.0) for f in feats))
            events.append(Event(u.id, feats, 1 if rng.random() < p else -1, p))
        per_user.append(events)
    # interleave: repeatedly take the next event of a user picked in proportion to what it has left
    cursors = [0] * len(per_user)
    remaining = [len(e) for e in per_user]
    out: list[Event] = []
    total = sum(remaining)
    while len(out) < total:
        i = rng.choices(range(len(per_user)), weights=remaining)[0]
        out.append(per_user[i][cursors[i]])
        cursors[i] += 1
        remaining[i] -= 1
    return out


# ---- models: (predict, learn) over per-user state ---------------------------------------


class Model:
    name: str

    def predict(self, e: Event) -> float: ...

    def learn(self, e: Event) -> None: ...


@dataclass
class Linear(Model):
    name: str
    calibration: Calibration
    params: LinearParams = LinearParams()
    w: dict[str, dict[str, float]] = field(default_factory=dict)

    def predict(self, e: Event) -> float:
        return score(self.w.get(e.user, {}), e.features, calibration=self.calibration).probability

    def learn(self, e: Event) -> None:
        w = self.w.setdefault(e.user, {})
        for f, d in linear_deltas(e.features, e.y, self.params).items():
            w[f] = w.get(f, 0.0) + d


@dataclass
class Logistic(Model):
    name: str
    params: LogisticParams = LogisticParams()
    state: dict[str, dict[str, FeatureState]] = field(default_factory=dict)

    def predict(self, e: Event) -> float:
        s = self.state.get(e.user, {})
        return score({f: st.weight for f, st in s.items()}, e.features).probability

    def learn(self, e: Event) -> None:
        self.state[e.user] = apply_logistic(self.state.get(e.user, {}), e.features, e.y, self.params)


@dataclass
class GlobalRate(Model):
    name: str = "constant (running global approve rate)"
    approved: int = 0
    seen: int = 0

    def predict(self, e: Event) -> float:
        return (self.approved + 1) / (self.seen + 2)

    def learn(self, e: Event) -> None:
        self.seen += 1
        self.approved += e.y > 0


@dataclass
class UserRate(Model):
    name: str = "per-user approve rate"
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)

    def predict(self, e: Event) -> float:
        a, n = self.counts.get(e.user, (0, 0))
        return (a + 1) / (n + 2)

    def learn(self, e: Event) -> None:
        a, n = self.counts.get(e.user, (0, 0))
        self.counts[e.user] = (a + (e.y > 0), n + 1)


@dataclass
class Oracle(Model):
    name: str = "oracle (true probability)"

    def predict(self, e: Event) -> float:
        return e.p_true

    def learn(self, e: Event) -> None:
        pass


@dataclass
class River(Model):
    name: str
    factory: Callable[[], object]
    models: dict[str, object] = field(default_factory=dict)

    def _model(self, user: str):
        m = self.models.get(user)
        if m is None:
            m = self.models[user] = self.factory()
        return m

    def predict(self, e: Event) -> float:
        return self._model(e.user).predict_proba_one(dict.fromkeys(e.features, 1.0)).get(True, 0.5)

    def learn(self, e: Event) -> None:
        self._model(e.user).learn_one(dict.fromkeys(e.features, 1.0), e.y > 0)


def river_models() -> Iterator[Model]:
    try:
        from river import linear_model, optim
    except ImportError:
        print("(river not installed: its rows are skipped; run with `uv run --with river==0.26.1 ...`)")
        return
    yield River("river LogisticRegression, default optim.SGD(0.01)", linear_model.LogisticRegression)
    yield River(
        "river LogisticRegression, optim.AdaGrad(0.5), l2=0.01",
        lambda: linear_model.LogisticRegression(optimizer=optim.AdaGrad(0.5), l2=0.01, intercept_lr=0.1),
    )
    # the same algorithm as our `logistic`, implemented independently: a cross-check (its
    # intercept is learned by plain SGD, ours by FTRL like any other feature)
    d = LogisticParams()
    yield River(
        f"river LogisticRegression, optim.FTRLProximal(α={d.alpha:g}, β={d.beta:g}, λ2={d.l2:g})",
        lambda: linear_model.LogisticRegression(
            optimizer=optim.FTRLProximal(alpha=d.alpha, beta=d.beta, l1=d.l1, l2=d.l2), intercept_lr=0.1
        ),
    )


# ---- progressive validation -------------------------------------------------------------

WARM = 20  # "late" columns: only a user's decisions after its first WARM


@dataclass
class Result:
    name: str
    n: int = 0
    correct: int = 0
    loss: float = 0.0
    n_late: int = 0
    correct_late: int = 0
    loss_late: float = 0.0
    seconds: float = 0.0


def evaluate(model: Model, stream: list[Event]) -> Result:
    r = Result(model.name)
    seen: dict[str, int] = {}
    t0 = time.perf_counter()
    for e in stream:
        p = min(max(model.predict(e), 1e-15), 1 - 1e-15)
        model.learn(e)
        hit = (p >= 0.5) == (e.y > 0)
        loss = -math.log(p if e.y > 0 else 1 - p)
        r.n += 1
        r.correct += hit
        r.loss += loss
        k = seen[e.user] = seen.get(e.user, 0) + 1
        if k > WARM:
            r.n_late += 1
            r.correct_late += hit
            r.loss_late += loss
    r.seconds = time.perf_counter() - t0
    return r


def print_table(results: list[Result]) -> None:
    head = f"{'model':<66} {'accuracy':>8} {'log-loss':>8} {'acc>' + str(WARM):>8} {'ll>' + str(WARM):>8} {'µs/event':>9}"
    print(head)
    print("-" * len(head))
    for r in results:
        print(
            f"{r.name:<66} {r.correct / r.n:>8.4f} {r.loss / r.n:>8.4f} "
            f"{r.correct_late / max(r.n_late, 1):>8.4f} {r.loss_late / max(r.n_late, 1):>8.4f} "
            f"{1e6 * r.seconds / r.n:>9.1f}"
        )


def tune(seed: int, n_users: int) -> None:
    stream = decision_stream(seed, n_users)
    print(f"tuning on seed {seed}: {len(stream)} decisions of {n_users} users\n")
    results = [evaluate(Linear(f"linear, T={t}", Calibration(t)), stream) for t in (1, 2, 3, 4, 5, 6, 8)]
    for alpha in (0.1, 0.3, 0.5, 1.0):
        for l2 in (0.0, 0.5, 1.0, 2.0):
            results.append(evaluate(Logistic(f"logistic α={alpha} λ2={l2}", LogisticParams(alpha=alpha, l2=l2)), stream))
    print_table(results)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--users", type=int, default=300)
    ap.add_argument("--tune", action="store_true", help="print the calibration and FTRL grids on seed 1 instead")
    args = ap.parse_args()
    if args.tune:
        tune(1, args.users)
        return
    t0 = time.perf_counter()
    stream = decision_stream(args.seed, args.users)
    approve = sum(e.y > 0 for e in stream) / len(stream)
    print(
        f"seed {args.seed}: {len(stream)} decisions of {args.users} users "
        f"(approve rate {approve:.3f}), generated in {time.perf_counter() - t0:.1f} s\n"
    )
    models: list[Model] = [
        Oracle(),
        GlobalRate(),
        UserRate(),
        Linear("linear (seed rule, η=0.2), uncalibrated σ(score)", Calibration(1.0)),
        Linear(f"linear (seed rule, η=0.2), σ(score/{LINEAR_CALIBRATION.temperature:g})", LINEAR_CALIBRATION),
        Logistic(f"logistic FTRL-Proximal ({_params(LogisticParams())})"),
        *river_models(),
    ]
    print_table([evaluate(m, stream) for m in models])
    print(f"\ntotal {time.perf_counter() - t0:.1f} s; accuracy predicts approve when p >= 0.5; "
          f"'>{WARM}' columns count only a user's decisions after its first {WARM}.")


def _params(p: LogisticParams) -> str:
    return f"α={p.alpha:g} β={p.beta:g} λ1={p.l1:g} λ2={p.l2:g} |w|≤{p.bound:g}"


if __name__ == "__main__":
    main()
