"""Reference targets for the measured model on a written metric history, computed
independently of lifeboat (test/integration/measured-load.test.ts runs it).

It reads, on stdin, the raw points the test wrote to CloudWatch (per group: CPUUtilization
and GroupInServiceInstances at their timestamps), the end of lifeboat's read, the fleet's
instance counts and Route 53 weights, and the model's parameters; it writes, on stdout, per
service the demand now, the demand sized for and the survivors' required and target
instances when one region is evacuated. It works from timestamps and the definitions in
docs/models.md, in exact rational arithmetic:

    demand(t)        = sum over the service's groups of CPU(t) x instances(t)   (instance-%)
    now              = mean demand over [end - 1 h, end)
    level(d)         = mean demand over [end - 1 h - d days, end - d days)
    peak(d)          = max demand over [end - d days, end - d days + horizon), x now / level(d)
    sized for        = max(now, peak(1..historyDays))
    required(region) = ceil(sized for x new share / (100 % x utilization) x (1 + headroom) - 1e-9)
    target(region)   = max(instances it runs, required)  for a region that gains traffic

Run: python3 test/reference/measured_reference.py < input.json
"""
import json
import sys
from datetime import datetime
from fractions import Fraction as F
from math import ceil

HOUR = 3600
DAY = 86400


def epoch(iso):
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())


def mean(xs):
    return sum(xs, F(0)) / len(xs) if xs else None


def period_values(points, start, end):
    return [F(v) for t, v in points if start <= t < end]


def group_demand(group, start, end):
    cpu = mean(period_values(group["cpu"], start, end))
    n = mean(period_values(group["instances"], start, end))
    return None if cpu is None or n is None else cpu * n


def demand_series(service, end, period, periods):
    series = []
    for b in range(periods):
        start = end - (periods - b) * period
        parts = [group_demand(g, start, start + period) for r in service["regions"].values() for g in r["groups"]]
        series.append((start, None if any(p is None for p in parts) else sum(parts, F(0))))
    return series


def mean_over(series, start, end):
    return mean([v for s, v in series if start <= s < end and v is not None])


def sized_for(series, end, horizon_hours, history_days):
    now = mean_over(series, end - HOUR, end)
    best = now
    if horizon_hours > 0:
        for d in range(1, history_days + 1):
            level = mean_over(series, end - HOUR - d * DAY, end - d * DAY)
            window = [v for s, v in series if end - d * DAY <= s < end - d * DAY + horizon_hours * HOUR and v is not None]
            if level and window:
                best = max(best, max(window) * now / level)
    return now, best


def targets(service, demand, evacuated, utilization, headroom):
    regions = service["regions"]
    total_weight = sum(r["weight"] for r in regions.values())
    gone = F(regions[evacuated]["weight"], total_weight)
    out = {}
    for name, r in regions.items():
        share = F(r["weight"], total_weight)
        new_share = F(0) if name == evacuated else share / (1 - gone)
        # Rounded up, forgiving float noise as lifeboat does (the CPU values written are floats).
        required = ceil(demand * new_share / (100 * utilization) * (1 + headroom) - F(1, 10**9))
        out[name] = {"required": required, "target": max(r["current"], required) if new_share > share else r["current"]}
    return out


def main():
    spec = json.load(sys.stdin)
    end = epoch(spec["endsAt"])
    utilization = F(str(spec["utilization"]))
    headroom = F(str(spec["headroom"]))
    result = {}
    for name, service in spec["services"].items():
        series = demand_series(service, end, spec["periodSeconds"], spec["periods"])
        now, demand = sized_for(series, end, spec["horizonHours"], spec["historyDays"])
        result[name] = {"now": float(now), "sizedFor": float(demand), "regions": targets(service, demand, spec["evacuate"], utilization, headroom)}
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
