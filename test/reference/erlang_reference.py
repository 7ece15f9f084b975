"""Reference values for test/unit/erlang.test.ts, computed independently of lifeboat.

Exact rational arithmetic on the textbook formulas (factorials and all), which lifeboat
does not use: it runs the Erlang B recursion in floating point.
    Erlang B: B(c, A) = (A^c / c!) / sum_{k=0..c} A^k / k!
    Erlang C: C(c, A) = (A^c/c! * c/(c-A)) / (sum_{k<c} A^k/k! + A^c/c! * c/(c-A))
    Service level: SL = 1 - C(c, A) * exp(-(c - A) * mu * t)
Run: python3 test/reference/erlang_reference.py
"""
from fractions import Fraction as F
from math import factorial, exp


def erlang_b(c, a):
    a = F(a)
    return (a**c / factorial(c)) / sum(a**k / factorial(k) for k in range(c + 1))


def erlang_c(c, a):
    a = F(a)
    top = a**c / factorial(c) * F(c) / (c - a)
    return top / (sum(a**k / factorial(k) for k in range(c)) + top)


def smallest_servers(a, p):
    c = int(a) + 1
    while erlang_c(c, a) > p:
        c += 1
    return c


def service_level(c, a, mu, t):
    return 1 - float(erlang_c(c, a)) * exp(-(c - a) * mu * t)


if __name__ == "__main__":
    for c, a in [(5, 3), (10, 8)]:
        print(f"B({c},{a}) = {float(erlang_b(c, a)):.12f}")
    for c, a in [(3, 2), (5, 3), (10, 8), (120, 100), (300, 280), (520, 500)]:
        print(f"C({c},{a}) = {float(erlang_c(c, a)):.12f}")
    for a, p in [(100, 0.2), (500, 0.2), (2000, 0.05)]:
        print(f"smallest c with C(c,{a}) <= {p}: {smallest_servers(a, p)}")
    a, mu, t = 10, 1 / 180, 20
    c = a + 1
    while service_level(c, a, mu, t) < 0.8:
        c += 1
    print(f"smallest c with SL(c,{a}, mu=1/180, t=20) >= 0.8: {c} (SL {service_level(c, a, mu, t):.6f})")
