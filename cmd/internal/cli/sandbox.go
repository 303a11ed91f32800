package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/docker/go-units"
	"github.com/spf13/cobra"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/languages/builtin"
	"github.com/selfrepair/selfrepair/reports"
	"github.com/selfrepair/selfrepair/sandbox"
)

// NewCmdSandbox groups the sandbox commands.
func NewCmdSandbox(f *Factory) *cobra.Command {
	cmd := &cobra.Command{Use: "sandbox", Short: "Build, check and use the execution sandbox"}
	cmd.AddCommand(NewCmdSandboxBuild(f, nil), NewCmdSandboxDoctor(f, nil), NewCmdSandboxRun(f, nil), NewCmdSandboxSweep(f, nil))
	return cmd
}

// BuildOptions are the options of `sandbox build`.
type BuildOptions struct {
	Langs   []string
	Image   string
	Method  string
	IfStale bool
}

// NewCmdSandboxBuild builds language images.
func NewCmdSandboxBuild(f *Factory, runF func(context.Context, *BuildOptions) error) *cobra.Command {
	o := &BuildOptions{}
	cmd := &cobra.Command{
		Use:   "build [LANG...]",
		Short: "Build the sandbox image of a language (default " + builtin.Default + ")",
		Long: "Builds a sandbox image. Without a registry (the default where mmdebstrap is installed) the root\n" +
			"filesystem is made from Debian packages and imported; with --method pull it starts from debian:SUITE-slim.\n" +
			"Languages: " + fmt.Sprint(f.Languages().Names()),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Langs = args
			if len(o.Langs) == 0 {
				o.Langs = []string{builtin.Default}
			}
			if o.Image != "" && len(o.Langs) > 1 {
				return &usageError{errors.New("--image names one image: give one language")}
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runBuild(cmd.Context(), f, o)
		},
	}
	cmd.Flags().StringVar(&o.Image, "image", "", "image name:tag (default selfrepair/LANG:"+languages.Release+")")
	cmd.Flags().StringVar(&o.Method, "method", "auto", "auto, mmdebstrap (offline, from Debian packages) or pull (from a registry)")
	cmd.Flags().BoolVar(&o.IfStale, "if-stale", false, "build only an image that is missing or was built from another recipe")
	return cmd
}

func runBuild(ctx context.Context, f *Factory, o *BuildOptions) error {
	method, err := sandbox.ParseBuildMethod(o.Method)
	if err != nil {
		return &usageError{err}
	}
	eng, err := f.Engine(ctx)
	if err != nil {
		return err
	}
	defer eng.Close()
	for _, name := range o.Langs {
		lang, err := f.Languages().Runtime(name)
		if err != nil {
			return &usageError{err}
		}
		recipe := lang.Recipe(o.Image)
		if o.IfStale {
			img, err := eng.Image(ctx, recipe.Ref)
			if err == nil && img.Labels[sandbox.LabelRecipe] == recipe.Digest() {
				f.Logger().Info("image is current", "image", recipe.Ref, "recipe", recipe.Digest())
				continue
			}
			if err != nil && !errors.Is(err, sandbox.ErrImageMissing) {
				return err
			}
		}
		if err := eng.BuildImage(ctx, recipe, method, f.Logger()); err != nil {
			return err
		}
	}
	return nil
}

// DoctorOptions are the options of `sandbox doctor`.
type DoctorOptions struct {
	Lang  string
	Image string
}

// NewCmdSandboxDoctor checks the engine, the image and the limits.
func NewCmdSandboxDoctor(f *Factory, runF func(context.Context, *DoctorOptions) error) *cobra.Command {
	o := &DoctorOptions{}
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check the engine, the image, and that the limits are enforced",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			lang, err := f.Languages().Runtime(o.Lang)
			if err != nil {
				return &usageError{err}
			}
			eng, err := f.Engine(cmd.Context())
			if err != nil {
				return err
			}
			defer eng.Close()
			failed := 0
			for _, c := range sandbox.Doctor(cmd.Context(), eng, lang.Recipe(o.Image)) {
				mark := "ok  "
				if !c.OK {
					mark = "FAIL"
					failed++
				}
				fmt.Fprintf(f.Out, "%s %-18s %s\n", mark, c.Name, c.Detail)
			}
			if failed > 0 {
				return fmt.Errorf("%d check(s) failed", failed)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&o.Lang, "lang", builtin.Default, "language whose image to check")
	cmd.Flags().StringVar(&o.Image, "image", "", "image name:tag (default selfrepair/LANG:"+languages.Release+")")
	return cmd
}

// RunOptions are the options of `sandbox run`.
type RunOptions struct {
	File      string
	Lang      string
	Image     string
	Timeout   time.Duration
	Memory    string
	Pids      int64
	CPUs      float64
	Output    string
	JSON      bool
	Isolation string
}

