"""The fixed text of docs/reliability.md around the measured table (tests/faults/report.py).

Kept apart from the rendering so the prose can be edited without touching the code that
merges results; the table and the "How each was run" notes come from the runs themselves.
"""

HEADER = """\
# Reliability under faults

This page is written by the fault suite, `tests/faults/`: each full scenario records its
figures when it ends, and the table below holds the last full run of each (the date is in
the last column). Do not edit the table or the data comment at the end by hand.

## What the suite proves

Issue 8's eight failure scenarios, each run against the real thing: the four services as
separate processes (`python -m tests.faults.launcher <service>`, which is `mlc serve
<service>` with the retry-tier delays scaled down), RabbitMQ 3.10, PostgreSQL, and the
TallyPrime and Walmart simulators over HTTP on loopback ports. Faults are injected from
outside: the broker stopped, connections cut by a TCP proxy, processes killed with SIGKILL,
Tally's company closed or its port shut, Walmart answering 429, 5xx and 401, one order
failing on every call, the same order arriving five ways. At the end the test reads the
end state back from both systems, not from the connector, and requires:

* **lost records: 0**, a Walmart order with no Sales voucher in Tally's books, or one the
  connector never acknowledged on Walmart; in the catalog scenarios (2 and 6) also every
  SKU whose Walmart inventory does not end equal to Tally's closing stock of the mapped item;
* **duplicate vouchers: 0**, every Sales voucher beyond the first for one purchase order,
  counted once by voucher number (`WM-<purchase order>`) and once by the connector's remote
  id, the larger of the two. The simulated company's "prevent duplicates" is switched off
  for Sales, so a second posting would stand in the books and be counted instead of being
  refused by Tally.

Tally's books are read through the simulator's inspection API (the Sales vouchers of the
company), Walmart's state from the simulator's account (orders and their line statuses,
inventory per ship node); `tests/faults/books.py` does both. Each scenario then checks its
own claim from the issue (a figure in "other figures"): for example no outbox row marked
published whose message never reached its queue (2), nothing created by a redelivered
command (4), the poison order parked after exactly the configured delivery limit (8). Any
message left in a parking queue at the end is reported and, except where the scenario
parks one on purpose, fails the run.

## How to run it

* `make faults`: every full scenario, one after another
  (`.venv/bin/pytest -q -m faults tests/faults`); runs take minutes each.
* One scenario: `.venv/bin/pytest -q -m faults tests/faults -k s4` (`-k s1` ... `-k s8`).
* Needs the local PostgreSQL (`MLC_TEST_DATABASE_URL`) and a RabbitMQ installation: each
  full run boots a private RabbitMQ node of its own (own node name, ports and data directory,
  `tests/faults/broker.py`; set `MLC_TEST_RABBITMQ_BIN` if `rabbitmq-server` is not in
  `/usr/lib/rabbitmq/bin`), so nothing on the shared broker can disturb it and nothing it
  does is left there. Each run gets a fresh database and bus namespace.
* Only full runs (marker `faults`) write this page, and only the rows of the scenarios that
  ran; the others keep their last figures.

Every scenario also has a short variant (the `_ci` test in the same file) that runs in
`make test` and so in CI on the shared broker, checking the same things on a smaller load
without writing this page: 1 (150 orders, one broker stop, on a private node), 2 (600 items
and 100 orders, 3 cuts), 3 (120 orders, 3 kills), 4 (4 kills), 6 (60 orders, 2 token
revocations, no 429 storm), 7 (3 orders), 8 (60 orders). Scenario 5 has no short variant
yet. Run one alone with `.venv/bin/pytest -q tests/faults -k s2`.

## Results

A row is written whether or not its run passed: lost or duplicate above 0, or a figure
short of the scenario's claim (such as parked messages where none should be), means the
run failed.

"""

FOOTER = """\
## Bad input and security

Next to the scenarios, and part of `make test`:

* `tests/faults/test_security_secrets.py`: a full flow run with a distinctive value for every
  secret the connector holds (Walmart client secret, Tally company password, webhook
  password, RabbitMQ and PostgreSQL passwords, operator token), made to fail in the ways
  that put error texts in logs and parked messages; every service log (at DEBUG), every row
  of every table and every parked message is then searched for each secret, its Basic
  credentials form and the Walmart access tokens issued during the run.
* `tests/faults/test_security_tenants.py`: a tenant's agent credentials, with the broker
  permissions `deploy/rabbitmq/users.json` gives an agent, cannot consume another tenant's
  queue or publish as another tenant, and a message published under the agent's own routing
  key whose envelope names another tenant is parked, not acted on.
* `tests/badinput/` (being written): malformed and hostile input at the edges, such as
  XML bombs and external entities in Tally's answers, markup in names and narrations of the
  envelopes sent to Tally, and damaged Walmart reconciliation reports; each module's
  docstring says what it covers.

## Known limits

* The other side is simulated: TallyPrime and Walmart are the simulators of this repository,
  built from `reference/` (docs/tally-simulator.md, docs/walmart-simulator.md). A behaviour
  of the real systems the references do not describe is not exercised.
* Time is compressed: retry-tier delays run at 1/20 of production (1/30 in scenario 5) and
  the Walmart simulator waits at 1/1000, so the runtimes here say nothing about production
  timings, and the runs share a 2-CPU machine with other work.
* One RabbitMQ node and one PostgreSQL server: broker cluster failover, network partitions
  between broker nodes and database failover are not covered.
* A lost connection counts like a crash: RabbitMQ adds a message that a closed connection
  returns to the queue to its delivery count. The work queues' `x-delivery-limit` is
  therefore its own, higher limit (`QueuePolicy.redelivery_limit`, 20; docs/bus.md), not the
  attempt limit of 5: with 5, scenario 2's storm of 20 cuts in about a minute parked 1 to 15
  innocent messages per run. A message held unacknowledged through more than 20 connection
  losses is still parked as "delivered too many times without an acknowledgement".
* Each row is one run, with the fault moments drawn from a fixed seed; the figures show what
  happened in that run, not a bound.
"""
