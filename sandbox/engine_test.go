package sandbox_test

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/sandbox/sandboxtest"
)

// newDocker connects to the Docker engine, for one test.
func newDocker(t *testing.T) sandbox.Backend {
	t.Helper()
	if testing.Short() {
		t.Skip("needs Docker")
	}
	eng, err := sandbox.NewEngine(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return eng
}

// brokenImage imports an image that holds nothing but /etc.
func brokenImage(t *testing.T, b sandbox.Backend) string {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "etc/", Typeflag: tar.TypeDir, Mode: 0o755})
	tw.Close()
	ref := "selfrepair/broken-test:latest"
	if err := b.(*sandbox.Engine).ImportImage(context.Background(), &buf, ref, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { exec.Command("docker", "rmi", "-f", ref).Run() })
	return ref
}

// TestDocker runs the sandbox's conformance suite, but for the hostile
// corpus (TestHostileCorpus), against the Docker engine.
func TestDocker(t *testing.T) {
	sandboxtest.Run(t, newDocker, sandboxtest.Options{Parts: sandboxtest.Behaviour, BrokenImage: brokenImage})
}

// TestHostileCorpus runs the hostile corpus of the conformance suite
// against the Docker engine; it runs alone (make test).
func TestHostileCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("runs hostile programs in Docker")
	}
	sandboxtest.Run(t, newDocker, sandboxtest.Options{Parts: sandboxtest.Corpus})
}

// TestCorpusModes runs the corpus cases of the modes the shared split has
// none of (Go's gotest, JavaScript's humaneval: testdata/corpus-modes)
// through the same runner, in both isolation modes.
func TestCorpusModes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs hostile programs in Docker")
	}
	sandboxtest.Run(t, newDocker, sandboxtest.Options{Parts: sandboxtest.Corpus, CorpusDir: filepath.Join("testdata", "corpus-modes")})
}

// TestSetup: a setup step's folder becomes the base of the jobs in the
// image it makes; each job changes its own copy; a failing step makes no
// image and says why.
func TestSetup(t *testing.T) {
	eng := newDocker(t).(*sandbox.Engine)
	ctx := context.Background()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "src.txt", Typeflag: tar.TypeReg, Mode: 0o644, Size: 4})
	tw.Write([]byte("src\n"))
	tw.Close()
	ref := "selfrepair/setup-test:latest"
	t.Cleanup(func() { eng.RemoveImage(context.Background(), ref) })
	image := "selfrepair/python:bookworm"
	res, err := sandbox.RunSetup(ctx, eng, sandbox.Setup{Image: image, Archive: buf.Bytes(), Ref: ref,
		Command: "mkdir deps && echo built > deps/lib.txt && cat src.txt && grep -c : /proc/net/dev"})
	if err != nil {
		t.Fatalf("%v: %s", err, res.Output)
	}
	// Without a network, the setup sees loopback alone.
	if got := string(res.Output); got != "src\n1\n" {
		t.Errorf("setup output %q", got)
	}
	sb, err := sandbox.New(ctx, eng, sandbox.Options{Image: ref, Size: 1, Spare: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	for range 2 {
		out, err := sb.Run(ctx, sandbox.Job{Base: sandbox.BaseDir, Argv: []string{"sh", "-c", "cat src.txt deps/lib.txt; echo changed > deps/lib.txt"}})
		if err != nil {
			t.Fatal(err)
		}
		if !out.OK() || string(out.Stdout) != "src\nbuilt\n" {
			t.Errorf("%s: %q %q", out.Summary(), out.Stdout, out.Stderr)
		}
	}
	res, err = sandbox.RunSetup(ctx, eng, sandbox.Setup{Image: image, Archive: buf.Bytes(), Ref: ref + "-failed",
		Command: "echo npm ERR! no such package >&2; exit 3"})
	if !errors.Is(err, sandbox.ErrSetupFailed) || res == nil || res.ExitCode != 3 || !bytes.Contains(res.Output, []byte("npm ERR!")) {
		t.Errorf("a failing setup: %v, %+v", err, res)
	}
	if _, err := eng.Image(ctx, ref+"-failed"); !errors.Is(err, sandbox.ErrImageMissing) {
		t.Errorf("a failing setup made an image: %v", err)
	}
}

// TestFailedBuildKeepsImage: a build that fails leaves the image it would
// have replaced as it was, and nothing half-built under the name or beside it.
func TestFailedBuildKeepsImage(t *testing.T) {
	if _, err := exec.LookPath("mmdebstrap"); err != nil {
		t.Skip("no mmdebstrap")
	}
	eng := newDocker(t).(*sandbox.Engine)
	ref := brokenImage(t, eng) // stands for an image built earlier
	id := func(ref string) string {
		out, _ := exec.Command("docker", "image", "inspect", "--format", "{{.Id}}", ref).Output()
		return strings.TrimSpace(string(out))
	}
	before := id(ref)
	r := sandbox.Recipe{Ref: ref, Suite: "bookworm", Packages: []string{"selfrepair-no-such-package"}}
	err := eng.BuildImage(context.Background(), r, sandbox.BuildDebootstrap, slog.New(slog.DiscardHandler))
	if err == nil {
		t.Fatal("a build with a package Debian lacks succeeded")
	}
	if got := id(ref); got != before {
		t.Errorf("%s is now %s, was %s", ref, got, before)
	}
	if got := id(ref + "-partial"); got != "" {
		t.Errorf("the half-built image is left: %s", got)
	}
}
