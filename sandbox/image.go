package sandbox

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/api/types/image"
)

// Image labels.
const (
	LabelRecipe  = "io.selfrepair.recipe"  // digest of the Recipe that built the image
	LabelBuilder = "io.selfrepair.builder" // what built it: selfrepair and the method
)

// Recipe says what goes into a sandbox image: Debian packages on a Debian
// suite. Every image also holds python3, which the supervisor needs.
type Recipe struct {
	Ref      string   // image name:tag
	Suite    string   // Debian suite, e.g. bookworm
	Packages []string // the language's Debian packages
	// Files are written into the image once the packages are installed:
	// absolute path to content (a toolchain's configuration, a shim).
	Files map[string]string
	// Setup are shell commands run as root in the image after that, in
	// order, with no network (warming a build cache, say).
	Setup []string
}

// supervisorPackages are the Debian packages the supervisor needs.
func supervisorPackages() []string { return []string{"python3"} }

// packages are every Debian package of the image.
func (r Recipe) packages() []string { return append(supervisorPackages(), r.Packages...) }

// Digest identifies the recipe's content (not its name): an image whose
// label differs was built from another recipe and is stale.
func (r Recipe) Digest() string {
	data, _ := json.Marshal(struct {
		Suite    string
		Packages []string
		V        int
		Files    map[string]string `json:",omitempty"`
		Setup    []string          `json:",omitempty"`
	}{r.Suite, r.packages(), 1, r.Files, r.Setup})
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:6])
}

// BuildMethod says how an image is built.
type BuildMethod string

const (
	// BuildAuto uses mmdebstrap when it is installed, else a pulled base image.
	BuildAuto BuildMethod = "auto"
	// BuildDebootstrap builds the root filesystem from Debian packages with
	// mmdebstrap and imports it: no registry needed.
	BuildDebootstrap BuildMethod = "mmdebstrap"
	// BuildPull starts from the registry's debian:SUITE-slim image.
	BuildPull BuildMethod = "pull"
)

// ParseBuildMethod reads a build method name.
func ParseBuildMethod(s string) (BuildMethod, error) {
	switch BuildMethod(s) {
	case BuildAuto, BuildDebootstrap, BuildPull:
		return BuildMethod(s), nil
	}
	return "", fmt.Errorf("unknown build method %q (want auto, mmdebstrap or pull)", s)
}

// BuildImage builds the recipe's image, logging what it does. Without
// mmdebstrap and without a registry it fails with one line that says so
// and names the command that fixes it (never the engine's raw error).
func (e *Engine) BuildImage(ctx context.Context, r Recipe, method BuildMethod, log *slog.Logger) error {
	_, lookErr := exec.LookPath("mmdebstrap")
	auto := method == BuildAuto || method == ""
	if auto {
		method = BuildPull
		if lookErr == nil {
			method = BuildDebootstrap
		}
	}
	labels := fmt.Sprintf("LABEL %s=%s %s=%s", LabelRecipe, r.Digest(), LabelBuilder, "selfrepair/"+string(method))
	if method == BuildDebootstrap {
		if lookErr != nil {
			return &Error{Op: "build image " + r.Ref, Err: errors.New("mmdebstrap is not installed: apt-get install -y mmdebstrap (as root)")}
		}
		return e.buildDebootstrap(ctx, r, labels, log)
	}
	err := e.buildPull(ctx, r, labels, log)
	if errors.Is(err, errNoRegistry) {
		fix := "build offline from Debian packages with --method mmdebstrap (apt-get install -y mmdebstrap, as root)"
		if auto {
			fix = "mmdebstrap, which builds it offline from Debian packages, is not installed: apt-get install -y mmdebstrap (as root)"
		}
		return &Error{Op: "build image " + r.Ref, Err: fmt.Errorf("%w (%s could not be pulled); %s", errNoRegistry, baseImage(r), fix)}
	}
	return err
}

// errNoRegistry means the base image is neither in the engine nor pullable.
var errNoRegistry = errors.New("no image registry answers")

func baseImage(r Recipe) string { return "debian:" + r.Suite + "-slim" }

