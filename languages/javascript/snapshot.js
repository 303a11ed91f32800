// The startup snapshot of selfrepair's JavaScript image: node's own
// bootstrap, run once when the image is built (Debian's node has no
// built-in snapshot, so every start would run it again). The snapshot
// builder leaves its module's names on the global object: a program run
// from the snapshot must see the globals a plain `node` gives it.
for (const name of ['require', 'module', 'exports', '__filename', '__dirname']) {
  delete globalThis[name];
}
