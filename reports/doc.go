// Package reports computes and formats the results of evaluations and
// self-repair studies: pass@k ([PassAtK], [MeanPassAtK]), output escaping
// ([Escape]), and the report of one or several study run directories
// ([Build], [Write]): report.md, report.html, attempts.csv, rounds.csv and
// summary.json, whose fields REPORTS.md documents.
//
// A run directory is read with agent/rundir, whose types are its schema
// (agent/rundir/SCHEMA.md, format selfrepair-study/1). A torn last line of attempts.jsonl, and invalid lines at its
// end, are dropped (as the study's resume does) and the report says so.
//
// # Definitions
//
// Every number of a report uses one of these definitions, and the report
// names it next to the number. The tests are the hidden (scoring) tests:
// an attempt passes when all of them pass (on datasets with plus tests,
// both the base and the plus suite).
//
// Rounds. A sample's attempts are rounds 0..r: round 0 is the first draw,
// round i the i-th repair, up to R = the run's rounds. A sample stops at
// its first pass (with feedback_tests "visible", at its first attempt
// that passes the visible tests). With feedback "none" each round is a
// fresh resample of the same prompt, with the same budget. A sample has
// passed by round r when some attempt of round ≤ r passed.
//
// D1, cumulative pass by round (the 2026 study's "pass rate after k
// attempts", arXiv:2604.10508, generalised to n samples): pass@k by round
// r is the unbiased estimator 1 − C(n−c, k)/C(n, k) of Chen et al. (2021)
// averaged over tasks, with n the samples per task and c the task's
// samples passed by round r, for every k ≤ n. The pass rate is pass@1.
// The gain of round r is its pass@k minus round r−1's. Samples without an
// attempt (an unfinished run) count as not passed.
//
// D2, repair rate by the class of the first failure (the 2026 study's):
// of the samples whose round-0 attempt failed with class X, the fraction
// that passed by the last round R; with its Wilson 95% interval and n, the
// number of those samples.
//
// D3, repair rate per attempt: of the failing attempts of class X at any
// round r that have an attempt at round r+1 (pooled over r), the fraction
// whose round-r+1 attempt passed; with its Wilson 95% interval and n. These
// are the counts of agent/study's repairs_by_class.
//
// D4, transitions: the outcome (pass or class) of a sample's attempt at
// round r against that of its attempt at round r+1, over the samples that
// have round r+1, pooled over r.
//
// D5, class mix: the attempts made in round r by outcome (pass, an error
// class, or prompt-too-long for a request the model refused), as counts
// and shares of the round's attempts.
//
// D6, stalls and oscillations: a stall is an attempt the study flagged
// stall (its code equals an earlier attempt's of the same sample; it was
// not run again). An attempt at round r oscillates when its code hash
// equals that of an attempt at round q < r−1 while round r−1's differs
// (code), or its failure (class and message) equals that of round q < r−1
// while round r−1's differs (failure).
//
// D7, tokens: prompt plus completion tokens as the endpoint counted them
// (a cached answer counts what it cost when first asked). Per round: the
// sum over the round's attempts. Tokens per sample by round r: the tokens
// of all attempts of round ≤ r over tasks × samples. pass@t is the curve
// of D1's pass rate by round r against tokens per sample by round r,
// rounds joined by straight lines. Tokens per solved task: all of a run's
// tokens over the tasks some sample passed (per solved sample: over the
// samples that passed).
//
// D8, repair against resampling at a matched budget (when the compared
// runs include one with feedback "none"): each run's pass@t curve read, by
// linear interpolation, at the same tokens per sample, at budgets from the
// largest round-0 cost of the runs to the smallest total cost, where every
// curve is defined.
//
// D9, visible against hidden tests (feedback_tests "visible"): each
// sample's answer after round r, its latest attempt of round ≤ r (the one
// a user would keep, since the loop sees only the visible verdict), judged
// by the visible tests, by the hidden tests and by each scoring suite. An
// answer that passes the visible tests but not the hidden ones is the
// overfitting that repair on what it was shown can cause.
//
// D10, tasks: a task is solved at the first round in which some sample of
// it passed, or never; samples passing are its samples passed by round R.
//
// The per_round fields passing, pass_rate and pass_at_k keep agent/study's
// definition (each sample's latest answer after round r); with hidden
// feedback tests they equal D1.
package reports
