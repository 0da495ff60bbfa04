// The emulated container root of compose-namespace-agent.mjs. Runs in the agent's private mount
// namespace only: every mount made here disappears with it, and the host sees empty directories.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

// Shared with the host so caches, the repository and unix sockets stay reachable.
const SHARED = new Set(['tmp', 'root', 'work', 'home']);
const KERNEL = new Set(['proc', 'dev', 'sys']);

function mount(tools, ...args) {
  try {
    execFileSync(tools.mount, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    throw new Error(`mount ${args.join(' ')}: ${String(error.stderr ?? error.message).trim()}`, {
      cause: error,
    });
  }
}

function overlay(tools, lower, layers, id, target) {
  const upper = join(layers, id, 'upper');
  const work = join(layers, id, 'work');
  mkdirSync(upper, { recursive: true });
  mkdirSync(work, { recursive: true });
  // The merged directory takes its owner and mode from the upper one, not from the lower one.
  const stat = statSync(lower);
  chmodSync(upper, stat.mode & 0o7777);
  chownSync(upper, stat.uid, stat.gid);
  mount(
    tools,
    '-t',
    'overlay',
    'overlay',
    '-o',
    `lowerdir=${lower},upperdir=${upper},workdir=${work}`,
    target,
  );
}

/**
 * A container path as a host path inside `root`, following symbolic links the way a process
 * chrooted there would: an absolute link target starts again from `root`, never from the host's /
 * (Debian's /etc/nginx/sites-enabled/default points at an absolute path).
 */
export function resolveInRoot(root, containerPath) {
  const rest = containerPath.split('/');
  const done = [];
  let links = 0;
  let missing = false;
  while (rest.length > 0) {
    const part = rest.shift();
    if (!part || part === '.') continue;
    if (part === '..') {
      done.pop();
      continue;
    }
    done.push(part);
    if (missing) continue;
    const hostPath = join(root, ...done);
    let stat;
    try {
      stat = lstatSync(hostPath);
    } catch {
      missing = true;
      continue;
    }
    if (!stat.isSymbolicLink()) continue;
    if (++links > 40) throw new Error(`too many symbolic links in ${containerPath}`);
    const target = readlinkSync(hostPath);
    done.pop();
    if (target.startsWith('/')) done.length = 0;
    rest.unshift(...target.split('/'));
  }
  return join(root, ...done);
}

/** Mirrors the host's top-level entries into the tmpfs mounted at `root`. */
export function buildRoot({ root, layers, directory, tools }) {
  mount(tools, '-t', 'tmpfs', '-o', 'mode=0755', 'tmpfs', root);
  mount(tools, '-t', 'tmpfs', '-o', 'mode=0700', 'tmpfs', layers);
  for (const entry of readdirSync('/', { withFileTypes: true })) {
    const name = entry.name;
    const source = `/${name}`;
    const target = join(root, name);
    if (entry.isSymbolicLink()) {
      symlinkSync(readlinkSync(source), target);
      continue;
    }
    // Top-level regular files (/.dockerenv and the like) describe the host, not a container.
    if (!entry.isDirectory()) continue;
    mkdirSync(target);
    chmodSync(target, statSync(source).mode & 0o7777);
    if (KERNEL.has(name)) mount(tools, '--rbind', source, target);
    else if (name === 'run') mount(tools, '-t', 'tmpfs', '-o', 'mode=0755', 'tmpfs', target);
    else if (SHARED.has(name)) {
      // A recursive bind of the tree holding the work directory would nest the root in itself.
      const holdsRoot = directory === source || directory.startsWith(`${source}/`);
      mount(tools, holdsRoot ? '--bind' : '--rbind', source, target);
    } else overlay(tools, source, layers, `top-${name}`, target);
  }
}

function ensureParent(hostPath) {
  mkdirSync(dirname(hostPath), { recursive: true, mode: 0o755 });
}

/** Binds host files and directories at container paths, before `files` are written. */
export function applyMounts({ root, layers, tools }, mounts) {
  mounts.forEach((spec, index) => {
    if (!existsSync(spec.source)) throw new Error(`mount source ${spec.source} does not exist`);
    const target = resolveInRoot(root, spec.target);
    const sourceIsDirectory = statSync(spec.source).isDirectory();
    ensureParent(target);
    if (sourceIsDirectory) mkdirSync(target, { recursive: true });
    else if (!existsSync(target)) closeSync(openSync(target, 'w', 0o644));
    if (spec.overlay) {
      if (!sourceIsDirectory) throw new Error(`overlay mount ${spec.source} is not a directory`);
      overlay(tools, spec.source, layers, `mount-${String(index)}`, target);
    } else if (spec.readOnly) mount(tools, '--bind', '-o', 'ro', spec.source, target);
    else mount(tools, '--bind', spec.source, target);
  });
}

export function writeFiles(root, files) {
  for (const file of files) {
    const target = resolveInRoot(root, file.path);
    ensureParent(target);
    writeFileSync(target, Buffer.from(file.base64, 'base64'), { mode: file.mode });
    // writeFileSync applies the mode only when it creates the file.
    chmodSync(target, file.mode);
  }
}
