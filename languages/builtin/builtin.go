// Package builtin is the registry of the languages this build of
// selfrepair knows, and the default one.
package builtin

import (
	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/languages/cpp"
	"github.com/selfrepair/selfrepair/languages/golang"
	"github.com/selfrepair/selfrepair/languages/java"
	"github.com/selfrepair/selfrepair/languages/javascript"
	"github.com/selfrepair/selfrepair/languages/python"
	"github.com/selfrepair/selfrepair/languages/rust"
	"github.com/selfrepair/selfrepair/languages/script"
)

// Default is the language of a task that names none, and of the default
// image.
const Default = "python"

// Registry returns the languages: one line each.
func Registry() *languages.Registry {
	return languages.NewRegistry(
		python.New(),
		cpp.New(),
		golang.New(),
		javascript.New(),
		rust.New(),
		java.New(),
		// Any Debian image has sh: shell programs run in the default one.
		script.Runtime{Lang: "shell", Image: Default, Packages: python.Packages(), Exts: []string{".sh"},
			Command: func(f string) ([]string, []string) { return nil, []string{"sh", f} }},
	)
}

// Language is the default language.
func Language() languages.Language {
	l, err := Registry().Language(Default)
	if err != nil {
		panic(err) // the registry lacks its own default: a bug of this file
	}
	return l
}