// NewCmdSandboxRun runs one program and prints its verdict.
func NewCmdSandboxRun(f *Factory, runF func(context.Context, *RunOptions) error) *cobra.Command {
	o := &RunOptions{}
	d := sandbox.DefaultLimits()
	cmd := &cobra.Command{
		Use:   "run FILE",
		Short: "Run one program in the sandbox and print how it ended",
		Long:  "Runs one program file in a fresh sandbox. Exit code 0 if it exited with status 0, 4 if not.",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.File = args[0]
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runRun(cmd.Context(), f, o)
		},
	}
	cmd.Flags().StringVar(&o.Lang, "lang", "", "language (default: from the file's extension)")
	cmd.Flags().StringVar(&o.Image, "image", "", "image name:tag (default selfrepair/LANG:"+languages.Release+")")
	cmd.Flags().DurationVar(&o.Timeout, "timeout", d.Timeout, "time limit, in CPU time (a program that waits is stopped after twice that)")
	cmd.Flags().StringVar(&o.Memory, "memory", units.BytesSize(float64(d.Memory)), "memory limit, swap included (e.g. 256m)")
	cmd.Flags().Int64Var(&o.Pids, "pids", d.Pids, "process and thread limit")
	cmd.Flags().Float64Var(&o.CPUs, "cpus", d.CPUs, "CPU quota in cores")
	cmd.Flags().StringVar(&o.Output, "output-limit", units.BytesSize(float64(d.OutputLimit)), "bytes kept of stdout and of stderr each")
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print the result as JSON")
	cmd.Flags().StringVar(&o.Isolation, "isolation", string(sandbox.Fresh), "fresh or pooled")
	return cmd
}

func runRun(ctx context.Context, f *Factory, o *RunOptions) error {
	src, err := os.ReadFile(o.File)
	if err != nil {
		return err
	}
	lang, err := f.Languages().ForFile(o.File)
	if o.Lang != "" {
		lang, err = f.Languages().Runtime(o.Lang)
	}
	if err != nil {
		return &usageError{err}
	}
	iso, err := sandbox.ParseIsolation(o.Isolation)
	if err != nil {
		return &usageError{err}
	}
	limits := sandbox.Limits{Timeout: o.Timeout, Pids: o.Pids, CPUs: o.CPUs}
	if limits.Memory, err = units.RAMInBytes(o.Memory); err != nil {
		return &usageError{fmt.Errorf("--memory: %w", err)}
	}
	out, err := units.RAMInBytes(o.Output)
	if err != nil {
		return &usageError{fmt.Errorf("--output-limit: %w", err)}
	}
	limits.OutputLimit = int(out)
	eng, err := f.Engine(ctx)
	if err != nil {
		return err
	}
	defer eng.Close()
	image := o.Image
	if image == "" {
		image = lang.ImageRef()
	}
	sb, err := sandbox.New(ctx, eng, sandbox.Options{Image: image, Isolation: iso, Size: 1, Spare: -1, Limits: limits, Logger: f.Logger()})
	if err != nil {
		return imageHint(err, lang.Name())
	}
	defer sb.Close()
	res, err := sb.Run(ctx, lang.FileJob(baseName(o.File), src, limits))
	if err != nil {
		return err
	}
	if o.JSON {
		enc := json.NewEncoder(f.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else {
		printResult(f, res)
	}
	if !res.OK() {
		return &exitError{code: ExitFailed, err: errors.New("")}
	}
	return nil
}

func baseName(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}

func printResult(f *Factory, r *sandbox.Result) {
	build := ""
	if r.BuildExitCode != nil {
		build = fmt.Sprintf("build %s, ", r.Build.Round(time.Millisecond))
	}
	fmt.Fprintf(f.Out, "%s (%srun %s, total %s)\n", r.Summary(), build, r.Run.Round(time.Millisecond), r.Total.Round(time.Millisecond))
	for _, s := range []struct {
		name      string
		data      []byte
		n         int64
		truncated bool
	}{{"build output", r.BuildOutput, int64(len(r.BuildOutput)), false},
		{"stdout", r.Stdout, r.StdoutBytes, r.StdoutTruncated}, {"stderr", r.Stderr, r.StderrBytes, r.StderrTruncated}} {
		if s.n == 0 {
			continue
		}
		note := ""
		if s.truncated {
			note = fmt.Sprintf(", truncated to %d", len(s.data))
		}
		fmt.Fprintf(f.Out, "--- %s (%d bytes%s) ---\n%s\n", s.name, s.n, note, reports.Escape(s.data))
	}
}

func imageHint(err error, lang string) error {
	if errors.Is(err, sandbox.ErrImageMissing) {
		return fmt.Errorf("%w: build it with `selfrepair sandbox build %s`", err, lang)
	}
	return err
}

// SweepOptions are the options of `sandbox sweep`.
type SweepOptions struct{ DryRun bool }

// NewCmdSandboxSweep removes containers left by crashed runs.
func NewCmdSandboxSweep(f *Factory, runF func(context.Context, *SweepOptions) error) *cobra.Command {
	o := &SweepOptions{}
	cmd := &cobra.Command{
		Use:   "sweep",
		Short: "Remove sandbox containers whose run is gone (every command does this at start)",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			eng, err := f.Engine(cmd.Context())
			if err != nil {
				return err
			}
			defer eng.Close()
			orphans, err := sandbox.Sweep(cmd.Context(), eng, o.DryRun)
			verb := "removed"
			if o.DryRun {
				verb = "would remove"
			}
			for _, c := range orphans {
				fmt.Fprintf(f.Out, "%s %s (run %s, owner %s)\n", verb, c.ID, c.Run, c.Owner)
			}
			fmt.Fprintf(f.Out, "%d orphaned container(s)\n", len(orphans))
			return err
		},
	}
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "list, do not remove")
	return cmd
}
