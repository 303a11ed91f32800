// Package languages knows, for each supported language, the sandbox image
// that runs it and the command that runs a program file.
package languages

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/selfrepair/selfrepair/sandbox"
)

// Suite is the Debian release the sandbox images are built from.
const Suite = "bookworm"

// Language is one supported language.
type Language struct {
	Name     string
	Image    string            // the language whose image runs it, when not its own
	Packages []string          // Debian packages of its image (python3 is always added: the supervisor needs it)
	Env      map[string]string // environment its programs need
	// Command returns the build step (may be nil) and the command for a program file.
	Command func(file string) (build, run []string)
}

// imageLanguage is the language whose image runs l.
func (l Language) imageLanguage() Language {
	if l.Image == "" {
		return l
	}
	return table()[l.Image]
}

// ImageRef is the default image name for a language.
func (l Language) ImageRef() string { return "selfrepair/" + l.imageLanguage().Name + ":" + Suite }

// Recipe is what the language's image is built from; ref overrides the name.
func (l Language) Recipe(ref string) sandbox.Recipe {
	img := l.imageLanguage()
	if ref == "" {
		ref = img.ImageRef()
	}
	pkgs := append([]string{"python3"}, img.Packages...)
	return sandbox.Recipe{Ref: ref, Suite: Suite, Packages: pkgs}
}

// Job is a sandbox job that runs one program file with this language.
func (l Language) Job(name string, src []byte, limits sandbox.Limits) sandbox.Job {
	build, run := l.Command(name)
	return sandbox.Job{Files: map[string][]byte{name: src}, Build: build, Argv: run, Env: l.Env, Limits: limits}
}

// table lists the languages.
func table() map[string]Language {
	return map[string]Language{
		"python": {
			Name:     "python",
			Packages: []string{"python3-pytest"},
			Env:      map[string]string{"PYTHONDONTWRITEBYTECODE": "1"},
			Command:  func(f string) ([]string, []string) { return nil, []string{"python3", f} },
		},
		"javascript": {
			Name:     "javascript",
			Packages: []string{"nodejs"},
			Command:  func(f string) ([]string, []string) { return nil, []string{"node", f} },
		},
		"go": {
			Name:     "go",
			Packages: []string{"golang-go"},
			Env: map[string]string{"GOCACHE": "/tmp/go-cache", "GOPATH": "/tmp/go", "GOFLAGS": "-buildvcs=false",
				"CGO_ENABLED": "0", "GOTOOLCHAIN": "local", "GO111MODULE": "auto"},
			Command: func(f string) ([]string, []string) {
				return []string{"go", "build", "-o", "prog", f}, []string{"./prog"}
			},
		},
		"shell": {
			Name:    "shell",
			Image:   "python", // any Debian image has sh
			Command: func(f string) ([]string, []string) { return nil, []string{"sh", f} },
		},
	}
}

// Lookup finds a language by name.
func Lookup(name string) (Language, error) {
	if l, ok := table()[name]; ok {
		return l, nil
	}
	return Language{}, fmt.Errorf("unknown language %q (known: %s)", name, strings.Join(Names(), ", "))
}

// ForFile guesses the language of a program file from its extension.
func ForFile(file string) (Language, error) {
	switch path.Ext(file) {
	case ".py":
		return table()["python"], nil
	case ".js", ".mjs", ".cjs":
		return table()["javascript"], nil
	case ".go":
		return table()["go"], nil
	case ".sh":
		return table()["shell"], nil
	}
	return Language{}, fmt.Errorf("cannot tell the language of %s: name it with --lang", file)
}

// Names lists the languages.
func Names() []string {
	all := table()
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Must is Lookup for names known to exist; it panics on a typo in our own code.
func Must(name string) Language {
	l, err := Lookup(name)
	if err != nil {
		panic(err)
	}
	return l
}
