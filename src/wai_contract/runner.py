"""The conformance runner: cases -> requests -> judged results -> a :class:`Report`.

Cases come from the generator (boundary checklist first, then random bodies), from probes
for the semantic checks, from the auth check and from the contract's examples. Requests
go through an injected ``httpx.Client`` (tests pass one with ``httpx.MockTransport``), in
parallel, each read completely within its timeout. Every failure of a generated body is
shrunk to a minimal body that still fails the same way, by re-sending smaller bodies.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson

from . import __version__
from ._client import BudgetExhausted, RequestBudget, send
from .checks import CHECKS
from .checks.auth import judge_unauthorised
from .checks.base import Outcome, Problem, server_error, transport_problem
from .checks.envelope import judge_accepted, judge_rejected
from .checks.semantics import max_tokens_problem, tool_call_problems, usage_problem
from .checks.streaming import judge_stream
from .contracts import Contract, load_contract
from .generate import GeneratedBody, generate
from .lint import lint
from .report.model import CaseResult, CheckResult, Report
from .validators import compile_validator

__all__ = ["PlannedRequest", "RunOptions", "Target", "plan", "run"]

DEFAULTS = {"max_examples": 500, "seed": 0, "concurrency": 4, "timeout": 30.0}
FAILURES_KEPT = 25
HANGS_BEFORE_SHORTER_TIMEOUT = 5
SHORTER_TIMEOUT = 5.0
SHRINKS_PER_CHECK = 5
SHRINK_REQUESTS = 40
WRONG_TOKEN = "wai-contract-deliberately-wrong-token"
LONG_ANSWER = "Write a very long story about the origin of the phrase Hello, World."
PROBE_TOOLS = [
    {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {
            "type": "object",
            "required": ["city"],
            "properties": {
                "city": {"type": "string", "description": "City name"},
                "days": {"type": "integer", "description": "Days ahead"},
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "convert_currency",
            "description": "Convert an amount between currencies",
            "parameters": {
                "type": "object",
                "required": ["amount", "to"],
                "properties": {
                    "amount": {"type": "number", "description": "Amount to convert"},
                    "to": {"type": "string", "description": "Target currency code"},
                    "round": {"type": "boolean", "description": "Round to cents"},
                },
            },
        },
    },
]


@dataclass(frozen=True)
class Target:
    """Where to send requests, and the token (never written anywhere)."""

    url: str
    token: str | None = None


@dataclass
class RunOptions:
    """Run settings; ``None`` takes the contract's value, then the default."""

    max_examples: int | None = None
    seed: int | None = None
    timeout: float | None = None
    concurrency: int | None = None
    max_requests: int | None = None
    shrink: bool = True


@dataclass(frozen=True)
class PlannedRequest:
    """One request a run will send (``--dry-run`` lists them)."""

    case: str
    check: str
    body: Any
    authorised: bool = True
    stream: bool = False


@dataclass
class _Found:
    check: str
    case: str
    problems: list[Problem]
    outcome: Outcome | None = None
    body: Any = None
    tags: tuple[str, ...] = ()
    pointer: str | None = None
    judge: Callable[[Outcome], list[Problem]] | None = None
    """Re-judges a smaller body when shrinking; set for generated bodies."""
    shrunk_from: int | None = None
    exercised: bool = False
    """For tool-calls: the answer did call a tool."""


@dataclass
class _Sender:
    """Sends for the jobs and logs every outcome with the case that caused it."""

    client: httpx.Client
    target: Target
    timeout: float
    budget: RequestBudget
    log: list[tuple[str, str, Outcome]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    timeouts: int = 0

    @property
    def current_timeout(self) -> float:
        """The timeout, cut short once the server has hung several times, so that a server
        that hangs on many inputs still gets a report in reasonable time."""
        if self.timeouts >= HANGS_BEFORE_SHORTER_TIMEOUT:
            return min(self.timeout, SHORTER_TIMEOUT)
        return self.timeout

    def __call__(
        self, case: str, check: str, body: Any, *, token: str | bool | None = True
    ) -> Outcome:
        chosen = self.target.token if token is True else (token or None)
        outcome = send(
            self.client,
            self.target.url,
            body,
            token=chosen,
            timeout=self.current_timeout,
            budget=self.budget,
        )
        with self.lock:
            self.log.append((case, check, outcome))
            if (outcome.exchange.error or "").startswith("timeout"):
                self.timeouts += 1
        return outcome


Job = Callable[[_Sender], list[_Found]]


@dataclass
class _Plan:
    jobs: list[tuple[list[PlannedRequest], Job]] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)


