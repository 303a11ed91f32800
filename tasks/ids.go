package tasks

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Resolve finds a task by its id as other tools write it and returns the
// canonical id (the dataset's own spelling). Besides the exact id it
// accepts, when they name one task only:
//
//	any case and separator   MBPP/11, mbpp_11, mbpp-11, humaneval/0, HUMANEVAL 0
//	MultiPL-E's names        mbpp_11_remove_occ, HumanEval_0_has_close_elements
//	EvalPlus' dataset names  HumanEvalPlus/0, MbppPlus/11
//	a bare number            11, when every id of the dataset has one prefix
//
// An id that is still unknown gives an error naming the nearest ids.
func (d *Dataset) Resolve(id string) (string, error) {
	if _, ok := d.ByID(id); ok {
		return id, nil
	}
	want, ok := parseID(id)
	if ok {
		var found []string
		prefixes := map[string]bool{}
		for _, t := range d.Tasks {
			k, ok := parseID(t.ID)
			if !ok {
				continue
			}
			prefixes[k.prefix] = true
			if k.num == want.num && (want.prefix == "" || want.prefix == k.prefix) && want.rest == k.rest {
				found = append(found, t.ID)
			}
		}
		if want.prefix == "" && len(prefixes) > 1 {
			found = nil
		}
		if len(found) == 1 {
			return found[0], nil
		}
	}
	for _, t := range d.Tasks {
		if strings.EqualFold(t.ID, id) {
			return t.ID, nil
		}
	}
	msg := fmt.Sprintf("task_id %q is not in %s", id, d.Name)
	if near := d.nearest(id, 3); len(near) > 0 {
		msg += fmt.Sprintf(" (nearest: %s)", strings.Join(near, ", "))
	}
	return "", fmt.Errorf("%s", msg)
}

// idKey is an id read as prefix, number and the rest: "mbpp_11_remove_occ"
// is {mbpp 11 ""} (a MultiPL-E name's tail is the function, not part of
// the key), "Mbpp/11" is {mbpp 11 ""}, "11" is {"" 11 ""}.
type idKey struct {
	prefix string
	num    int
	rest   string // what follows the number when it is not a name tail
}

// parseID reads an id of the form [prefix][sep]number[sep name]; ok is
// false when it has no number after its letters.
func parseID(id string) (idKey, bool) {
	s := strings.ToLower(strings.TrimSpace(id))
	i := 0
	for i < len(s) && !unicode.IsDigit(rune(s[i])) {
		i++
	}
	j := i
	for j < len(s) && unicode.IsDigit(rune(s[j])) {
		j++
	}
	if i == j {
		return idKey{}, false
	}
	n, err := strconv.Atoi(s[i:j])
	if err != nil {
		return idKey{}, false
	}
	var prefix strings.Builder
	for _, r := range s[:i] {
		if unicode.IsLetter(r) {
			prefix.WriteRune(r)
		} else if !strings.ContainsRune("/_-: .+", r) {
			return idKey{}, false
		}
	}
	p := strings.TrimSuffix(prefix.String(), "plus")
	k := idKey{prefix: p, num: n}
	if tail := s[j:]; tail != "" {
		// MultiPL-E: "_" then the function's name.
		if tail[0] != '_' || len(tail) < 2 {
			k.rest = tail
		}
	}
	return k, true
}

// nearest lists up to n ids of d closest to id, closest first: by edit
// distance (case ignored), and among ids of the same prefix by how far
// their numbers are.
func (d *Dataset) nearest(id string, n int) []string {
	type cand struct {
		id   string
		dist int
	}
	var best []cand
	low := strings.ToLower(id)
	want, parsed := parseID(id)
	for _, t := range d.Tasks {
		c := cand{t.ID, editDistance(low, strings.ToLower(t.ID)) << 20}
		if k, ok := parseID(t.ID); parsed && ok && k.prefix == want.prefix {
			c.dist = min(abs(k.num-want.num), 1<<20-1)
		}
		i := len(best)
		for i > 0 && best[i-1].dist > c.dist {
			i--
		}
		if i < n {
			best = append(best[:i], append([]cand{c}, best[i:]...)...)
			if len(best) > n {
				best = best[:n]
			}
		}
	}
	out := make([]string, len(best))
	for i, c := range best {
		out[i] = c.id
	}
	return out
}

// editDistance is the Levenshtein distance between a and b (bytes).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
