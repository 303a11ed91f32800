// Run once when the image is built, after its Debian packages are in.
//
// Debian's jest and its ~280 dependencies install their modules into node's
// global module folders (/usr/share/nodejs and two more), where every
// program could require them: a HumanEval program's require('lodash') would
// resolve instead of failing as it does under a plain node. This moves the
// modules of every package that node itself and the image's other modules
// do not depend on into one folder of jest's own, off node's search path,
// and points /usr/bin's links at the new place. Node resolves a module from
// the real path of the file that requires it, so jest still finds its
// dependencies there, beside it.
'use strict';
const fs = require('fs');
const path = require('path');

const keepRoots = process.argv.slice(2);
const target = '/usr/lib/selfrepair/jest/node_modules';
const globals = ['/usr/share/nodejs', '/usr/lib/nodejs', '/usr/lib/x86_64-linux-gnu/nodejs'];

// The installed packages, from dpkg's status file.
const installed = new Map();
const provides = new Map();
for (const stanza of fs.readFileSync('/var/lib/dpkg/status', 'utf8').split(/\n\n+/)) {
  const f = {};
  let last = '';
  for (const line of stanza.split('\n')) {
    if (/^\s/.test(line)) { f[last] += ' ' + line.trim(); continue; }
    const i = line.indexOf(':');
    if (i < 0) continue;
    last = line.slice(0, i);
    f[last] = line.slice(i + 1).trim();
  }
  if (!f.Package || !/ installed$/.test(f.Status || '')) continue;
  installed.set(f.Package, f);
  for (const p of names(f.Provides)) {
    if (!provides.has(p)) provides.set(p, []);
    provides.get(p).push(f.Package);
  }
}

// names are the package names of a dependency field, every alternative.
function names(field) {
  if (!field) return [];
  return field.split(/[,|]/).map((s) => s.trim().split(/[\s(:]/)[0]).filter(Boolean);
}

// The dependency closure of the roots: these packages' modules stay.
const keep = new Set();
const todo = [...keepRoots];
while (todo.length) {
  const name = todo.pop();
  for (const p of installed.has(name) ? [name] : provides.get(name) || []) {
    if (keep.has(p)) continue;
    keep.add(p);
    const f = installed.get(p);
    todo.push(...names(f.Depends), ...names(f['Pre-Depends']));
  }
}
for (const r of keepRoots) {
  if (!keep.has(r)) throw new Error(`hidejest: ${r} is not installed`);
}

// The top-level module entries (a@scope/name counts as one) each package owns
// in the global folders.
function entries(pkg) {
  const out = new Set();
  for (const list of [`${pkg}.list`, `${pkg}:amd64.list`]) {
    let text;
    try {
      text = fs.readFileSync(path.join('/var/lib/dpkg/info', list), 'utf8');
    } catch {
      continue;
    }
    for (const file of text.split('\n')) {
      for (const g of globals) {
        if (!file.startsWith(g + '/')) continue;
        const parts = file.slice(g.length + 1).split('/');
        const n = parts[0].startsWith('@') ? 2 : 1;
        if (parts.length >= n) out.add(path.join(g, ...parts.slice(0, n)));
      }
    }
  }
  return out;
}

const kept = new Set();
const hide = new Set();
for (const p of installed.keys()) {
  for (const e of entries(p)) (keep.has(p) ? kept : hide).add(e);
}
let moved = 0;
const movedTo = new Map();
for (const e of [...hide].sort()) {
  if (kept.has(e) || !fs.existsSync(e)) continue; // shared with a kept package, or a scope folder
  const to = path.join(target, e.slice(globals.find((g) => e.startsWith(g + '/')).length + 1));
  if (fs.existsSync(to)) continue;
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.renameSync(e, to);
  movedTo.set(e, to);
  moved++;
}

// Scope folders left empty.
for (const e of movedTo.keys()) {
  const dir = path.dirname(e);
  if (path.basename(dir).startsWith('@') && fs.existsSync(dir) && fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
}

// Executables that linked into a moved module link to its new place.
for (const dir of ['/usr/bin']) {
  for (const name of fs.readdirSync(dir)) {
    const link = path.join(dir, name);
    let dest;
    try {
      dest = path.resolve(dir, fs.readlinkSync(link));
    } catch {
      continue;
    }
    for (const [from, to] of movedTo) {
      if (dest === from || dest.startsWith(from + '/')) {
        fs.unlinkSync(link);
        fs.symlinkSync(to + dest.slice(from.length), link);
        break;
      }
    }
  }
}
console.log(`hidejest: moved ${moved} modules to ${target}; kept ${kept.size} of ${keep.size} packages`);
