package sandbox_test

import (
	"archive/tar"
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
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
