//go:build !unix

package rundir

import (
	"errors"
	"os"
)

var errWouldBlock = errors.New("would block")

// flock is not supported here: run directories need a Unix system.
func flock(*os.File) error {
	return errors.New("run directories need file locks (flock), which this system lacks")
}
