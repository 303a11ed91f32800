// Package languages is what the core shares with every programming
// language: the outcome of a program's tests (error classes, suites of
// tests), and the interfaces a language implements to be built, run and
// judged in the sandbox. Each language is a package of its own
// (languages/python, ...); a Registry holds the ones a build knows.
package languages

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// Release is the Debian release the sandbox images are built from.
const Release = "bookworm"

// Runtime runs program files of a language in its sandbox image: what
// `sandbox build`, `sandbox run` and `sandbox doctor` need.
type Runtime interface {
	Name() string
	// ImageRef is the default name of the runtime's image.
	ImageRef() string
	// Recipe is what the image is built from; ref overrides its name.
	Recipe(ref string) sandbox.Recipe
	// FileJob runs the program file name holding src.
	FileJob(name string, src []byte, limits sandbox.Limits) sandbox.Job
	// Extensions are the file name extensions of its programs (".py").
	Extensions() []string
}

// Language is a Runtime that also runs a task's tests against a program
// and judges the result: what evaluate and study need.
type Language interface {
	Runtime
	// Preload are the trusted harness sources a sandbox should load when
	// a container starts (sandbox.Options.Preload).
	Preload() []string
	// Program is the program that the code of a model's answer to t runs
	// as (for a completion task, the prompt with the code spliced in).
	Program(t tasks.Task, code string) string
	// Job tests program against the given suites of t's tests (Base when
	// none is named).
	Job(t tasks.Task, program string, limits sandbox.Limits, suites ...Suite) sandbox.Job
	// Classify reads the outcome of the result of job (made by Job).
	Classify(job sandbox.Job, res *sandbox.Result) Outcome
	// Words are the words prompts use for the language.
	Words() Words
	// SeedEnv is the environment that makes the language's hashing (the
	// iteration order of its sets and maps) a function of seed, for
	// reproducible verdicts; nil when the language has none to seed.
	SeedEnv(seed string) map[string]string
	// Coder writes the language's code the way a code model gets it
	// wrong: the simulated model's answers and mutation tests use it.
	Coder() Coder
}

// Words are what prompts call a language and its code.
type Words struct {
	Name    string // "Python"
	Version string // the version the code is written for: "Python 3"
	Fence   string // the code fence's info string: "python"
	// Aliases are the other info strings that tag its code in answers: "py".
	Aliases []string
	Header  string // what a function's first line is called, with "its": "its def line"
}

// Tags are the info strings that tag the language's code blocks: Fence and
// its aliases.
func (w Words) Tags() []string { return append([]string{w.Fence}, w.Aliases...) }

// Registry holds the runtimes and languages a build knows, by name.
type Registry struct {
	runtimes []Runtime
}

// NewRegistry makes a registry of the given runtimes (a Language is one).
func NewRegistry(rs ...Runtime) *Registry { return &Registry{runtimes: rs} }

// Names lists the runtimes, sorted.
func (r *Registry) Names() []string {
	names := make([]string, len(r.runtimes))
	for i, rt := range r.runtimes {
		names[i] = rt.Name()
	}
	slices.Sort(names)
	return names
}

// Runtime finds a runtime by name.
func (r *Registry) Runtime(name string) (Runtime, error) {
	for _, rt := range r.runtimes {
		if rt.Name() == name {
			return rt, nil
		}
	}
	return nil, fmt.Errorf("unknown language %q (known: %s)", name, strings.Join(r.Names(), ", "))
}

// Language finds a language whose tasks can be judged, by name.
func (r *Registry) Language(name string) (Language, error) {
	rt, err := r.Runtime(name)
	if err != nil {
		return nil, err
	}
	l, ok := rt.(Language)
	if !ok {
		return nil, fmt.Errorf("language %s runs programs, but selfrepair cannot judge its tasks yet", name)
	}
	return l, nil
}

// Languages are the languages whose tasks can be judged, in the order the
// registry was made.
func (r *Registry) Languages() []Language {
	var ls []Language
	for _, rt := range r.runtimes {
		if l, ok := rt.(Language); ok {
			ls = append(ls, l)
		}
	}
	return ls
}

// ForFile guesses the runtime of a program file from its extension.
func (r *Registry) ForFile(file string) (Runtime, error) {
	ext := path.Ext(file)
	for _, rt := range r.runtimes {
		if ext != "" && slices.Contains(rt.Extensions(), ext) {
			return rt, nil
		}
	}
	return nil, fmt.Errorf("cannot tell the language of %s: name it with --lang", file)
}

// Of is the language of the tasks of ds: every task must have the same.
func (r *Registry) Of(ds *tasks.Dataset) (Language, error) {
	name := ""
	for _, t := range ds.Tasks {
		switch {
		case name == "":
			name = t.Language
		case t.Language != name:
			return nil, fmt.Errorf("dataset %s mixes languages (%s and %s): give each its own tasks file", ds.Name, name, t.Language)
		}
	}
	if name == "" {
		return nil, fmt.Errorf("dataset %s has no tasks", ds.Name)
	}
	l, err := r.Language(name)
	if err != nil {
		return nil, fmt.Errorf("dataset %s: %w", ds.Name, err)
	}
	return l, nil
}
