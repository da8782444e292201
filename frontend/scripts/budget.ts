// The bundle budget: the JavaScript a first visit must load before the site can run (the entry
// chunk and every chunk it imports statically, transitively) may be at most `limitKiB` gzipped.
// Route pages are loaded with import() and do not count: they are what code splitting is for.
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** The part of a Rollup output chunk the budget reads. */
export interface ChunkInfo {
  type: 'chunk' | 'asset';
  fileName: string;
  isEntry?: boolean;
  imports?: string[];
  code?: string;
}

export interface BudgetResult {
  files: string[];
  gzipBytes: number;
  limitBytes: number;
  ok: boolean;
}

/** initialJS measures the entry chunks and their static imports. */
export function initialJS(bundle: Record<string, ChunkInfo>, limitKiB: number): BudgetResult {
  const seen = new Set<string>();
  const visit = (name: string): void => {
    const c = bundle[name];
    if (!c || c.type !== 'chunk' || seen.has(name)) return;
    seen.add(name);
    for (const i of c.imports ?? []) visit(i);
  };
  for (const c of Object.values(bundle)) if (c.type === 'chunk' && c.isEntry) visit(c.fileName);
  let gzipBytes = 0;
  for (const name of seen) gzipBytes += gzipSync(bundle[name]?.code ?? '', { level: 9 }).length;
  const limitBytes = limitKiB * 1024;
  return { files: [...seen].sort(), gzipBytes, limitBytes, ok: gzipBytes <= limitBytes };
}

/** budget fails the build when the initial JavaScript is over the limit, and reports the figure. */
export function budget(limitKiB: number): Plugin {
  return {
    name: 'bundle-budget',
    apply: 'build',
    generateBundle(_opts, bundle) {
      const r = initialJS(bundle as unknown as Record<string, ChunkInfo>, limitKiB);
      const kib = (r.gzipBytes / 1024).toFixed(1);
      const line = `bundle budget: initial JavaScript ${kib} KiB gzipped (limit ${limitKiB} KiB) in ${r.files.length} file(s)`;
      if (!r.ok) this.error(`${line}: over budget; split more of it into lazily loaded routes`);
      this.info(line);
      console.log(line);
      // Kept beside the build for the report; dist is never committed.
      this.emitFile({ type: 'asset', fileName: 'budget.json', source: JSON.stringify({ ...r, kib: Number(kib) }, null, 2) });
    },
  };
}
