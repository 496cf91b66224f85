"""Python greenlet reference figures for bench/greenlet.js (prints JSON).
Needs Debian's python3-greenlet."""
import json
import time

from greenlet import getcurrent, greenlet


def median_ns_per_op(batch, ops=200_000, batches=7):
    batch(ops // 10)
    samples = []
    for _ in range(batches):
        start = time.perf_counter_ns()
        batch(ops)
        samples.append((time.perf_counter_ns() - start) / ops)
    return sorted(samples)[batches // 2]


main = getcurrent()


def partner_loop():
    while True:
        main.switch()


partner = greenlet(partner_loop)
partner.switch()


def switches(n):
    for _ in range(n):
        partner.switch()


def lifecycles(n):
    for i in range(n):
        greenlet(lambda x: x).switch(i)


print(json.dumps({
    "switch_ns": median_ns_per_op(switches),
    "create_ns": median_ns_per_op(lifecycles, ops=50_000),
}))
