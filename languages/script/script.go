// Package script runs the program files of a language with a command in
// its image: the languages whose tasks selfrepair does not judge (yet)
// are runtimes of this kind, and a judged language uses one for plain
// program files.
package script

import (
	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/sandbox"
)

// Runtime runs a program file with a command.
type Runtime struct {
	Lang string // the language's name
	// Image is the name of the language whose image runs it, when not
	// its own; Packages are then that image's packages.
	Image    string
	Packages []string          // Debian packages of its image
	Env      map[string]string // environment its programs need
	Exts     []string          // file name extensions
	// Command returns the build step (may be nil) and the command for a program file.
	Command func(file string) (build, run []string)
}

var _ languages.Runtime = Runtime{}

// Name is the language's name.
func (r Runtime) Name() string { return r.Lang }

// Extensions are the file name extensions of its programs.
func (r Runtime) Extensions() []string { return r.Exts }

// ImageRef is the default image name.
func (r Runtime) ImageRef() string {
	img := r.Image
	if img == "" {
		img = r.Lang
	}
	return "selfrepair/" + img + ":" + languages.Release
}

// Recipe is what the image is built from; ref overrides the name.
func (r Runtime) Recipe(ref string) sandbox.Recipe {
	if ref == "" {
		ref = r.ImageRef()
	}
	return sandbox.Recipe{Ref: ref, Suite: languages.Release, Packages: r.Packages}
}

// FileJob runs one program file.
func (r Runtime) FileJob(name string, src []byte, limits sandbox.Limits) sandbox.Job {
	build, run := r.Command(name)
	return sandbox.Job{Files: map[string][]byte{name: src}, Build: build, Argv: run, Env: r.Env, Limits: limits}
}
