package sandbox

import (
	"context"
	"errors"
	"io"
)

// Backend is a container engine as the sandbox uses it: the pool, the
// supervisor protocol, the limits and the sweep are written against it, and
// Engine (Docker) is its first implementation. A backend may be remote: the
// sandbox never assumes it shares a host, a clock or a process table with
// the engine. Every call that can block takes a context.
type Backend interface {
	// Start creates a container from spec, attaches its standard streams
	// and starts it. A missing image is an error wrapping ErrImageMissing.
	Start(ctx context.Context, spec ContainerSpec) (*Attached, error)
	// Create creates a container from spec and does not start it: the
	// sandbox keeps records (its lease, see Sweep) in its labels.
	Create(ctx context.Context, spec ContainerSpec) (id string, err error)
	// State says whether a container runs and how it ended.
	State(ctx context.Context, id string) (ContainerState, error)
	// Remove kills and removes a container; one already gone is not an error.
	Remove(ctx context.Context, id string) error
	// List lists the containers, running or not, with a label: "key" or
	// "key=value".
	List(ctx context.Context, label string) ([]ContainerInfo, error)
	// Image looks an image up by name or id; a missing one is an error
	// wrapping ErrImageMissing.
	Image(ctx context.Context, ref string) (ImageInfo, error)
	// Version says what the engine is, or fails with one clear line when it
	// does not answer.
	Version(ctx context.Context) (EngineVersion, error)
}

// ContainerSpec is what a container is made from, in the sandbox's terms.
// A backend must honour every field or fail: none is a hint.
type ContainerSpec struct {
	Image   string
	Cmd     []string // run as given: the image's entrypoint is not used
	Env     []string // KEY=value, the whole environment
	User    string   // uid:gid
	WorkDir string
	Labels  map[string]string

	// Resources.
	Memory  int64   // bytes, swap included
	CPUs    float64 // CPU quota in cores
	Pids    int64   // processes and threads
	Ulimits []Ulimit
	ShmSize int64   // bytes of /dev/shm
	Tmpfs   []Tmpfs // writable memory-backed directories

	// Hardening.
	NoNetwork       bool     // no network interface but loopback
	ReadOnlyRoot    bool     // the root filesystem is read-only
	Init            bool     // an init process reaps zombies as PID 1
	CapAdd          []string // the only capabilities (e.g. "SETUID"); all others are dropped
	NoNewPrivileges bool
	NoLogs          bool // the engine keeps no log of the output
	PrivateIPC      bool // an IPC namespace of its own
}

// Ulimit is a resource limit of every process in a container.
type Ulimit struct {
	Name       string // e.g. nofile, core
	Soft, Hard int64
}

// Tmpfs is a memory-backed directory, mounted rw,nosuid,nodev,exec.
type Tmpfs struct {
	Path     string
	Size     int64  // bytes
	Inodes   int64  // most files it may hold
	Mode     uint32 // permission bits of its root, e.g. 0o1777
	UID, GID int    // owner of its root (0: root)
}

// Attached is a started container with its standard streams.
type Attached struct {
	ID     string
	Stdin  io.WriteCloser // closing it detaches from the container
	Stdout io.Reader      // ends when the container or the attachment ends
	Stderr io.Reader      // read it as well: the streams may share one connection
}

// ContainerState is how a container is, or how it ended.
type ContainerState struct {
	Running   bool
	OOMKilled bool
	ExitCode  int
}

// ContainerInfo is a container as List sees it.
type ContainerInfo struct {
	ID     string
	Labels map[string]string
}

// ImageInfo is what the sandbox needs to know about an image.
type ImageInfo struct {
	ID     string
	Labels map[string]string
}

// EngineVersion describes the engine.
type EngineVersion struct {
	Name       string // e.g. Docker
	Version    string
	APIVersion string
	Cgroup     string
	Storage    string // the storage driver: overlay2, fuse-overlayfs, ...
}

// ErrImageMissing means the image is not in the engine's store.
var ErrImageMissing = errors.New("image not found")
