package cli_test

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/selfrepair/selfrepair/agent/sim"
	"github.com/selfrepair/selfrepair/languages/builtin"
	"github.com/selfrepair/selfrepair/tasks/repo/repotest"
)

// TestFixExitCodes: fix's summary and exit code for each way it ends.
func TestFixExitCodes(t *testing.T) {
	if testing.Short() {
		t.Skip("needs Docker")
	}
	good := map[string]string{"calc.py": calcFixed, "test_calc.py": buggy["test_calc.py"]}
	url := calcSim(t)
	unfixable := map[string]string{"calc.py": buggy["calc.py"], "test_calc.py": "def test_never():\n    assert False\n"}
	for _, c := range []struct {
		name  string
		repo  map[string]string
		extra []string
		code  int
		out   string
	}{
		{"fixed", buggy, nil, 0, "FIXED in round 0"},
		{"nothing failing", good, nil, 0, "nothing to fix"},
		{"not fixed", unfixable, []string{"--rounds", "1"}, 1, "NOT FIXED"},
		{"endpoint down", buggy, []string{"--base-url", "http://127.0.0.1:9/v1"}, 3, ""},
		{"not a repository", nil, nil, 2, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if c.repo != nil {
				dir = repotest.New(t, c.repo)
			}
			args := append([]string{"fix", "--repo", dir, "--test", "python3 -m pytest -q", "--model", sim.DefaultModel,
				"--base-url", url, "--api-key", "k", "--no-cache", "--out", filepath.Join(t.TempDir(), "run"), "--timeout", "20s"}, c.extra...)
			code, out, errOut := run(t, args...)
			if code != c.code || !strings.Contains(out, c.out) {
				t.Errorf("exit %d, want %d; stdout:\n%s\nstderr:\n%s", code, c.code, out, errOut)
			}
			if code >= 2 && strings.Count(strings.TrimSpace(lastLine(errOut)), "\n") > 0 {
				t.Errorf("the error is not one line: %q", errOut)
			}
		})
	}
}

// buggy is a red repository: add subtracts.
var buggy = map[string]string{"calc.py": "def add(a, b):\n    return a - b\n",
	"test_calc.py": "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"}

// calcFixed is buggy's calc.py fixed.
const calcFixed = "def add(a, b):\n    return a + b\n"

// calcSim serves the simulator, knowing buggy's fix (its first answer
// right), on a local port until the test ends; its URL.
func calcSim(t *testing.T) string {
	t.Helper()
	srv, err := sim.New(sim.Options{Languages: builtin.Registry().Languages(), FirstPass: 1,
		Repos: []sim.Repo{{Name: "calc", Fixed: map[string]string{"calc.py": calcFixed}, Tests: []string{"test_calc.py"}}}})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go srv.Serve(ctx, ln)
	return "http://" + ln.Addr().String() + "/v1"
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
