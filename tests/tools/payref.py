#!/usr/bin/env python3
"""Payment references of SPEC 12, written again for the tests (not the
engine's code): `payref.py SCHEME ID...` prints one reference per id;
imported, make(scheme, id) returns it."""
import sys


def luhn_digit(digits):
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:  # the rightmost digit of the payload is doubled
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def mod10r_digit(digits):
    table = [0, 9, 4, 6, 8, 2, 7, 1, 3, 5]
    carry = 0
    for ch in digits:
        carry = table[(carry + int(ch)) % 10]
    return str((10 - carry) % 10)


def make(scheme, n):
    s = str(n)
    if scheme == "qrr":
        body = s.rjust(26, "0")
        return body + mod10r_digit(body)
    if scheme == "scor":
        # ISO 11649: RF + check + reference; check from reference + "RF00"
        num = int(s + "2715" + "00")  # R = 27, F = 15
        return "RF%02d%s" % (98 - num % 97, s)
    if scheme == "ocr":
        body = s + str((len(s) + 2) % 10)
        return body + luhn_digit(body)
    if scheme == "kid":
        return s + luhn_digit(s)
    if scheme == "fik":
        body = s.rjust(14, "0")
        return body + luhn_digit(body)
    raise ValueError(scheme)


if __name__ == "__main__":
    for a in sys.argv[2:]:
        print(make(sys.argv[1], int(a)))
