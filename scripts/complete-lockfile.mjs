// The package registry reachable here lacks some platform binaries that packages list as optional
// dependencies (e.g. @biomejs/cli-darwin-x64@2.6.8). `npm install` then leaves them out of
// package-lock.json and `npm ci` refuses the lock as out of sync. This adds a stub entry (version,
// os, cpu, libc, optional) for each missing platform package, so `npm ci` skips it as it would on
// any other platform. Run after changing dependencies: `node scripts/complete-lockfile.mjs`.
import fs from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const pkgs = lock.packages;
let added = 0;
for (const [path, entry] of Object.entries(pkgs)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (pkgs[key] || pkgs[`${path}/node_modules/${name}`]) continue;
    const m =
      /-(android|darwin|linux|win32|freebsd|openbsd|netbsd|sunos|aix)-(x64|arm64|ia32|arm|ppc64|s390x|riscv64|loong64)(-(musl|gnu|msvc))?$/.exec(
        name,
      );
    if (!m) continue;
    pkgs[key] = {
      version,
      cpu: [m[2]],
      dev: entry.dev === true ? true : undefined,
      ...(m[4] === 'musl' || m[4] === 'gnu' ? { libc: [m[4] === 'musl' ? 'musl' : 'glibc'] } : {}),
      optional: true,
      os: [m[1]],
    };
    added += 1;
  }
}
lock.packages = Object.fromEntries(Object.entries(pkgs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: ${added} missing platform entr${added === 1 ? 'y' : 'ies'} added`);
