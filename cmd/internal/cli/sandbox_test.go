package cli_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/selfrepair/selfrepair/cmd/internal/cli"
	"github.com/selfrepair/selfrepair/sandbox"
)

// TestInterruptRemovesContainers: SIGINT during `sandbox run` removes the
// run's containers before the process exits with 130.
func TestInterruptRemovesContainers(t *testing.T) {
	if args := os.Getenv("SELFREPAIR_CLI_HELPER"); args != "" {
		os.Exit(cli.Main(strings.Split(args, "\x1f"), os.Stdin, os.Stdout, os.Stderr))
	}
	if testing.Short() {
		t.Skip("needs Docker")
	}
	prog := writeFile(t, "sleep.py", "import time\ntime.sleep(120)\n")
	for _, iso := range []string{"fresh", "pooled"} {
		t.Run(iso, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestInterruptRemovesContainers$")
			cmd.Env = append(os.Environ(), "SELFREPAIR_CLI_HELPER="+strings.Join([]string{"sandbox", "run", prog, "--timeout", "2m", "--isolation", iso}, "\x1f"))
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(4 * time.Second) // the container is up and the program sleeping
			cmd.Process.Signal(syscall.SIGINT)
			err := cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 130 || !strings.Contains(stderr.String(), "interrupted") {
				t.Errorf("exit %v, stderr %q; want 130 and interrupted", err, stderr.String())
			}
			eng, err := sandbox.NewEngine(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			defer eng.Close()
			// Its containers carry a live lease: no sweep would take them yet.
			host, _ := os.Hostname()
			left, err := eng.List(context.Background(), "io.selfrepair.owner="+host+":"+strconv.Itoa(cmd.Process.Pid))
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range left {
				t.Errorf("container %.12s of the interrupted run is left", c.ID)
			}
		})
	}
}

// TestSandboxRun: `sandbox run` prints how the program ended, escaping
// what a terminal would interpret, and exits 4 when it did not exit 0.
func TestSandboxRun(t *testing.T) {
	if testing.Short() {
		t.Skip("needs Docker")
	}
	prog := writeFile(t, "p.py", "import sys\nprint('\\x1b[2Jhi\\u202e')\nsys.exit(5)\n")
	code, stdout, stderr := run(t, "sandbox", "run", prog)
	if code != 4 || !strings.Contains(stdout, "exited with status 5") || !strings.Contains(stdout, `\x1b[2Jhi\u202e`) {
		t.Errorf("exit %d\nstdout: %q\nstderr: %q", code, stdout, stderr)
	}
	code, stdout, _ = run(t, "sandbox", "run", "--json", writeFile(t, "ok.sh", "echo fine"))
	if code != 0 || !strings.Contains(stdout, `"stdout": "fine\n"`) || !strings.Contains(stdout, `"status": "exited"`) {
		t.Errorf("exit %d, stdout %s", code, stdout)
	}
	code, _, stderr = run(t, "sandbox", "run", filepath.Join(t.TempDir(), "x.rb"))
	if code == 0 || !strings.Contains(stderr, "x.rb") {
		t.Errorf("a missing file: exit %d, %q", code, stderr)
	}
}
