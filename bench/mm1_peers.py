#!/usr/bin/env python3
"""The M/M/1 benchmark model in SimPy and Ciw, for comparison with `strata-bench`.

Same model as `strata_core::bench::mm1_topology(800.0, 1000.0)`: Poisson arrivals at
lambda = 800/s, exponential service at mu = 1000/s, one server, unbounded FIFO queue.
Prints one JSON object per engine: customers, wall seconds, customers/s and the mean time in
system (theory: 1 / (mu - lambda) = 5 ms).

    pip install simpy ciw
    python3 bench/mm1_peers.py --customers 200000
"""
import argparse
import json
import random
import time

LAMBDA, MU = 800.0, 1000.0


def run_simpy(customers, seed):
    import simpy

    rng = random.Random(seed)
    env = simpy.Environment()
    server = simpy.Resource(env, capacity=1)
    total = [0.0, 0]

    def customer(env):
        arrived = env.now
        with server.request() as req:
            yield req
            yield env.timeout(rng.expovariate(MU))
        total[0] += env.now - arrived
        total[1] += 1

    def source(env):
        for _ in range(customers):
            yield env.timeout(rng.expovariate(LAMBDA))
            env.process(customer(env))

    env.process(source(env))
    t0 = time.perf_counter()
    env.run()
    secs = time.perf_counter() - t0
    return {"engine": "simpy", "customers": total[1], "seconds": secs,
            "customers_per_s": total[1] / secs, "mean_time_in_system_ms": 1e3 * total[0] / total[1]}


def run_ciw(customers, seed):
    import ciw

    ciw.seed(seed)
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=LAMBDA)],
        service_distributions=[ciw.dists.Exponential(rate=MU)],
        number_of_servers=[1],
    )
    sim = ciw.Simulation(network)
    t0 = time.perf_counter()
    sim.simulate_until_max_customers(customers, method="Finish")
    secs = time.perf_counter() - t0
    recs = sim.get_all_records()
    mean = sum(r.waiting_time + r.service_time for r in recs) / len(recs)
    return {"engine": "ciw", "customers": len(recs), "seconds": secs,
            "customers_per_s": len(recs) / secs, "mean_time_in_system_ms": 1e3 * mean}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", choices=["simpy", "ciw"])
    args = ap.parse_args()
    for name, fn in (("simpy", run_simpy), ("ciw", run_ciw)):
        if args.only and args.only != name:
            continue
        try:
            print(json.dumps(fn(args.customers, args.seed)), flush=True)
        except ImportError as e:
            print(json.dumps({"engine": name, "error": f"not installed ({e}); pip install simpy ciw"}), flush=True)


if __name__ == "__main__":
    main()
