// Package cli is selfrepair's command line: it parses flags and calls the
// packages that do the work.
//
// Exit codes:
//
//	0  success
//	1  an error (one line on stderr)
//	2  a usage error (bad flags or arguments)
//	1  fix, ci: not fixed (the best patch so far is written)
//	3  evaluate: some samples could not be evaluated because the sandbox failed;
//	   fix, ci: an infrastructure error (engine, image, endpoint)
//	4  sandbox run: the program did not pass (non-zero exit, timeout, limit)
//	130 interrupted (SIGINT/SIGTERM); the run's containers are removed first
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/charmbracelet/log"
	"github.com/spf13/cobra"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/languages/builtin"
	"github.com/selfrepair/selfrepair/sandbox"
)

// Exit codes.
const (
	ExitOK           = 0
	ExitError        = 1
	ExitUsage        = 2
	ExitSandboxError = 3
	ExitFailed       = 4
	ExitInterrupted  = 130
)

// Factory holds what every command needs.
type Factory struct {
	In       io.Reader
	Out, Err io.Writer
	Verbose  bool
}

// Logger is the process's logger: charmbracelet/log behind log/slog.
func (f *Factory) Logger() *slog.Logger {
	level := log.InfoLevel
	if f.Verbose {
		level = log.DebugLevel
	}
	return slog.New(log.NewWithOptions(f.Err, log.Options{Level: level, ReportTimestamp: true, TimeFormat: "15:04:05"}))
}

// Languages is the registry of the languages this build knows.
func (f *Factory) Languages() *languages.Registry { return builtin.Registry() }

// Engine connects to the Docker engine.
func (f *Factory) Engine(ctx context.Context) (*sandbox.Engine, error) {
	return sandbox.NewEngine(ctx)
}

// exitError carries an exit code other than ExitError.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }

// Main runs the command line and returns the exit code.
func Main(args []string, in io.Reader, out, errw io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	f := &Factory{In: in, Out: out, Err: errw}
	root := NewCmdRoot(f)
	root.SetArgs(args)
	root.SetIn(in)
	root.SetOut(out)
	root.SetErr(errw)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	if ctx.Err() != nil {
		fmt.Fprintln(errw, "selfrepair: interrupted")
		return ExitInterrupted
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintln(errw, "selfrepair: "+oneLine(ee.err.Error()))
		}
		return ee.code
	}
	var ue *usageError
	if errors.As(err, &ue) || strings.HasPrefix(err.Error(), "unknown command") || strings.HasPrefix(err.Error(), "unknown flag") {
		fmt.Fprintln(errw, "selfrepair: "+oneLine(err.Error())+" (see --help)")
		return ExitUsage
	}
	fmt.Fprintln(errw, "selfrepair: "+oneLine(err.Error()))
	return ExitError
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " …"
	}
	return s
}

// NewCmdRoot is the selfrepair command.
func NewCmdRoot(f *Factory) *cobra.Command {
	root := &cobra.Command{
		Use:           "selfrepair",
		Short:         "Make LLM-written code pass its tests",
		Long:          "selfrepair runs model-written code against its tests in hardened Docker containers,\nclassifies failures and reports pass@k.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().BoolVarP(&f.Verbose, "verbose", "v", false, "log debug detail")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return &usageError{err} })
	root.AddCommand(NewCmdSandbox(f), NewCmdEvaluate(f, nil), NewCmdSim(f, nil))
	root.AddCommand(NewCmdStudy(f, nil), NewCmdFix(f, nil), NewCmdCI(f, nil))
	root.AddCommand(NewCmdReport(f, nil))
	return root
}

// exactArgs is cobra.ExactArgs with a usage error.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.ExactArgs(n)(cmd, args); err != nil {
			return &usageError{err}
		}
		return nil
	}
}
