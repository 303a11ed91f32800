# Builds, once in the image, what every Go job links against: every
# standard package and testify (with their dependencies) compiled into
# archives under /usr/lib/selfrepair-go/pkg, the importcfg that names them,
# and selfrepair's test driver. Jobs then call the compiler and the linker
# directly: the rootfs is read-only at run time, and no build cache is
# needed or kept. CGO_ENABLED=0: binaries are static and the linker needs
# no C toolchain.
set -eu
export HOME=/tmp GOPATH=/usr/share/gocode GO111MODULE=off GOTOOLCHAIN=local GOFLAGS=-buildvcs=false CGO_ENABLED=0
GOCACHE=$(mktemp -d)
export GOCACHE
D=/usr/lib/selfrepair-go
mkdir -p $D/pkg
ln -sfn "$(go env GOTOOLDIR)" $D/tool
cd /tmp
go list -export -deps -f '{{if .Export}}{{.ImportPath}} {{.Export}}{{end}}' \
	std github.com/stretchr/testify/assert github.com/stretchr/testify/require github.com/go-openapi/inflect \
	>"$GOCACHE/list"
: >$D/importcfg
while read -r p f; do
	mkdir -p "$(dirname "$D/pkg/$p.a")"
	cp "$f" "$D/pkg/$p.a"
	echo "packagefile $p=$D/pkg/$p.a" >>$D/importcfg
done <"$GOCACHE/list"
mkdir -p $D/pkg/selfrepair
$D/tool/compile -p selfrepair/driver -importcfg $D/importcfg -pack -complete -o $D/pkg/selfrepair/driver.a $D/src/driver/driver.go
echo "packagefile selfrepair/driver=$D/pkg/selfrepair/driver.a" >>$D/importcfg
rm -rf "$GOCACHE"

# A smoke test: a passing test binary prints the token last.
T=$(mktemp -d)
cat >"$T/main_test.go" <<'EOF'
package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSmoke(t *testing.T) { assert.New(t).Equal(2, 1+1) }
EOF
cat >"$T/main.go" <<'EOF'
package main

import selfrepair_driver "selfrepair/driver"

func main() { selfrepair_driver.Main([]selfrepair_driver.Test{{Suite: "base", Name: "TestSmoke", F: TestSmoke}}) }
EOF
cd "$T"
$D/tool/compile -p main -importcfg $D/importcfg -pack -complete -o main.a main_test.go main.go
$D/tool/link -importcfg $D/importcfg -s -w -o prog main.a
SELFREPAIR_TOKEN=smoke ./prog | tail -n 1 | grep -qx 'selfrepair: tests completed smoke'
cd /
rm -rf "$T"

# A build cache for the go command (repository mode runs go test): the
# standard library and testify compiled as a test build compiles them, in
# GOPATH mode and in module mode. Jobs copy it into their own GOCACHE
# (golang.Language.RepoRun), so a cold go test does not recompile them at
# every run (about 20 s here). Read-only: no job can poison another's.
C=$D/gocache
T=$(mktemp -d)
mkdir -p "$T/gopath/src/warm" "$T/mod"
cat >"$T/warm.go" <<'EOF'
package warm

import (
	_ "bufio"
	_ "bytes"
	_ "crypto/md5"
	_ "crypto/sha256"
	_ "encoding/json"
	_ "errors"
	_ "fmt"
	_ "math"
	_ "math/rand"
	_ "os"
	_ "reflect"
	_ "regexp"
	_ "sort"
	_ "strconv"
	_ "strings"
	_ "sync"
	_ "time"
	_ "unicode"
)
EOF
cp "$T/warm.go" "$T/gopath/src/warm/"
cp "$T/warm.go" "$T/mod/"
cat >"$T/gopath/src/warm/warm_test.go" <<'EOF'
package warm

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWarm(t *testing.T) { assert.True(t, true); require.True(t, true) }
EOF
printf 'package warm\n\nimport "testing"\n\nfunc TestWarm(t *testing.T) {}\n' >"$T/mod/warm_test.go"
printf 'module warm\n\ngo 1.19\n' >"$T/mod/go.mod"
(cd "$T/gopath/src/warm" && GOCACHE=$C GOPATH=/usr/share/gocode:$T/gopath go test -count=1 . >/dev/null)
(cd "$T/mod" && GOCACHE=$C GO111MODULE=on go test -count=1 . >/dev/null)
chmod -R a+rX $C
rm -rf "$T"