// pullBase makes sure the engine has the base image, pulling it if needed.
// Any failure to pull is errNoRegistry: the engine's own message (a DNS
// error, a refused connection, a rate limit) is logged, not returned.
func (e *Engine) pullBase(ctx context.Context, ref string, log *slog.Logger) error {
	if _, err := e.Image(ctx, ref); err == nil {
		return nil
	} else if !errors.Is(err, ErrImageMissing) {
		return err
	}
	log.Info("pulling the base image", "image", ref)
	rc, err := e.cli.ImagePull(ctx, ref, image.PullOptions{})
	if err == nil {
		defer rc.Close()
		dec := json.NewDecoder(rc)
		for {
			var msg struct {
				Error string `json:"error"`
			}
			if derr := dec.Decode(&msg); derr != nil {
				if !errors.Is(derr, io.EOF) {
					err = derr
				}
				break
			}
			if msg.Error != "" {
				err = errors.New(msg.Error)
				break
			}
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		log.Debug("pull failed", "image", ref, "err", err)
		return errNoRegistry
	}
	return nil
}

func (e *Engine) buildDebootstrap(ctx context.Context, r Recipe, labels string, log *slog.Logger) error {
	args := []string{"--variant=apt", "--include=" + strings.Join(r.packages(), ","),
		"--dpkgopt=path-exclude=/usr/share/doc/*", "--dpkgopt=path-exclude=/usr/share/man/*",
		"--dpkgopt=path-exclude=/usr/share/locale/*",
		// Man pages are left out, but some maintainer scripts (openjdk's)
		// install alternatives for them and fail without the folder, as
		// in Debian's own slim images.
		`--essential-hook=mkdir -p "$1/usr/share/man/man1"`}
	if len(r.Files) > 0 {
		dir, err := os.MkdirTemp("", "selfrepair-recipe-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		// sync-in copies the folder itself too: it becomes the image's root.
		if err := os.Chmod(dir, 0o755); err != nil {
			return err
		}
		if err := writeFiles(dir, r.Files); err != nil {
			return err
		}
		args = append(args, "--customize-hook=sync-in "+dir+" /")
	}
	for _, cmd := range r.Setup {
		args = append(args, "--customize-hook=chroot \"$1\" sh -ec "+shellQuote(cmd))
	}
	args = append(args, r.Suite, "-")
	log.Info("building image from Debian packages", "image", r.Ref, "suite", r.Suite, "packages", strings.Join(r.packages(), " "))
	cmd := exec.CommandContext(ctx, "mmdebstrap", args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("run mmdebstrap: %w", err)
	}
	tail := &tailBuffer{max: 4 << 10}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			tail.Write([]byte(line + "\n"))
			if strings.HasPrefix(line, "I: ") {
				log.Info("mmdebstrap: " + strings.TrimPrefix(line, "I: "))
			}
		}
	}()
	// The stream is imported under a name of its own and named r.Ref only
	// once mmdebstrap has succeeded: a build that fails half-way leaves the
	// old image, never a truncated one labelled as current.
	partial := partialRef(r.Ref)
	importErr := e.ImportImage(ctx, stdout, partial, []string{labels, `CMD ["python3"]`})
	io.Copy(io.Discard, stdout)
	<-done
	if err := cmd.Wait(); err != nil {
		e.RemoveImage(context.WithoutCancel(ctx), partial)
		return fmt.Errorf("mmdebstrap failed: %w: %s", err, lastLine(tail.String()))
	}
	if importErr != nil {
		e.RemoveImage(context.WithoutCancel(ctx), partial)
		return importErr
	}
	if err := e.rename(ctx, partial, r.Ref); err != nil {
		return err
	}
	log.Info("image built", "image", r.Ref)
	return nil
}

// partialRef is the name an image is imported under until its build has
// succeeded.
func partialRef(ref string) string {
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		return ref + "-partial"
	}
	return ref + ":partial"
}

// rename names the image from as to, in place of the image to named, which
// goes if nothing uses it, and removes the name from.
func (e *Engine) rename(ctx context.Context, from, to string) error {
	old, _, oldErr := e.cli.ImageInspectWithRaw(ctx, to)
	if err := e.cli.ImageTag(ctx, from, to); err != nil {
		return &Error{Op: "tag image " + to, Err: err}
	}
	if _, err := e.cli.ImageRemove(ctx, from, image.RemoveOptions{}); err != nil {
		return &Error{Op: "remove image " + from, Err: err}
	}
	if oldErr == nil {
		// Kept while a container still runs from it.
		e.cli.ImageRemove(ctx, old.ID, image.RemoveOptions{})
	}
	return nil
}

func (e *Engine) buildPull(ctx context.Context, r Recipe, labels string, log *slog.Logger) error {
	dockerfile := fmt.Sprintf("FROM %s\nRUN mkdir -p /usr/share/man/man1 && apt-get update && apt-get install -y --no-install-recommends %s && rm -rf /var/lib/apt/lists/*\n",
		baseImage(r), strings.Join(r.packages(), " "))
	if len(r.Files) > 0 {
		dockerfile += "COPY files/ /\n"
	}
	for _, cmd := range r.Setup {
		dockerfile += "RUN sh -ec " + shellQuote(cmd) + "\n"
	}
	dockerfile += labels + "\n"
	if err := e.pullBase(ctx, baseImage(r), log); err != nil {
		return err
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "Dockerfile", Mode: 0o644, Size: int64(len(dockerfile))})
	tw.Write([]byte(dockerfile))
	for _, name := range slices.Sorted(maps.Keys(r.Files)) {
		body := r.Files[name]
		tw.WriteHeader(&tar.Header{Name: path.Join("files", name), Mode: 0o644, Size: int64(len(body))})
		tw.Write([]byte(body))
	}
	tw.Close()
	log.Info("building image from a pulled base", "image", r.Ref, "base", baseImage(r))
	resp, err := e.cli.ImageBuild(ctx, &buf, build.ImageBuildOptions{Tags: []string{r.Ref}, Remove: true, ForceRemove: true})
	if err != nil {
		return &Error{Op: "build image " + r.Ref, Err: err}
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	for {
		var msg struct {
			Stream string `json:"stream"`
			Error  string `json:"error"`
		}
		if err := dec.Decode(&msg); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return &Error{Op: "build image " + r.Ref, Err: err}
		}
		if msg.Error != "" {
			return &Error{Op: "build image " + r.Ref, Err: errors.New(msg.Error)}
		}
		if s := strings.TrimSpace(msg.Stream); strings.HasPrefix(s, "Step ") {
			log.Info(s)
		}
	}
	log.Info("image built", "image", r.Ref)
	return nil
}

// writeFiles writes files (absolute path in the image to content) below dir.
func writeFiles(dir string, files map[string]string) error {
	for name, body := range files {
		if !path.IsAbs(name) || path.Clean(name) != name {
			return fmt.Errorf("recipe file %q: not a clean absolute path", name)
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// shellQuote quotes s as one word for sh.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
