package cli

import (
	"context"
	"fmt"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/selfrepair/selfrepair/agent/sim"
	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/tasks"
)

// SimOptions are the options of `sim`.
type SimOptions struct {
	Addr        string
	Seed        uint64
	DataDir     string
	Datasets    []string
	Models      []string
	APIKey      string
	FirstPass   float64
	RepairRates map[string]string
	FailureMix  map[string]string
	Latency     time.Duration
	Jitter      time.Duration
	RateLimit   float64
	ServerError float64
	Hang        float64
	Malformed   float64
	Truncated   float64
	RetryAfter  time.Duration
}

// NewCmdSim serves the simulated code model.
func NewCmdSim(f *Factory, runF func(context.Context, *SimOptions) error) *cobra.Command {
	o := &SimOptions{}
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Serve a simulated code model (an OpenAI-compatible test double, not a real LLM)",
		Long: `Serves an OpenAI-compatible chat completions endpoint (/v1/chat/completions, /v1/models) whose
"model" is a simulator: it recognises the tasks of the given datasets in the prompt and answers with the
reference solution or a realistic faulty variant (syntax, name, assertion, type, index or timeout
failures); repair requests (an earlier answer followed by feedback) are fixed with a per-class
probability. Answers are deterministic per --seed, request seed and messages. Completions carry
system_fingerprint "` + sim.Fingerprint + `". Faults (429, 500, hangs, malformed and truncated bodies) and
latency can be injected for dry runs; retried requests end with the same answer.

Datasets: ` + strings.Join(tasks.Names(), ", ") + `, or a tasks .jsonl file.
Serves until interrupted (exit code 130).`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runSim(cmd.Context(), f, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Addr, "addr", "127.0.0.1:8089", "address to listen on (host:port; port 0 picks one)")
	fl.Uint64Var(&o.Seed, "seed", 0, "simulator seed: another seed is another, equally deterministic model")
	fl.StringVar(&o.DataDir, "data-dir", "", "folder holding the datasets (default $"+tasks.DataEnv+")")
	fl.StringSliceVar(&o.Datasets, "datasets", []string{"humaneval"}, "datasets whose tasks the model knows")
	fl.StringSliceVar(&o.Models, "model", []string{sim.DefaultModel}, "model ids to serve")
	fl.StringVar(&o.APIKey, "api-key", "", "require this Bearer key (default: accept any)")
	fl.Float64Var(&o.FirstPass, "first-pass", sim.DefaultFirstPass, "probability that a first attempt is right")
	fl.StringToStringVar(&o.RepairRates, "repair-rate", nil, "per-class repair probabilities, e.g. name=0.8,assertion=0.4 (default: the built-in table)")
	fl.StringToStringVar(&o.FailureMix, "failure-mix", nil, "weights of the classes of wrong answers, e.g. assertion=5,syntax=1 (default: the built-in mix)")
	fl.DurationVar(&o.Latency, "latency", 0, "delay before every completion")
	fl.DurationVar(&o.Jitter, "jitter", 0, "extra random delay, uniform in [0, jitter)")
	fl.Float64Var(&o.RateLimit, "fault-rate-429", 0, "rate of 429 answers (with Retry-After)")
	fl.Float64Var(&o.ServerError, "fault-rate-500", 0, "rate of 500 answers")
	fl.Float64Var(&o.Hang, "fault-rate-hang", 0, "rate of requests never answered until the client gives up")
	fl.Float64Var(&o.Malformed, "fault-rate-malformed", 0, "rate of 200 answers whose body is not valid JSON")
	fl.Float64Var(&o.Truncated, "fault-rate-truncated", 0, "rate of 200 answers cut off halfway")
	fl.DurationVar(&o.RetryAfter, "retry-after", time.Second, "delay the 429 answers ask for")
	return cmd
}

func runSim(ctx context.Context, f *Factory, o *SimOptions) error {
	so := sim.Options{
		Seed:      o.Seed,
		Models:    o.Models,
		APIKey:    o.APIKey,
		Datasets:  o.Datasets,
		DataDir:   o.DataDir,
		Languages: f.Languages().Languages(),
		FirstPass: o.FirstPass,
		Latency:   o.Latency,
		Jitter:    o.Jitter,
		Faults: sim.Faults{
			RateLimit: o.RateLimit, ServerError: o.ServerError, Hang: o.Hang,
			Malformed: o.Malformed, Truncated: o.Truncated, RetryAfter: o.RetryAfter,
		},
		Logger: f.Logger(),
	}
	if o.FirstPass < 0 || o.FirstPass > 1 {
		return &usageError{fmt.Errorf("--first-pass %v is not a probability", o.FirstPass)}
	}
	if o.FirstPass == 0 {
		so.FirstPass = -1 // sim.Options: zero means the default, negative means never
	}
	for _, r := range []struct {
		flag string
		v    float64
	}{{"fault-rate-429", o.RateLimit}, {"fault-rate-500", o.ServerError}, {"fault-rate-hang", o.Hang},
		{"fault-rate-malformed", o.Malformed}, {"fault-rate-truncated", o.Truncated}} {
		if r.v < 0 || r.v > 1 {
			return &usageError{fmt.Errorf("--%s %v is not a probability", r.flag, r.v)}
		}
	}
	if so.Faults.RateLimit+so.Faults.ServerError+so.Faults.Hang+so.Faults.Malformed+so.Faults.Truncated > 1 {
		return &usageError{fmt.Errorf("the --fault-rate-* flags add up to more than 1")}
	}
	if o.Latency < 0 || o.Jitter < 0 {
		return &usageError{fmt.Errorf("--latency and --jitter must not be negative")}
	}
	var err error
	if so.RepairRates, err = classValues("repair-rate", o.RepairRates, true); err != nil {
		return err
	}
	if so.FailureMix, err = classValues("failure-mix", o.FailureMix, false); err != nil {
		return err
	}
	for c := range so.FailureMix {
		if !slices.Contains(sim.FailureClasses(), c) {
			return &usageError{fmt.Errorf("--failure-mix: the simulator makes no %s failures (it makes %v)", c, sim.FailureClasses())}
		}
	}
	s, err := sim.New(so)
	if err != nil {
		return err
	}
	defer s.Close()
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", o.Addr)
	if err != nil {
		return err
	}
	f.Logger().Info("serving a SIMULATED code model (a test double, not a real LLM)",
		"url", "http://"+ln.Addr().String()+"/v1", "models", strings.Join(s.Models(), ","),
		"tasks", s.Tasks(), "seed", o.Seed)
	if err := s.Serve(ctx, ln); err != nil {
		return err
	}
	f.Logger().Info("simulator stopped")
	return ctx.Err()
}

// classValues parses CLASS=VALUE flags; probabilities must lie in [0, 1].
func classValues(flag string, kv map[string]string, probability bool) (map[languages.Class]float64, error) {
	if len(kv) == 0 {
		return nil, nil
	}
	known := map[languages.Class]bool{}
	var names []string
	for _, c := range languages.Classes() {
		known[c] = c != languages.Pass
		if c != languages.Pass {
			names = append(names, string(c))
		}
	}
	out := map[languages.Class]float64{}
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		c := languages.Class(strings.TrimSpace(k))
		if !known[c] {
			return nil, &usageError{fmt.Errorf("--%s: unknown error class %q (known: %s)", flag, k, strings.Join(names, ", "))}
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(kv[k]), 64)
		if err != nil || v < 0 || probability && v > 1 {
			return nil, &usageError{fmt.Errorf("--%s: %s=%s is not a valid value", flag, k, kv[k])}
		}
		out[c] = v
	}
	return out, nil
}
