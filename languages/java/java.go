// Package java is the Java language (HumanEval-X's Java tasks): it splices
// an answer into its task's program, compiles the program with its tests
// (javac, the build step) and runs them under a trusted driver (java, the
// run step), and classifies the outcome from the compiler's first error
// or the exception that failed a test.
//
// The image holds OpenJDK 17 and javatuples, and two small trusted
// programs (jvm/selfrepair): Compile, which calls javac through its API
// (printing what the javac command prints, plus each error's diagnostic
// code), and Driver, which runs the tests. Both start from class-data
// archives made when the image is built. A job's cost is mostly javac's
// start-up (its code runs cold in every job): about 1 s of CPU here, where
// the javac command takes 1.6 s; the archive saves a quarter of it and
// compiling javac's hot code with C1 alone a third more than the default
// JIT would cost. The run adds about 0.15 s.
package java

import (
	"embed"
	"io/fs"
	"path"
	"strings"

	"github.com/selfrepair/selfrepair/languages"
	"github.com/selfrepair/selfrepair/languages/script"
	"github.com/selfrepair/selfrepair/languages/testlog"
	"github.com/selfrepair/selfrepair/sandbox"
	"github.com/selfrepair/selfrepair/tasks"
)

// jvmSources are the trusted Java programs built into the image.
//
//go:embed jvm
var jvmSources embed.FS

// Where the image keeps its parts.
const (
	libDir       = "/usr/lib/selfrepair/java"
	driverJar    = libDir + "/selfrepair-java.jar"
	javacArchive = libDir + "/javac.jsa"
	runArchive   = libDir + "/run.jsa"
	tuplesJar    = "/usr/share/java/javatuples.jar"
	// classDir is where a job's classes go, below its working directory.
	classDir = "classes"
)

// javacExports open the javac internals that Compile uses to format
// diagnostics exactly as the javac command does.
func javacExports() []string {
	return []string{
		"--add-exports", "jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED",
		"--add-exports", "jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED",
	}
}

// compileCommand is the JVM that runs Compile. The compiler is a fixed,
// short workload: C1 alone compiles it fastest (C2 costs more than it
// saves), and the class-data archive holds javac's classes.
func compileCommand() []string {
	return append(append([]string{"java", "-XX:SharedArchiveFile=" + javacArchive, "-Xshare:auto", "-Xlog:cds=off", "-Xlog:cds+dynamic=off",
		"-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData"}, javacExports()...),
		"-cp", driverJar, "selfrepair.Compile")
}

// javacOptions are the options of every compilation: sources in UTF-8
// (the JDK 17 default follows the locale), all debugging information (a
// NullPointerException then names the variable that was null, where plain
// javac's classes say "<local2>"), no annotation processing (no code of
// the classpath runs while compiling), javatuples on the classpath.
func javacOptions(out string) []string {
	return []string{"-encoding", "UTF-8", "-g", "-proc:none", "-cp", tuplesJar, "-d", out}
}

// runCommand is the JVM that runs a program: assertions on (upstream runs
// java -ea), the class-data archive of the driver and the JDK classes tests
// use, half of the container's memory for the heap (a normal solution fits;
// a bomb ends as an OutOfMemoryError, not a kill), the default JIT (a
// heavy test keeps C2's speed).
func runCommand(classpath string) []string {
	return []string{"java", "-XX:SharedArchiveFile=" + runArchive, "-Xshare:auto", "-Xlog:cds=off", "-Xlog:cds+dynamic=off",
		"-XX:+UseSerialGC", "-XX:-UsePerfData", "-XX:MaxRAMPercentage=50", "-ea",
		"-cp", driverJar + ":" + tuplesJar + ":" + classpath}
}

// Language is Java 17, as Debian bookworm's OpenJDK runs it.
type Language struct {
	script.Runtime
}

var _ languages.Language = Language{}

// New returns the Java language.
func New() Language {
	return Language{script.Runtime{
		Lang:     "java",
		Packages: Packages(),
		Exts:     []string{".java"},
		Command: func(file string) ([]string, []string) {
			build := append(append(compileCommand(), "--"), append(javacOptions("."), file)...)
			class := strings.TrimSuffix(path.Base(file), ".java")
			return build, append(runCommand("."), class)
		},
	}}
}

// Packages are the Debian packages of the Java image.
// JUnit 4 and hamcrest are what QuixBugs' tests (and plain JUnitCore
// command lines) need; Maven with the plugins of its default test
// lifecycle (resources, compiler, surefire) runs a repository's mvn test
// offline, from Debian's Maven repository (mavenSettings).
func Packages() []string {
	return []string{"openjdk-17-jdk-headless", "libjavatuples-java", "junit4", "libhamcrest-java",
		"maven", "libmaven-resources-plugin-java", "libmaven-compiler-plugin-java", "libsurefire-java"}
}

// mavenSettings is the image's Maven configuration: the local repository
// is Debian's, /usr/share/maven-repo, which holds the packaged plugins
// (at the versions Maven's super-POM names, too) and libraries (junit
// 4.13.2 among them). It is read-only when jobs run; Maven only reads it.
const mavenSettings = `<?xml version="1.0" encoding="UTF-8"?>
<settings xmlns="http://maven.apache.org/SETTINGS/1.0.0">
  <localRepository>/usr/share/maven-repo</localRepository>
</settings>
`

