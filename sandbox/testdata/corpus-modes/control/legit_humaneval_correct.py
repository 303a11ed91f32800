def running_max(numbers):
    out, best = [], None
    for n in numbers:
        best = n if best is None or n > best else best
        out.append(best)
    return out