def _settings(contract: Contract, options: RunOptions) -> dict[str, Any]:
    chosen = dict(DEFAULTS)
    chosen.update({k: v for k, v in contract.run.items() if k in DEFAULTS})
    for key in DEFAULTS:
        value = getattr(options, key)
        if value is not None:
            chosen[key] = value
    return chosen


def plan(
    target: Target, contract: Contract | None = None, options: RunOptions | None = None
) -> list[PlannedRequest]:
    """The requests a run would send, in order, without sending any."""
    contract = contract or load_contract()
    settings = _settings(contract, options or RunOptions())
    return [r for requests, _ in _make_plan(target, contract, settings).jobs for r in requests]


def run(
    target: Target,
    contract: Contract | None = None,
    options: RunOptions | None = None,
    *,
    client: httpx.Client | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Run the contract's checks against *target* and return the report.

    *client* is injected for tests (``httpx.Client(transport=httpx.MockTransport(...))``);
    by default one is made with the run's concurrency. *progress* is called with
    (jobs done, jobs planned) as the run goes.
    """
    contract = contract or load_contract()
    options = options or RunOptions()
    settings = _settings(contract, options)
    started = datetime.now(UTC)
    clock = time.monotonic()
    the_plan = _make_plan(target, contract, settings)
    own_client = client is None
    if client is None:
        client = _default_client(settings["concurrency"])
    sender = _Sender(
        client, target, float(settings["timeout"]), RequestBudget(options.max_requests)
    )
    found: list[_Found] = []
    notes: list[str] = []
    try:
        found = _execute(the_plan, sender, settings["concurrency"], progress, notes)
        found += _classify_log(sender.log, contract)
        if options.shrink:
            _shrink_failures(found, sender)
    finally:
        if own_client:
            client.close()
    checks = _check_results(found, contract, the_plan.notes, settings["seed"])
    return Report(
        target=target.url,
        started=started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        seconds=round(time.monotonic() - clock, 3),
        seed=settings["seed"],
        max_examples=settings["max_examples"],
        requests=sender.budget.sent,
        checks=checks,
        latencies_ms=[round(o.exchange.elapsed_ms, 2) for _, _, o in sender.log],
        contract=contract.source,
        version=__version__,
        notes=notes,
    )


def _default_client(concurrency: int) -> httpx.Client:
    # TCP_NODELAY: without it every keep-alive request can wait 40 ms for a delayed ACK.
    transport = httpx.HTTPTransport(
        socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)], retries=0
    )
    limits = httpx.Limits(
        max_connections=concurrency * 2, max_keepalive_connections=concurrency * 2
    )
    return httpx.Client(
        transport=transport,
        limits=limits,
        follow_redirects=False,
        headers={"User-Agent": f"wai-contract/{__version__}"},
    )


def _execute(
    the_plan: _Plan,
    sender: _Sender,
    concurrency: int,
    progress: Callable[[int, int], None] | None,
    notes: list[str],
) -> list[_Found]:
    total = len(the_plan.jobs)
    results: list[list[_Found]] = [[] for _ in range(total)]
    done = 0
    lock = threading.Lock()
    stopped = threading.Event()

    def work(index: int) -> None:
        nonlocal done
        if not stopped.is_set():
            try:
                results[index] = the_plan.jobs[index][1](sender)
            except BudgetExhausted:
                stopped.set()
        with lock:
            done += 1
            if progress:
                progress(done, total)

    with ThreadPoolExecutor(
        max_workers=max(1, concurrency), thread_name_prefix="wai-contract"
    ) as pool:
        list(pool.map(work, range(total)))
    if sender.timeouts >= HANGS_BEFORE_SHORTER_TIMEOUT and sender.timeout > SHORTER_TIMEOUT:
        notes.append(
            f"after {HANGS_BEFORE_SHORTER_TIMEOUT} timeouts the remaining requests "
            f"waited at most {SHORTER_TIMEOUT:g} s each ({sender.timeouts} timeouts "
            "in all)"
        )
    if stopped.is_set():
        notes.append(
            f"stopped early: --max-requests {sender.budget.limit} reached; "
            "later cases were not sent"
        )
    return [f for job in results for f in job]


# --- planning ----------------------------------------------------------------------------


def _make_plan(target: Target, contract: Contract, settings: dict[str, Any]) -> _Plan:
    the_plan = _Plan()
    body: Any
    generated = list(generate(settings["max_examples"], seed=settings["seed"]))
    on = contract.enabled
    for number, item in enumerate(generated, 1):
        case = f"b-{number:06d}"
        if item.valid and isinstance(item.payload, dict) and item.payload.get("stream") is True:
            if on("streaming"):
                the_plan.jobs.append(
                    (
                        [PlannedRequest(case, "streaming", item.payload, stream=True)],
                        _streamed_job(case, item),
                    )
                )
        elif item.valid:
            if on("accepts-valid"):
                the_plan.jobs.append(
                    (
                        [PlannedRequest(case, "accepts-valid", item.payload)],
                        _accepted_job(case, item),
                    )
                )
        elif on("rejects-invalid"):
            the_plan.jobs.append(
                ([PlannedRequest(case, "rejects-invalid", item.payload)], _rejected_job(case, item))
            )
    if on("streaming"):
        plain = [
            b
            for b in generated
            if b.valid and isinstance(b.payload, dict) and b.payload.get("stream") is not True
        ]
        for chosen in plain[: int(contract.setting("streaming", "compare_cases", 30))]:
            seeded = {**chosen.payload, "seed": chosen.payload.get("seed", 4242)}
            case = f"stream-vs-json-{len(the_plan.jobs):04d}"
            the_plan.jobs.append(
                (
                    [
                        PlannedRequest(case, "streaming", seeded),
                        PlannedRequest(case, "streaming", {**seeded, "stream": True}, stream=True),
                    ],
                    _compare_job(case, seeded),
                )
            )
    if on("max-tokens"):
        for limit in contract.setting("max-tokens", "probes", [1, 2, 5, 17]):
            body = {
                "messages": [{"role": "user", "content": LONG_ANSWER}],
                "max_tokens": limit,
                "seed": 11,
            }
            the_plan.jobs.append(
                (
                    [PlannedRequest(f"max-tokens-{limit}", "max-tokens", body)],
                    _probe_job(f"max-tokens-{limit}", body),
                )
            )
        if on("streaming"):  # a server without streaming gets no streamed request
            streamed = {"prompt": LONG_ANSWER, "max_tokens": 3, "stream": True, "seed": 12}
            the_plan.jobs.append(
                (
                    [PlannedRequest("max-tokens-stream-3", "max-tokens", streamed, stream=True)],
                    _streamed_job(
                        "max-tokens-stream-3", GeneratedBody(streamed, True, ("max-tokens",))
                    ),
                )
            )
    if on("seed-determinism"):
        seeds = (1, 42, 9999999999, 123456789)
        bodies = [
            {"prompt": "Tell me all about PEP-8", "seed": seeds[0]},
            {"messages": [{"role": "user", "content": "Why is pizza so good"}], "seed": seeds[1]},
            {"prompt": "Summarise Hamlet", "seed": seeds[2], "temperature": 1.5},
            {
                "messages": [
                    {"role": "system", "content": "Be brief"},
                    {"role": "user", "content": "Name three rivers"},
                ],
                "seed": seeds[3],
                "top_k": 5,
            },
        ]
        for number in range(int(contract.setting("seed-determinism", "probes", 4))):
            body = bodies[number % len(bodies)]
            case = f"seed-{number + 1}"
            the_plan.jobs.append(
                ([PlannedRequest(case, "seed-determinism", body)] * 2, _seed_job(case, body))
            )
    if on("tool-calls"):
        for number in range(int(contract.setting("tool-calls", "probes", 6))):
            body = {
                "messages": [
                    {
                        "role": "user",
                        "content": "What is the weather in Lisbon, and what is 20 EUR in USD?",
                    }
                ],
                "tools": PROBE_TOOLS,
                "seed": number + 1,
            }
            case = f"tools-{number + 1}"
            the_plan.jobs.append(
                ([PlannedRequest(case, "tool-calls", body)], _probe_job(case, body))
            )
    if on("auth"):
        if target.token:
            body = {"prompt": "hi"}
            the_plan.jobs.append(
                (
                    [
                        PlannedRequest("auth-no-token", "auth", body, False),
                        PlannedRequest("auth-wrong-token", "auth", body, False),
                    ],
                    _auth_job(body),
                )
            )
        else:
            the_plan.notes["auth"] = (
                "skipped: no token given (pass --token or set "
                "CLOUDFLARE_API_TOKEN, or disable the check)"
            )
    if on("examples"):
        for number, example in enumerate(contract.examples, 1):
            case = f"example-{number}"
            body = example.request
            if example.stream and isinstance(body, dict):
                body = {**body, "stream": True}
            the_plan.jobs.append(
                ([PlannedRequest(case, "examples", body)], _example_job(case, example))
            )
    return the_plan


# --- jobs ----------------------------------------------------------------------------------


def _semantic_findings(
    case: str, body: dict[str, Any], outcome: Outcome, text: str, usage: Any, calls: Any
) -> list[_Found]:
    found = []
    problem = max_tokens_problem(body, text, usage)
    found.append(_Found("max-tokens", case, [problem] if problem else [], outcome, body))
    problem = usage_problem(usage)
    if usage is not None:
        found.append(_Found("usage-totals", case, [problem] if problem else [], outcome, body))
    if calls or body.get("tools"):
        found.append(
            _Found(
                "tool-calls",
                case,
                tool_call_problems(body, calls),
                outcome,
                body,
                exercised=bool(calls),
            )
        )
    return found


def _result_of(outcome: Outcome) -> dict[str, Any] | None:
    envelope = outcome.json
    result = envelope.get("result") if isinstance(envelope, dict) else None
    return result if isinstance(result, dict) else None


def _answer_findings(
    case: str,
    body: dict[str, Any],
    outcome: Outcome,
    tags: tuple[str, ...],
    judge: Callable[[Outcome], list[Problem]] | None = None,
) -> list[_Found]:
    """An answer to a valid, non-streamed body: accepted? then what it means."""
    problems = judge_accepted(outcome)
    found = [_Found("accepts-valid", case, problems, outcome, body, tags, judge=judge)]
    result = _result_of(outcome)
    if not problems and result is not None:
        found += _semantic_findings(
            case,
            body,
            outcome,
            str(result.get("response", "")),
            result.get("usage"),
            result.get("tool_calls"),
        )
    return found


def _accepted_job(case: str, body: GeneratedBody) -> Job:
    def job(send: _Sender) -> list[_Found]:
        outcome = send(case, "accepts-valid", body.payload)
        return _answer_findings(case, body.payload, outcome, body.tags, judge_accepted)

    return job


def _rejected_job(case: str, body: GeneratedBody) -> Job:
    def judge(outcome: Outcome) -> list[Problem]:
        return judge_rejected(outcome, body.pointer)

    def job(send: _Sender) -> list[_Found]:
        outcome = send(case, "rejects-invalid", body.payload)
        return [
            _Found(
                "rejects-invalid",
                case,
                judge(outcome),
                outcome,
                body.payload,
                body.tags,
                body.pointer,
                judge=judge,
            )
        ]

    return job


def _streamed_job(case: str, body: GeneratedBody) -> Job:
    def judge(outcome: Outcome) -> list[Problem]:
        return judge_stream(outcome).problems

    def job(send: _Sender) -> list[_Found]:
        outcome = send(case, "streaming", body.payload)
        reading = judge_stream(outcome)
        found = [
            _Found(
                "streaming", case, reading.problems, outcome, body.payload, body.tags, judge=judge
            )
        ]
        if outcome.events is not None and outcome.status == 200:
            found += _semantic_findings(
                case, body.payload, outcome, reading.text, reading.usage, reading.tool_calls
            )
        return found

    return job


def _compare_job(case: str, body: dict[str, Any]) -> Job:
    def job(send: _Sender) -> list[_Found]:
        plain = send(case, "streaming", body)
        if judge_accepted(plain):
            return []  # accepts-valid reports what is wrong with the plain answer
        streamed_body = {**body, "stream": True}
        streamed = send(case, "streaming", streamed_body)
        reading = judge_stream(streamed)
        problems = list(reading.problems)
        result = _result_of(plain) or {}
        if not problems and reading.text != result.get("response"):
            problems.append(
                Problem(
                    "stream-differs",
                    f"at seed {body['seed']} the joined stream "
                    f"{reading.text[:60]!r} differs from the "
                    f"JSON answer "
                    f"{str(result.get('response'))[:60]!r}",
                )
            )
        return [_Found("streaming", case, problems, streamed, streamed_body, ("stream-vs-json",))]

    return job


def _probe_job(case: str, body: dict[str, Any]) -> Job:
    def job(send: _Sender) -> list[_Found]:
        return _answer_findings(case, body, send(case, "accepts-valid", body), ("probe",))

    return job


def _seed_job(case: str, body: dict[str, Any]) -> Job:
    def job(send: _Sender) -> list[_Found]:
        first = send(case, "seed-determinism", body)
        second = send(case, "seed-determinism", body)
        refused = judge_accepted(first) or judge_accepted(second)
        if refused:
            return [_Found("accepts-valid", case, refused, first, body, ("probe",))]
        a, b = _result_of(first) or {}, _result_of(second) or {}
        problems = []
        if (a.get("response"), a.get("tool_calls")) != (b.get("response"), b.get("tool_calls")):
            problems.append(
                Problem(
                    "seed-differs",
                    f"the same body with seed {body['seed']} "
                    f"got {str(a.get('response'))[:50]!r}, then "
                    f"{str(b.get('response'))[:50]!r}",
                )
            )
        return [_Found("seed-determinism", case, problems, second, body, ("seed",))]

    return job


def _auth_job(body: dict[str, Any]) -> Job:
    def job(send: _Sender) -> list[_Found]:
        found = []
        for case, token, what in (
            ("auth-no-token", False, "no token"),
            ("auth-wrong-token", WRONG_TOKEN, "a wrong token"),
        ):
            outcome = send(case, "auth", body, token=token)
            found.append(
                _Found("auth", case, judge_unauthorised(outcome, what), outcome, body, ("auth",))
            )
        return found

    return job


def _example_job(case: str, example: Any) -> Job:
    def job(send: _Sender) -> list[_Found]:
        outcome = send(
            case,
            "examples",
            example.request if not example.stream else {**example.request, "stream": True},
        )
        early = transport_problem(outcome)
        problems = [early] if early else []
        if not problems and outcome.status != example.status:
            problems.append(
                Problem(
                    "status", f"{example.name!r} expected {example.status}, got {outcome.status}"
                )
            )
        envelope = outcome.json if isinstance(outcome.json, dict) else {}
        if not problems and example.result_schema is not None:
            import jsonschema

            error = jsonschema.exceptions.best_match(
                jsonschema.Draft202012Validator(example.result_schema).iter_errors(
                    envelope.get("result")
                )
            )
            if error is not None:
                problems.append(Problem("result", f"{example.name!r}: result {error.message}"))
        if not problems and example.error_contains:
            messages = " ".join(
                str(e.get("message", ""))
                for e in envelope.get("errors") or []
                if isinstance(e, dict)
            )
            if example.error_contains.lower() not in messages.lower():
                problems.append(
                    Problem(
                        "error-message",
                        f"{example.name!r}: no error mentions {example.error_contains!r}",
                    )
                )
        return [_Found("examples", case, problems, outcome, example.request, (example.name,))]

    return job


# --- classification, shrinking, results ------------------------------------------------------


def _classify_log(log: list[tuple[str, str, Outcome]], contract: Contract) -> list[_Found]:
    found = []
    for case, _check, outcome in log:
        if contract.enabled("no-server-errors"):
            problem = server_error(outcome)
            found.append(
                _Found(
                    "no-server-errors",
                    case,
                    [problem] if problem else [],
                    outcome,
                    outcome.exchange.body,
                )
            )
        if contract.enabled("transport"):
            problem = transport_problem(outcome)
            found.append(
                _Found(
                    "transport", case, [problem] if problem else [], outcome, outcome.exchange.body
                )
            )
    return found


def _shrink_failures(found: list[_Found], send: _Sender) -> None:
    done: dict[str, set[str]] = {}
    for item in found:
        if not item.problems or item.judge is None or not isinstance(item.body, dict):
            continue
        codes = done.setdefault(item.check, set())
        code = item.problems[0].code
        if code in codes or len(codes) >= SHRINKS_PER_CHECK:
            continue
        codes.add(code)
        try:
            _shrink(item, send)
        except BudgetExhausted:
            return


def _shrink(item: _Found, send: _Sender) -> None:
    assert item.judge is not None
    code = item.problems[0].code
    original = len(orjson.dumps(item.body))
    body: dict[str, Any] = item.body
    valid = item.pointer is None
    requests = 0
    improved = True
    while improved and requests < SHRINK_REQUESTS:
        improved = False
        for candidate in _smaller(body, item.pointer):
            if not _same_class(candidate, valid, item.pointer):
                continue
            requests += 1
            outcome = send(item.case + "-shrink", item.check, candidate)
            problems = item.judge(outcome)
            if problems and problems[0].code == code:
                body, item.outcome, item.problems = candidate, outcome, problems
                improved = True
                break
            if requests >= SHRINK_REQUESTS:
                break
    if body is not item.body:
        item.body = body
        item.shrunk_from = original


def _same_class(body: dict[str, Any], valid: bool, pointer: str | None) -> bool:
    if valid:
        return compile_validator("input").is_valid(body)
    result = lint(body, positions=False)
    return not result.valid and pointer in [e.pointer for e in result.errors]


def _smaller(body: dict[str, Any], pointer: str | None) -> Iterator[dict[str, Any]]:
    """Candidate bodies, each one simplification smaller; the mutated place is kept."""
    keep = pointer.split("/")[1] if pointer and pointer.count("/") >= 1 else None
    for key in body:
        if key != keep:
            yield {k: v for k, v in body.items() if k != key}
    for key, value in body.items():
        if isinstance(value, list) and len(value) > 1:
            index = _index_on(pointer, key)
            yield {**body, key: [value[index if index is not None else 0]]}
        elif isinstance(value, str) and len(value) > 1 and key != keep:
            yield {**body, key: value[: len(value) // 2]}
    messages = body.get("messages")
    if isinstance(messages, list):
        for i, message in enumerate(messages):
            if (
                isinstance(message, dict)
                and isinstance(message.get("content"), str)
                and len(message["content"]) > 1
                and not _on_path(pointer, "messages", i)
            ):
                shorter = [*messages]
                shorter[i] = {**message, "content": message["content"][:1]}
                yield {**body, "messages": shorter}


def _index_on(pointer: str | None, key: str) -> int | None:
    parts = (pointer or "").split("/")
    if len(parts) > 2 and parts[1] == key and parts[2].isdigit():
        return int(parts[2])
    return None


def _on_path(pointer: str | None, key: str, index: int) -> bool:
    return bool(pointer) and (pointer or "").startswith(f"/{key}/{index}")


def _check_results(
    found: list[_Found], contract: Contract, notes: dict[str, str], seed: int
) -> list[CheckResult]:
    by_check: dict[str, list[_Found]] = {}
    for item in found:
        by_check.setdefault(item.check, []).append(item)
    results = []
    for check in CHECKS.values():
        items = by_check.get(check.id, [])
        result = CheckResult(check.id, check.title, check.description, "passed", cases=len(items))
        if not contract.enabled(check.id):
            result.status, result.note = "skipped", "disabled in the contract"
        elif not items:
            result.status = "skipped"
            result.note = notes.get(check.id, "not exercised: no case reached this check")
        for item in items:
            if not item.problems:
                continue
            problem = item.problems[0]
            case = CaseResult(
                id=item.case,
                check=check.id,
                problem=problem.message,
                code=problem.code,
                tags=list(item.tags),
                pointer=item.pointer,
                # Generated bodies (b-NNNNNN) come back with the same --seed.
                seed=seed if item.case.startswith("b-") else None,
                exchange=item.outcome.exchange if item.outcome else None,
                shrunk_from=item.shrunk_from,
            )
            deviation = contract.deviation_for(check.id, problem.code, problem.message)
            if deviation is not None:
                case.known = deviation.reason
                result.known.append(case)
                continue
            result.failure_count += 1
            if len(result.failures) < FAILURES_KEPT:
                result.failures.append(case)
        if result.failure_count:
            result.status = "failed"
        if check.id == "tool-calls" and items and not any(i.exercised for i in items):
            result.note = "the server never called a tool, so tool calls were not exercised"
        results.append(result)
    return results