// junitJar is Debian's JUnit 4.
const junitJar = "/usr/share/java/junit4.jar"

// Recipe is the image: the packages, the trusted programs' sources, and the
// setup that compiles them into a jar and makes the class-data archives of
// the compiler and of the driver by running each on warm-up programs
// (jvm/selfrepair/warm) with the flags the jobs use. The rootfs is
// read-only when jobs run: the archives are only read then.
func (l Language) Recipe(ref string) sandbox.Recipe {
	r := l.Runtime.Recipe(ref)
	r.Files = map[string]string{"/etc/maven/settings.xml": mavenSettings}
	fs.WalkDir(jvmSources, "jvm", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".java") {
			b, _ := jvmSources.ReadFile(p)
			r.Files[path.Join(libDir, "src", strings.TrimPrefix(p, "jvm/"))] = string(b)
		}
		return nil
	})
	src := libDir + "/src/selfrepair"
	r.Setup = []string{
		"cd " + libDir + " && javac " + strings.Join(javacExports(), " ") + " -encoding UTF-8 -proc:none -cp " + tuplesJar +
			" -d /tmp/selfrepair-classes " + src + "/*.java " + src + "/warm/*.java" +
			" && jar --create --file " + driverJar + " -C /tmp/selfrepair-classes . && rm -rf /tmp/selfrepair-classes" +
			// An archive holds its jars' mtimes, and the image's export
			// clamps recent ones: a fixed old mtime survives it.
			" && touch -d @946684800 " + driverJar,
		// The JUnit runner repository mode runs in place of JUnitCore
		// (testlog.Instrument), an agent too (its manifest).
		"javac -encoding UTF-8 -proc:none -cp " + junitJar + " -d /tmp/selfrepair-junit " + libDir + "/src/junit/selfrepair/junit/*.java" +
			" && printf 'Premain-Class: selfrepair.junit.Report\\n' >/tmp/selfrepair-junit.mf" +
			" && jar --create --file " + testlog.JUnitListener + " --manifest /tmp/selfrepair-junit.mf -C /tmp/selfrepair-junit ." +
			" && rm -rf /tmp/selfrepair-junit /tmp/selfrepair-junit.mf && touch -d @946684800 " + testlog.JUnitListener,
		// Compile every warm-up program, the broken ones too (the error
		// paths' classes), in one JVM that archives what it loaded.
		shellJoin(replaceArchive(compileCommand(), javacArchive)) + " --warm -- " + strings.Join(javacOptions("/tmp/selfrepair-warm"), " ") +
			" " + src + "/warm/*.java " + libDir + "/src/warm-errors/*.java && rm -rf /tmp/selfrepair-warm",
		// Run the warm-up tests, passing and failing, under the driver.
		"SELFREPAIR_TOKEN=warm " + shellJoin(replaceArchive(runCommand(""), runArchive)) +
			" selfrepair.Driver pass=selfrepair.warm.Pass:1 fail=selfrepair.warm.Fail:1 >/dev/null 2>&1 || true",
		"test -s " + javacArchive + " && test -s " + runArchive + " && chmod 0644 " + javacArchive + " " + runArchive,
	}
	return r
}

// replaceArchive turns a command that uses a class-data archive into the
// one that makes it (-XX:ArchiveClassesAtExit), with a classpath that
// ends at the image's jars (an archive is valid for any classpath that
// begins with its own).
func replaceArchive(cmd []string, archive string) []string {
	out := make([]string, 0, len(cmd))
	for i := 0; i < len(cmd); i++ {
		switch a := cmd[i]; {
		case a == "-XX:SharedArchiveFile="+archive:
			out = append(out, "-XX:ArchiveClassesAtExit="+archive)
		case a == "-Xlog:cds=off" || a == "-Xlog:cds+dynamic=off":
		case a == "-cp" && i+1 < len(cmd):
			out = append(out, a, strings.TrimSuffix(cmd[i+1], ":"))
			i++
		default:
			out = append(out, a)
		}
	}
	return out
}

// shellJoin quotes a command's words for sh.
func shellJoin(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		if w != "" && strings.Trim(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=:/.,+") == "" {
			q[i] = w
		} else {
			q[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
		}
	}
	return strings.Join(q, " ")
}

// Preload is nil: Java's jobs load no Python harness.
func (Language) Preload() []string { return nil }

// Words are the words prompts use for Java.
func (Language) Words() languages.Words {
	return languages.Words{Name: "Java", Version: "Java 17", Fence: "java",
		Aliases: []string{"java17", "java11", "java8"}, Header: "its signature"}
}

// SeedEnv is nil: Java's hashing has no seed (String.hashCode is fixed,
// and HashMap's order follows it).
func (Language) SeedEnv(string) map[string]string { return nil }

// Program is the program an answer's code runs as: for a completion task,
// the prompt with the code spliced in (see splice).
func (Language) Program(t tasks.Task, code string) string {
	if t.Style == tasks.Completion {
		return splice(t.Prompt, code)
	}
	return code
}
