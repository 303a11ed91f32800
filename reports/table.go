package reports

import (
	"cmp"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// WriteTable writes the few lines a study prints when it ends: what ran,
// the pass rate and pass@k after every round, the repairs by error class
// and the cost.
func (r *Run) WriteTable(w io.Writer) error {
	model := r.Model
	if r.Simulator {
		model += " (SIMULATED model: agent/sim, not a real LLM)"
	}
	feedback := r.Feedback
	if r.FeedbackTests == "visible" {
		feedback += " (from the visible tests)"
	}
	status := "incomplete"
	if r.Complete {
		status = "complete"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "study %s: %s, %d tasks × %d samples, up to %d repair rounds, feedback %s, model %s\n",
		status, r.Dataset, r.Tasks, r.Samples, r.Rounds, feedback, model)
	ks := keyKs(r.Samples)
	fmt.Fprintf(&b, "%-6s %9s %13s", "round", "attempts", "passing")
	for _, k := range ks {
		fmt.Fprintf(&b, " %8s", "pass@"+strconv.Itoa(k))
	}
	b.WriteString("\n")
	for _, rd := range r.PerRound {
		fmt.Fprintf(&b, "%-6d %9d %13s", rd.Round, rd.Attempts, fmt.Sprintf("%d/%d", rd.Passing, r.Tasks*r.Samples))
		for _, k := range ks {
			fmt.Fprintf(&b, " %8.4f", rd.PassAtK[k-1])
		}
		b.WriteString("\n")
	}
	if len(r.Repairs) > 0 {
		var parts []string
		for _, c := range r.Repairs {
			parts = append(parts, fmt.Sprintf("%s %d/%d", cmp.Or(c.Class, "?"), c.Repaired, c.Failures))
		}
		fmt.Fprintf(&b, "repaired in the next round, by error class: %s\n", strings.Join(parts, ", "))
	}
	fmt.Fprintf(&b, "%d attempts, %d stalls, %d from the response cache, %d+%d tokens\n",
		r.Attempts, r.Stalls, r.CacheHits, r.PromptTokens, r.CompletionTokens)
	_, err := io.WriteString(w, b.String())
	return err
}
